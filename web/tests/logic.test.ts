import { describe, expect, it, beforeEach } from 'vitest'
import { screensFor, allowed, home, SCREENS } from '../src/lib/menu'
import { compact, queryString } from '../src/lib/list'
import { chinaTime, chinaToday, lastQuarter } from '../src/lib/period'
import { badgeText, deliveryStatusQuery } from '../src/lib/inbox'
import { asProblem, ifMatch } from '../src/api/client'
import { useProblem } from '../src/lib/problem'
import { ApiError } from '../src/api/client'
import { i18n, setLang } from '../src/i18n'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'

describe('menu per role', () => {
  it('gives every county role the markets’ six standards (each reads the markets it reaches), and the province none', () => {
    for (const r of ['county_admin', 'association_committee', 'branch_staff', 'aic_recorder', 'township_committee', 'village_recorder'] as const) {
      expect(screensFor(r)).toContain('market-standards')
    }
    expect(allowed('provincial_office', 'market-standards')).toBe(false)
  })
  it('gives each role only its screens, and the platform operator none', () => {
    expect(screensFor('village_recorder')).toEqual(['work', 'members', 'handbooks', 'ledgers', 'records', 'filings', 'feedback', 'training', 'market-standards', 'coverage', 'exports', 'qq', 'deadlines', 'inbox'])
    expect(screensFor('aic_recorder')).not.toContain('handbooks')
    // Floating cases belong to the association's branches: no township or village sees one.
    expect(screensFor('branch_staff')).toContain('floating')
    expect(screensFor('township_committee')).not.toContain('floating')
    expect(screensFor('village_recorder')).not.toContain('floating')
    // Members' requests are the service centres' (under the association's branches).
    expect(screensFor('branch_staff')).toContain('service-requests')
    expect(screensFor('association_committee')).toContain('service-requests')
    expect(screensFor('township_committee')).not.toContain('service-requests')
    expect(screensFor('aic_recorder')).not.toContain('service-requests')
    // The centres' activities: branch staff (director and centre staff), the association
    // committee and the county; no township, village or AIC role.
    expect(screensFor('branch_staff')).toContain('activities')
    expect(screensFor('association_committee')).toContain('activities')
    expect(screensFor('county_admin')).toContain('activities')
    expect(screensFor('township_committee')).not.toContain('activities')
    expect(screensFor('aic_recorder')).not.toContain('activities')
    // Every county user has an inbox; the county's notification settings are the admin's.
    expect(screensFor('aic_recorder')).toContain('inbox')
    expect(screensFor('county_admin')).toEqual(expect.arrayContaining(['inbox', 'notifications']))
    expect(screensFor('association_committee')).not.toContain('notifications')
    expect(screensFor('provincial_office')).toEqual(['province', 'province-statistics'])
    expect(screensFor('platform_operator')).toEqual([])
    expect(screensFor(null)).toEqual([])
    expect(allowed('village_recorder', 'province')).toBe(false)
    expect(home('provincial_office')).toBe('/province')
    expect(home('platform_operator')).toBe('/signin')
  })
  it('never gives the provincial office a county screen (aggregates only)', () => {
    for (const [screen, roles] of Object.entries(SCREENS)) {
      if (!screen.startsWith('province')) expect(roles).not.toContain('provincial_office')
    }
  })
})

describe('URL state of lists', () => {
  it('keeps only filled filters and reads the first of repeated parameters', () => {
    expect(compact({ name: '王', phone: '', unit: 'u1' })).toEqual({ name: '王', unit: 'u1' })
    expect(queryString(['a', 'b'])).toBe('a')
    expect(queryString(undefined)).toBe('')
    expect(queryString(null)).toBe('')
  })
})

describe('quarters', () => {
  it('files the quarter that ended last', () => {
    expect(lastQuarter(new Date(2026, 11, 6))).toBe('2026Q3')
    expect(lastQuarter(new Date(2026, 0, 5))).toBe('2025Q4')
    expect(lastQuarter(new Date(2026, 3, 1))).toBe('2026Q1')
    expect(lastQuarter(new Date(2026, 2, 31))).toBe('2025Q4')
  })
  it('counts today in China, not in the browser’s zone (UTC 20:00 is already the next day there)', () => {
    expect(chinaToday(new Date(Date.UTC(2026, 11, 6, 20, 0)))).toBe('2026-12-07')
    expect(chinaToday(new Date(Date.UTC(2026, 11, 6, 15, 59)))).toBe('2026-12-06')
  })
})

describe('notifications', () => {
  it('shows the server’s UTC stamps on Beijing’s clock, nanoseconds and all', () => {
    expect(chinaTime('2026-12-07T06:42:57.574545964')).toBe('2026-12-07 14:42')
    expect(chinaTime('2026-12-07T16:05:00')).toBe('2026-12-08 00:05')
    expect(chinaTime('2026-12-07T16:05:00Z')).toBe('2026-12-08 00:05')
    expect(chinaTime('2026-12-07T16:05')).toBe('2026-12-08 00:05')
    expect(chinaTime(undefined)).toBe('')
    expect(chinaTime('yesterday')).toBe('yesterday')
  })
  it('lists the dead letters unless another status is asked for', () => {
    expect(deliveryStatusQuery('')).toBe('dead')
    expect(deliveryStatusQuery('pending')).toBe('pending')
    expect(deliveryStatusQuery('sent')).toBe('sent')
    expect(deliveryStatusQuery('all')).toBeUndefined()
    expect(deliveryStatusQuery('bogus')).toBe('dead')
  })
  it('keeps the badge narrow', () => {
    expect(badgeText(7)).toBe('7')
    expect(badgeText(100)).toBe('99+')
  })
})

describe('problems', () => {
  beforeEach(() => setLang('zh-CN'))
  it('makes a 5xx without a problem body into a readable message', () => {
    const p = asProblem('<h1>Bad gateway</h1>', 502)
    expect(p.code).toBe('server_error')
    expect(p.detail).toContain('502')
  })
  it('keeps a real problem as the server sent it', () => {
    const p = asProblem({ code: 'not_found', detail: '不存在', detail_en: 'no', status: 404, errors: [] }, 404)
    expect(p.code).toBe('not_found')
  })
  it('puts each field error next to its field, in the chosen language', async () => {
    const f = useProblem()
    await f.run(() => {
      throw new ApiError({
        code: 'validation_failed', detail: '请检查', detail_en: 'check', status: 422, title: 'x', type: 'x',
        errors: [
          { field: 'reason', code: 'required', message: '请填写理由', message_en: 'reason required' },
          { field: 'reason', code: 'too_short', message: '至少 4 个字', message_en: 'at least 4' },
        ],
      } as any)
    })
    expect(f.fields.value.reason).toBe('请填写理由；至少 4 个字')
    setLang('en')
    expect(f.fields.value.reason).toBe('reason required；at least 4')
    expect(f.message.value).toBe('check')
  })
  it('rethrows what is not an API problem', async () => {
    const f = useProblem()
    await expect(f.run(() => Promise.reject(new TypeError('bug')))).rejects.toThrow('bug')
  })
  it('writes If-Match the way the server tags versions', () => {
    expect(ifMatch(7)).toBe('"v7"')
  })
})

describe('activity labels', () => {
  it('name every state, kind and attendance, and the roster takes no "invited"', async () => {
    const { label, options } = await import('../src/lib/labels')
    setLang('zh-CN')
    expect(options.activityState.map((s) => label.activityState(s))).toEqual(['草拟', '待审批', '已退回', '已批准', '已通知', '已举行', '已取消'])
    expect(label.centreActivityKind('training')).toBe('培训')
    expect(options.attendance).toEqual(['present', 'absent', 'excused'])
    expect(label.sms('dead')).toBe('发送失败')
    expect(label.activityStep('returned')).toBe('退回')
    expect(label.activityStep('unknown')).toBe('unknown')
    expect(label.consentPurpose('sms_notices')).toBe('接收短信通知')
    setLang('en')
    expect(label.activityState('held')).toBe('Held')
    setLang('zh-CN')
  })
})

describe('translations', () => {
  it('resolve keys with a hyphen (the menu names screens by their path)', () => {
    setLang('zh-CN')
    expect(i18n.global.t('nav.service-requests')).toBe('党员诉求')
    expect(i18n.global.t('requests.do.hand-over')).toBe('移交')
    setLang('en')
    expect(i18n.global.t('requests.do.follow-up')).toBe('Follow up')
    setLang('zh-CN')
  })
  it('have the same keys in both languages', () => {
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`]))
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
})
