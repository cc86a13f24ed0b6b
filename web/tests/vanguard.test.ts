import { describe, expect, it } from 'vitest'
import type { Schemas } from '../src/api/client'
import {
  campaignSteps, entrySteps, formatRate, lowestFirst, mayEvaluate, parseVotes, percent, recentYears, showOf, SHOWS, starGlyphs, starRows, tally,
} from '../src/lib/vanguard'
import { SCREENS, screensFor } from '../src/lib/menu'

const entry = (over: Partial<Schemas['VanguardEntryView']> = {}): Schemas['VanguardEntryView'] => ({
  year: 2026, member_id: 'm1', member_name: '张三', business_name: '张三小吃', unit_name: '第一支部', recommended: false, needs_help: false, outstanding: false, version: 3, ...over,
})

describe('the vanguard campaign', () => {
  it('counts the final stars from five down to one', () => {
    expect(starRows([1, 2, 3, 4, 5])).toEqual([
      { stars: 5, count: 5 }, { stars: 4, count: 4 }, { stars: 3, count: 3 }, { stars: 2, count: 2 }, { stars: 1, count: 1 },
    ])
    expect(starRows([]).map((r) => r.count)).toEqual([0, 0, 0, 0, 0])
  })
  it('shows progress as a whole percent, 0 of nothing', () => {
    expect(percent(1, 3)).toBe(33)
    expect(percent(3, 3)).toBe(100)
    expect(percent(5, 0)).toBe(0)
    expect(percent(4, 3)).toBe(100)
  })
  it('draws stars as glyphs', () => {
    expect(starGlyphs(3)).toBe('★★★☆☆')
    expect(starGlyphs(undefined)).toBe('')
  })
  it('gives the committee the one next step of each state, and no one else any', () => {
    expect(campaignSteps('association_committee', null, 2026, 2026)).toEqual(['open'])
    expect(campaignSteps('association_committee', null, 2025, 2026)).toEqual(['open'])
    expect(campaignSteps('association_committee', null, 2024, 2026)).toEqual([])
    expect(campaignSteps('association_committee', 'open', 2026, 2026)).toEqual(['notice'])
    expect(campaignSteps('association_committee', 'notice', 2026, 2026)).toEqual(['finalise'])
    expect(campaignSteps('association_committee', 'final', 2026, 2026)).toEqual(['report'])
    expect(campaignSteps('association_committee', 'reported', 2026, 2026)).toEqual([])
    for (const r of ['branch_staff', 'county_admin', 'township_committee'] as const) {
      expect(campaignSteps(r, 'notice', 2026, 2026)).toEqual([])
      expect(campaignSteps(r, null, 2026, 2026)).toEqual([])
    }
  })
  it('offers a member’s steps to branch staff and the committee, by the campaign’s state', () => {
    expect(mayEvaluate('county_admin')).toBe(false)
    expect(entrySteps('branch_staff', 'open', entry())).toEqual(['self', 'peer', 'review', 'veto'])
    expect(entrySteps('county_admin', 'open', entry())).toEqual([])
    expect(entrySteps('branch_staff', 'open', entry({ excluded: 'probationary' }))).toEqual([])
    expect(entrySteps('branch_staff', 'notice', entry())).toEqual([])
    // After final: 优秀 is the committee's (the server refuses below four stars, and says so).
    expect(entrySteps('association_committee', 'reported', entry({ final_stars: 3 }))).toEqual(['outstanding'])
    expect(entrySteps('branch_staff', 'reported', entry({ final_stars: 5 }))).toEqual([])
    expect(entrySteps('branch_staff', 'final', entry({ final_stars: 2, needs_help: true }))).toEqual(['help'])
    expect(entrySteps('association_committee', 'final', entry({ final_stars: 1, needs_help: true }))).toEqual(['outstanding', 'help'])
    expect(entrySteps('association_committee', 'final', entry({ veto: 'discipline' }))).toEqual([])
  })
  it('keeps an unknown show out of the request', () => {
    expect(showOf('needs_help')).toBe('needs_help')
    expect(showOf('nonsense')).toBe('all')
    expect(showOf(undefined)).toBe('all')
    expect(SHOWS).toContain('outstanding')
  })
  it('reads the peer tally: five whole numbers 0–1000, someone rated; blank is 0', () => {
    expect(parseVotes(['0', '1', ' 2 ', '', '7'])).toEqual({ votes: [0, 1, 2, 0, 7] })
    for (const bad of [['x', '0', '0', '0', '0'], ['1.5', '0', '0', '0', '0'], ['1001', '0', '0', '0', '0'], ['-1', '0', '0', '0', '0'], ['0', '0', '0', '0', '0'], ['1', '1']]) {
      const r = parseVotes(bad)
      expect('errors' in r && r.errors[0].field, bad.join(',')).toBe('votes')
    }
    expect(tally([0, 0, 1, 2, 1])).toEqual({ raters: 4, mean: 4 })
    expect(tally([1, 0, 0, 0, 2])).toEqual({ raters: 3, mean: 3.7 })
    expect(tally([0, 0, 0, 0, 0])).toEqual({ raters: 0, mean: null })
  })
  it('looks up this year and last year on a member’s page', () => {
    expect(recentYears(2026)).toEqual([2026, 2025])
  })
})

describe('training rates', () => {
  it('list the units from the lowest rate; units without members last', () => {
    const u = (unit_name: string, rate?: number) => ({ unit_name, rate })
    expect(lowestFirst([u('乙', 90), u('空'), u('甲', 40.5), u('丙', 90)]).map((x) => x.unit_name)).toEqual(['甲', '丙', '乙', '空'])
  })
  it('show a rate with one decimal and a percent sign', () => {
    expect(formatRate(87.25)).toBe('87.3%')
    expect(formatRate(100)).toBe('100%')
    expect(formatRate(undefined)).toBe('—')
  })
})

describe('the menu', () => {
  it('has the vanguard index for the grading roles and training rates for every county role', () => {
    expect(SCREENS.vanguard).toEqual(SCREENS.evaluations)
    expect(SCREENS.training).toEqual(SCREENS.members)
    expect(screensFor('township_committee')).toContain('training')
    expect(screensFor('township_committee')).not.toContain('vanguard')
    expect(screensFor('provincial_office')).not.toContain('training')
  })
})
