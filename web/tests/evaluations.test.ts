import { describe, expect, it } from 'vitest'
import type { Schemas } from '../src/api/client'
import {
  adopt, blankFinding, chooseRule, draftMax, draftOf, formatPoints, formFrom, gradeCounts, latest, localProblem, parsePoints, toRequest,
} from '../src/lib/evaluations'
import { SCREENS, screensFor } from '../src/lib/menu'

const rule = (code: string, min: number, max: number, per_occurrence = false): Schemas['RuleDto'] => ({ code, text: code, direction: 'deduct', min, max, per_occurrence })
const rubric = (version = 1): Schemas['RubricView'] => ({
  code: 'branch_standardisation',
  version,
  name: '支部（党员服务中心）规范化建设考评定级',
  max: 25,
  seeded: version === 1,
  categories: [
    { code: 'leader', name: '带头人', max: 15, rules: [rule('leader.directives', 1, 3)] },
    { code: 'performance', name: '作用发挥', max: 10, rules: [rule('performance.late_reply', 0.5, 0.5, true), rule('performance.no_registration', 1, 1)] },
  ],
  conditions: [{ code: 'no_activity_last_year', text: '全年未开展活动', grade: '较差' }],
  bands: [{ grade: '好', min: 90 }, { grade: '较好', min: 80 }, { grade: '一般', min: 60 }, { grade: '较差', min: 0 }],
})
const finding = (rule: string, points: number, count = 1, evidence?: string): Schemas['FindingView'] => ({ rule, rule_text: rule, category: 'x', points, count, amount: points * count, evidence })

describe('points', () => {
  it('take a number above 0 with at most one decimal', () => {
    expect(parsePoints('2')).toBe(2)
    expect(parsePoints(' 1.5 ')).toBe(1.5)
    expect(parsePoints('.5')).toBe(0.5)
    expect(parsePoints('0.5')).toBe(0.5)
    for (const bad of ['', '0', '0.0', '1.25', '-1', 'abc', '1,5', '1.', '1e1']) expect(parsePoints(bad), bad).toBeNull()
  })
  it('show with at most one decimal', () => {
    expect(formatPoints(89.5)).toBe('89.5')
    expect(formatPoints(90)).toBe('90')
    expect(formatPoints(0.30000000000000004)).toBe('0.3')
    expect(formatPoints(undefined)).toBe('')
  })
})

describe('the assessment form', () => {
  it('becomes the request: numbers, a count only for a per-occurrence rule, empty text left out', () => {
    const r = rubric()
    const form = {
      findings: [
        { rule: 'leader.directives', points: '1.5', count: '7', evidence: '  ' },
        { rule: 'performance.late_reply', points: '0.5', count: '3', evidence: ' 三件函告逾期答复 ' },
      ],
      conditions: [{ code: 'no_activity_last_year', evidence: '' }],
      note: '  ',
    }
    expect(toRequest(form, r)).toEqual({
      body: {
        findings: [
          { rule: 'leader.directives', points: 1.5 },
          { rule: 'performance.late_reply', points: 0.5, count: 3, evidence: '三件函告逾期答复' },
        ],
        conditions: [{ code: 'no_activity_last_year' }],
        note: null,
      },
    })
  })
  it('is kept back with errors named as the server names them (bounds are the server’s)', () => {
    const form = {
      findings: [
        { rule: 'leader.directives', points: '9', count: '1', evidence: '' },
        { rule: '', points: '1.25', count: '1', evidence: '' },
        { rule: 'performance.late_reply', points: '0.5', count: '0', evidence: '' },
      ],
      conditions: [{ code: '', evidence: '' }],
      note: '',
    }
    const out = toRequest(form, rubric())
    expect('errors' in out && out.errors.map((e) => e.field)).toEqual(['findings[1].rule', 'findings[1].points', 'findings[2].count', 'conditions[0].code'])
    const p = localProblem('errors' in out ? out.errors : [])
    expect(p.status).toBe(422)
    expect(p.errors?.[0].message).toContain('findings[1].rule')
  })
  it('starts a chosen rule at its least points, once unless per occurrence', () => {
    const line = { ...blankFinding(), count: '4' }
    line.rule = 'performance.no_registration'
    chooseRule(line, rubric())
    expect(line).toMatchObject({ points: '1', count: '1' })
    line.rule = 'leader.directives'
    line.points = '2.5'
    chooseRule(line, rubric())
    expect(line.points).toBe('2.5')
  })
  it('is filled from an assessment, and 采纳建议 puts the proposals in (a proposed rule replaces its line)', () => {
    const form = formFrom({ findings: [finding('leader.directives', 2), finding('performance.late_reply', 0.5, 1)], conditions: [], note: '已核实' })
    expect(form.findings[0]).toEqual({ rule: 'leader.directives', points: '2', count: '1', evidence: '' })
    const adopted = adopt(form, { findings: [finding('performance.late_reply', 0.5, 3, '逾期答复3件')], conditions: [{ code: 'no_activity_last_year', text: '', grade: '较差', evidence: '无活动' }] })
    expect(adopted.findings.map((f) => [f.rule, f.count, f.evidence])).toEqual([['leader.directives', '1', ''], ['performance.late_reply', '3', '逾期答复3件']])
    expect(adopted.conditions).toEqual([{ code: 'no_activity_last_year', evidence: '无活动' }])
    expect(adopted.note).toBe('已核实')
    // Adopting twice changes nothing more.
    expect(adopt(adopted, { findings: [finding('performance.late_reply', 0.5, 3, '逾期答复3件')], conditions: [] })).toEqual(adopted)
  })
})

describe('the county’s counts and the rubrics', () => {
  it('count per grade in the grades’ order, 0 where none', () => {
    expect(gradeCounts([{ grade: '较差', count: 2 }, { grade: '好', count: 5 }])).toEqual([
      { grade: '好', count: 5 }, { grade: '较好', count: 0 }, { grade: '一般', count: 0 }, { grade: '较差', count: 2 },
    ])
    expect(gradeCounts([{ grade: '优秀', count: 1 }]).at(-1)).toEqual({ grade: '优秀', count: 1 })
  })
  it('pick the latest version of each, and copy one as a new version’s draft', () => {
    const [v1, v2] = [rubric(1), rubric(2)]
    expect(latest([v1, v2]).map((r) => r.version)).toEqual([2])
    const d = draftOf(v2)
    expect(Object.keys(d).sort()).toEqual(['bands', 'categories', 'conditions', 'name'])
    d.categories[0].max = 20
    expect(v2.categories[0].max).toBe(15)
    expect(draftMax(d)).toBe(30)
  })
  it('are on the menu of the county admin, the association committee and branch staff', () => {
    expect(SCREENS.evaluations).toEqual(['county_admin', 'association_committee', 'branch_staff'])
    expect(screensFor('township_committee')).not.toContain('evaluations')
  })
})
