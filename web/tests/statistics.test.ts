import { describe, expect, it } from 'vitest'
import type { Schemas } from '../src/api/client'
import { layout, actionsFor, cellText, frozenOf, percent, previousPeriod, revisionOf, signed, sparkline, trendsOf, withTotals } from '../src/lib/statistics'
import { screensFor } from '../src/lib/menu'

const rev = (revision: number, state: Schemas['SnapshotState'], reason?: string): Schemas['StatRevision'] => ({
  revision, state, state_label: { computed: '已生成', reviewed: '已审核', frozen: '已冻结' }[state], computed_at: '2026-07-02T09:00:00', version: revision, ...(reason ? { reason } : {}),
})

describe('who does what on a period', () => {
  it('lets the county admin compute once the cut-off has passed, then review, then freeze', () => {
    expect(actionsFor('county_admin', true, [])).toEqual({ compute: 'first', review: false, freeze: false })
    expect(actionsFor('county_admin', false, [])).toEqual({ compute: null, review: false, freeze: false })
    expect(actionsFor('county_admin', true, [rev(1, 'computed')])).toEqual({ compute: 'again', review: true, freeze: false })
    expect(actionsFor('county_admin', true, [rev(1, 'reviewed')])).toEqual({ compute: 'again', review: false, freeze: true })
    // Once frozen, only a correction (a new revision with a reason).
    expect(actionsFor('county_admin', true, [rev(1, 'frozen')])).toEqual({ compute: 'correct', review: false, freeze: false })
    expect(actionsFor('county_admin', true, [rev(2, 'computed', '更正'), rev(1, 'frozen')]).review).toBe(true)
  })
  it('gives the association committee no buttons', () => {
    expect(actionsFor('association_committee', true, [])).toEqual({ compute: null, review: false, freeze: false })
    expect(actionsFor('association_committee', true, [rev(1, 'reviewed')]).freeze).toBe(false)
  })
  it('shows the screens to the county admin and the committee, and the province’s to the provincial office', () => {
    expect(screensFor('county_admin')).toContain('statistics')
    expect(screensFor('association_committee')).toContain('statistics')
    expect(screensFor('branch_staff')).not.toContain('statistics')
    expect(screensFor('provincial_office')).toEqual(['province', 'province-statistics'])
    const s = screensFor('county_admin')
    expect(s.indexOf('statistics')).toBe(s.indexOf('deadlines') + 1)
  })
})

describe('periods and revisions', () => {
  it('knows the half-year before', () => {
    expect(previousPeriod('2026H1')).toBe('2025H2')
    expect(previousPeriod('2026H2')).toBe('2026H1')
    expect(previousPeriod('bad')).toBeNull()
  })
  it('opens the revision asked for if it exists, else the newest', () => {
    const rs = [rev(2, 'computed'), rev(1, 'frozen')]
    expect(revisionOf(rs, '1')).toBe(1)
    expect(revisionOf(rs, '7')).toBe(2)
    expect(revisionOf(rs, undefined)).toBe(2)
    expect(revisionOf([], '1')).toBeUndefined()
    expect(frozenOf(rs)?.revision).toBe(1)
  })
})

describe('figures', () => {
  it('adds row totals and a total row', () => {
    const t: Schemas['StatTable'] = {
      key: 'k', title: 'T', population: 'members', provincial: true,
      rows: [{ key: 'a', label: '隶属' }, { key: 'b', label: '属地' }], cols: [{ key: 'full', label: '正式' }, { key: 'prob', label: '预备' }],
      cells: [[3, 1], [5, 0]],
    }
    const rows = withTotals(t, '合计')
    expect(rows.map((r) => r.total)).toEqual([4, 5, 9])
    expect(rows[2]).toMatchObject({ label: '合计', cells: [8, 1], sum: true })
    expect(withTotals({ ...t, rows: [t.rows[0]], cells: [[3, 1]] }, '合计')).toHaveLength(1)
  })
  it('turns a flat table on its side', () => {
    const flat: Schemas['StatTable'] = { key: 'age', title: '年龄', population: 'members', provincial: true, rows: [{ key: 'all', label: '合计' }], cols: [{ key: 'a', label: '35岁以下' }, { key: 'b', label: '35岁及以上' }], cells: [[4, 6]] }
    const side = layout(flat, '数量')
    expect(side.rows.map((r) => r.label)).toEqual(['35岁以下', '35岁及以上'])
    expect(side.cols).toEqual([{ key: 'all', label: '数量' }])
    expect(withTotals(side, '合计').map((r) => r.total)).toEqual([4, 6, 10])
  })
  it('signs changes, shows rates and suppressed cells', () => {
    expect(signed(3)).toBe('+3')
    expect(signed(-2)).toBe('−2')
    expect(signed(0)).toBe('0')
    expect(percent(0.4567)).toBe('45.7%')
    expect(percent(undefined)).toBe('—')
    expect(cellText(null)).toBe('×')
    expect(cellText(undefined)).toBe('×')
    expect(cellText(0)).toBe('0')
  })
})

describe('trends', () => {
  const trends: Schemas['ProvinceTrends'] = {
    province_code: '330000',
    periods: [
      { period: '2025H2', label: '2025年下半年', frozen: 1, rankings: [{ key: 'r', title: '培训率', province_rate: 0.5, lines: [{ code: '330522', name: '长兴县', rate: 0.5, place: 1 }] }] },
      { period: '2026H1', label: '2026年上半年', frozen: 2, rankings: [{ key: 'r', title: '培训率', lines: [{ code: '330522', name: '长兴县', rate: 0.6, place: 1 }, { code: '330523', name: '安吉县', rate: 0.4, place: 2 }] }] },
    ],
  }
  it('gathers each ranking’s rates by period, the province’s and each county’s', () => {
    const [tr] = trendsOf(trends)
    expect(tr.periods).toEqual(['2025年下半年', '2026年上半年'])
    expect(tr.province).toEqual([0.5, undefined])
    expect(tr.counties.map((c) => [c.name, c.rates])).toEqual([['长兴县', [0.5, 0.6]], ['安吉县', [undefined, 0.4]]])
  })
  it('draws a line per run of known rates', () => {
    expect(sparkline([0, 1], 100, 20, 0)).toEqual(['0.0,20.0 100.0,0.0'])
    expect(sparkline([0.5, undefined, 0.5], 100, 20, 0)).toEqual(['0.0,10.0', '100.0,10.0'])
    expect(sparkline([], 100, 20)).toEqual([])
  })
})
