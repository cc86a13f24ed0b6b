import { describe, expect, it } from 'vitest'
import type { Schemas } from '../src/api/client'
import {
  cycleOf, dayState, daysPercent, issuable, mayOrganise, mayPlan, maySurvey, orgStateOf, planForm, planRequest, rate, reportLink, surveyForm, surveyRequest,
} from '../src/lib/coverage'
import { screensFor } from '../src/lib/menu'
import { label } from '../src/lib/labels'
import { setLang } from '../src/i18n'

const tally = { businesses: 10, surveyed: 6, party_org: 3, party_work: 4, league_org: 1, established: 2 }
const cycle = (n: number, state: Schemas['CoverageCycleState'], ends_on: string): Schemas['CoverageCycle'] => ({ cycle: n, day: n * 15, ends_on, state })
const campaign = (over: Partial<Schemas['CoverageCampaign']> = {}): Schemas['CoverageCampaign'] => ({
  id: 'c1', title: '百日攻坚', starts_on: '2026-10-24', ends_on: '2027-01-31', days: 100, cycle_days: 15, day: 45, current_cycle: 3,
  owner_unit_name: '协会党委', county: tally, version: 1,
  cycles: [cycle(1, 'issued', '2026-11-07'), cycle(2, 'issued', '2026-11-22'), cycle(3, 'current', '2026-12-07'), cycle(4, 'upcoming', '2026-12-22')],
  ...over,
})
const org = (over: Partial<Schemas['CoverageOrganisation']> = {}): Schemas['CoverageOrganisation'] => ({
  business_id: 'b1', name: '老王小吃', kind: '个体工商户', township_name: '递铺街道',
  party: { organised: false, suggestion: { form: 'joint', label: '联合组建', reason: '正式党员不足3名' } }, league: { organised: false },
  ...over,
})
const units = [
  { id: 't1', name: '递铺街道', kind: 'township' },
  { id: 't2', name: '孝丰镇', kind: 'township' },
]

describe('who does what in the campaign', () => {
  it('lets the committee and the county admin organise and plan, and the AIC recorder survey too', () => {
    expect(mayOrganise('association_committee')).toBe(true)
    expect(mayOrganise('county_admin')).toBe(true)
    expect(mayOrganise('aic_recorder')).toBe(false)
    expect(maySurvey('aic_recorder')).toBe(true)
    expect(maySurvey('village_recorder')).toBe(false)
    expect(mayPlan('aic_recorder')).toBe(false)
    expect(mayPlan('county_admin')).toBe(true)
    expect(mayPlan(null)).toBe(false)
  })
  it('shows the campaign to every county role, after the markets’ six standards', () => {
    for (const r of ['county_admin', 'association_committee', 'branch_staff', 'aic_recorder', 'township_committee', 'village_recorder'] as const) {
      const s = screensFor(r)
      expect(s.indexOf('coverage')).toBe(s.indexOf('market-standards') + 1)
    }
    expect(screensFor('provincial_office')).not.toContain('coverage')
  })
})

describe('the cycles', () => {
  it('issues a cycle from its last day on, once', () => {
    expect(issuable(cycle(3, 'current', '2026-12-07'), '2026-12-07')).toBe(true)
    expect(issuable(cycle(3, 'current', '2026-12-07'), '2026-12-06')).toBe(false)
    expect(issuable(cycle(2, 'overdue', '2026-11-22'), '2026-12-07')).toBe(true)
    expect(issuable(cycle(1, 'issued', '2026-11-07'), '2026-12-07')).toBe(false)
    expect(issuable(cycle(4, 'upcoming', '2026-12-22'), '2026-12-22')).toBe(false)
  })
  it('opens the report of the cycle asked for, else the current one', () => {
    expect(cycleOf(campaign(), '2')).toBe(2)
    expect(cycleOf(campaign(), '9')).toBe(3)
    expect(cycleOf(campaign(), 'x')).toBe(3)
    expect(cycleOf(campaign(), undefined)).toBe(3)
    expect(cycleOf(campaign({ current_cycle: undefined }), undefined)).toBe(1)
    expect(cycleOf(null, '1')).toBeNull()
  })
  it('says where the campaign stands and how far it has gone', () => {
    expect(dayState({ day: 0, days: 100 })).toBe('before')
    expect(dayState({ day: 45, days: 100 })).toBe('running')
    expect(dayState({ day: 101, days: 100 })).toBe('over')
    expect(daysPercent({ day: 45, days: 100 })).toBe(45)
    expect(daysPercent({ day: 130, days: 100 })).toBe(100)
  })
  it('links a report task to its cycle on the campaign’s page', () => {
    expect(reportLink('0190abcd-1:3')).toBe('/coverage/0190abcd-1?cycle=3')
    expect(reportLink('nonsense')).toBe('/coverage')
    expect(reportLink(undefined)).toBe('/coverage')
  })
  it('shows rates with one decimal, a dash with nothing to count', () => {
    expect(rate(33.33)).toBe('33.3%')
    expect(rate(100)).toBe('100%')
    expect(rate(undefined)).toBe('—')
  })
  it('reads only the known list filters', () => {
    expect(orgStateOf('unorganised')).toBe('unorganised')
    expect(orgStateOf('all')).toBeUndefined()
  })
})

describe('the survey form', () => {
  it('starts blank on today, or from the survey recorded', () => {
    const f = surveyForm(null, '2026-12-07')
    expect(f.surveyed_on).toBe('2026-12-07')
    expect(f.party_org).toBe('none')
    const g = surveyForm({
      employees: 12, party_full: 2, party_probationary: 1, league_members: 0, party_org: 'none', league_org: 'none', instructor: false,
      owner_identity: 'party_member', management: '属地乡镇党委', activities: false, venue: true, surveyed_on: '2026-11-01', surveyed_by_name: '工商所', version: 2,
    }, '2026-12-07')
    expect(g.party_full).toBe('2')
    expect(g.surveyed_on).toBe('2026-11-01')
  })
  it('sends whole numbers (a negative one too: the server says why), refuses what is not a number', () => {
    const f = { ...surveyForm(null, '2026-12-07'), employees: '12', party_full: '-1' }
    const r = surveyRequest(f)
    expect('body' in r && r.body.party_full).toBe(-1)
    expect('body' in r && r.body.management).toBeNull()
    const bad = surveyRequest({ ...f, employees: '1.5', league_members: '' })
    expect('errors' in bad && bad.errors.map((e) => e.field)).toEqual(['employees', 'league_members'])
  })
})

describe('the plan form', () => {
  it('starts from the suggestion, the organisation’s township, planned, due on the last day', () => {
    const f = planForm(org(), 'party', units, '2027-01-31')
    expect(f).toMatchObject({ form: 'joint', owner_unit_id: 't1', status: 'planned', target_on: '2027-01-31', done_on: '' })
    expect(planForm(org({ township_name: undefined }), 'league', units, '2027-01-31')).toMatchObject({ form: '', owner_unit_id: '' })
  })
  it('starts from the plan recorded', () => {
    const o = org({
      party: {
        organised: false,
        plan: { body: 'party', form: 'affiliated', form_label: '挂靠组建', owner_unit_id: 't2', owner_unit_name: '孝丰镇', owner_name: '王主任', status: 'in_progress', status_label: '推进中', version: 3 },
      },
    })
    expect(planForm(o, 'party', units, '2027-01-31')).toMatchObject({ form: 'affiliated', owner_unit_id: 't2', owner_name: '王主任', status: 'in_progress', target_on: '' })
  })
  it('needs a form and a unit; empty dates and notes go as null', () => {
    const r = planRequest({ form: 'joint', owner_unit_id: 't1', owner_name: ' 王主任 ', status: 'established', target_on: '', done_on: '', note: ' ' })
    expect('body' in r && r.body).toEqual({ form: 'joint', owner_unit_id: 't1', owner_name: '王主任', status: 'established', target_on: null, done_on: null, note: null })
    const bad = planRequest({ form: '', owner_unit_id: '', owner_name: '', status: 'planned', target_on: '', done_on: '', note: '' })
    expect('errors' in bad && bad.errors.map((e) => e.field)).toEqual(['form', 'owner_unit_id'])
  })
})

describe('the campaign’s words', () => {
  it('names the report task, a cycle’s state and a plan’s, in both languages', () => {
    setLang('zh-CN')
    expect(label.obligation('coverage_report')).toBe('百日攻坚进展通报')
    expect(label.cycleState('overdue')).toBe('逾期未通报')
    expect(label.planStatus('established')).toBe('已组建')
    setLang('en')
    expect(label.obligation('coverage_report')).toBe('Coverage campaign report')
    expect(label.coverageForm('instructor')).toBe('An instructor')
    setLang('zh-CN')
  })
})
