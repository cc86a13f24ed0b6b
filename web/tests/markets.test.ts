import { describe, expect, it } from 'vitest'
import type { Schemas } from '../src/api/client'
import {
  byCode, CODES, itemNames, linesFrom, mayCheck, maySetTargets, maySpotCheck, parsePercent, percentError, spotCheckRequest, stateOf, targetYears, toRequest,
} from '../src/lib/markets'

const NAMES: Record<string, string> = {
  member_info: '党员信息动态化', coverage: '组织覆盖有效化', systems: '制度建设规范化', role: '作用发挥实质化', education: '教育管理制度化', guarantees: '党建保障常态化',
}
/** This year's demo checklist: the first four items met, the last two not checked. */
const items = (): Schemas['ChecklistItemView'][] =>
  CODES.map((code, k) => ({
    code, name: NAMES[code], asks: '…',
    ...(k < 4 ? { met: true, evidence: `${NAMES[code]}：现场对照检查`, by_name: '工商所', on: '2026-12-01' } : {}),
  }))

describe('who does what on the six standards', () => {
  it('lets the AIC recorder, the committee and the county admin check; the committee and the county spot-check; the county set targets', () => {
    expect(mayCheck('aic_recorder')).toBe(true)
    expect(mayCheck('association_committee')).toBe(true)
    expect(mayCheck('county_admin')).toBe(true)
    expect(mayCheck('branch_staff')).toBe(false)
    expect(mayCheck('township_committee')).toBe(false)
    expect(mayCheck(null)).toBe(false)
    expect(maySpotCheck('association_committee')).toBe(true)
    expect(maySpotCheck('county_admin')).toBe(true)
    expect(maySpotCheck('aic_recorder')).toBe(false)
    expect(maySetTargets('county_admin')).toBe(true)
    expect(maySetTargets('association_committee')).toBe(false)
  })
})

describe('the checklist dialog', () => {
  it('fills the lines from the checklist, an unchecked item with no state', () => {
    const l = linesFrom(items())
    expect(l.map((x) => x.state)).toEqual(['met', 'met', 'met', 'met', '', ''])
    expect(l[0].evidence).toBe('党员信息动态化：现场对照检查')
    expect(stateOf(false)).toBe('unmet')
  })
  it('sends only the items changed, in the seed’s order, with their evidence trimmed', () => {
    const l = linesFrom(items())
    l[5].state = 'met'
    l[5].evidence = '  有党员活动室和经费  '
    l[4].state = 'unmet'
    l[1].evidence = '组织覆盖有效化：现场对照检查' // unchanged
    const r = toRequest(l, items())
    expect(r).toEqual({
      body: { items: [{ code: 'education', met: false }, { code: 'guarantees', met: true, evidence: '有党员活动室和经费' }] },
      sent: ['education', 'guarantees'],
    })
  })
  it('sends a changed state or changed evidence of an item already checked', () => {
    const l = linesFrom(items())
    l[3].state = 'unmet'
    l[0].evidence = '新的依据'
    const r = toRequest(l, items())
    expect('body' in r && r.body.items).toEqual([{ code: 'member_info', met: true, evidence: '新的依据' }, { code: 'role', met: false, evidence: '作用发挥实质化：现场对照检查' }])
  })
  it('refuses to send nothing, naming `items`', () => {
    const r = toRequest(linesFrom(items()), items())
    expect('errors' in r && r.errors.map((e) => e.field)).toEqual(['items'])
  })
  it('puts the server’s `items[k]` errors on the item sent at k', () => {
    const errors = [
      { field: 'items[1].evidence', code: 'too_long', message: 'items[1].evidence：最多500个字', message_en: 'x' },
      { field: 'items[0].code', code: 'unknown_standard', message: 'm', message_en: 'm' },
      { field: 'items', code: 'invalid_items', message: 'm', message_en: 'm' },
      { field: 'items[7].evidence', code: 'too_long', message: 'm', message_en: 'm' },
    ]
    expect(byCode(errors, ['education', 'guarantees']).map((e) => e.field)).toEqual(['item.guarantees.evidence', 'item.education.code', 'items', 'items[7].evidence'])
    expect(byCode(errors, ['education', 'guarantees'])[0].message).toBe('items[1].evidence：最多500个字')
  })
})

describe('spot checks', () => {
  it('sends the failed items in the seed’s order only when the check failed', () => {
    expect(spotCheckRequest({ checked_on: '2026-12-01', result: 'failed', failed_items: ['education', 'role'], note: ' 未挂牌 ' })).toEqual({
      checked_on: '2026-12-01', result: 'failed', failed_items: ['role', 'education'], note: '未挂牌',
    })
    expect(spotCheckRequest({ checked_on: '', result: 'passed', failed_items: ['role'], note: '' })).toEqual({ checked_on: null, result: 'passed', failed_items: [], note: null })
  })
  it('names the failed items', () => {
    expect(itemNames(['role', 'nope'], items())).toEqual(['作用发挥实质化', 'nope'])
  })
})

describe('targets', () => {
  it('reads a percent of 0 to 100 with at most one decimal', () => {
    expect(parsePercent('75')).toBe(75)
    expect(parsePercent(' 62.5 ')).toBe(62.5)
    expect(parsePercent('0')).toBe(0)
    expect(parsePercent('100')).toBe(100)
    expect(parsePercent('.5')).toBe(0.5)
    for (const bad of ['', '100.1', '101', '62.55', '-1', 'abc', '1e2', '50%']) expect(parsePercent(bad), bad).toBeNull()
    expect(percentError().field).toBe('percent')
    expect(percentError().message.startsWith('percent：')).toBe(true)
  })
  it('offers next year back to 2013', () => {
    const ys = targetYears(2026)
    expect(ys[0]).toBe(2027)
    expect(ys.at(-1)).toBe(2013)
    expect(ys).toHaveLength(15)
  })
})
