// 党员先锋指数 (the vanguard index) and 教育培训率 (training rates): what the screens decide on
// this side. The server checks every step (who, the campaign's state, the stars); these only
// keep the buttons to the roles and states where they apply, read the forms' numbers, and order
// what is shown.
import type { Schemas } from '../api/client'
import type { Role } from './menu'

type State = Schemas['CampaignState']
type Entry = Schemas['VanguardEntryView']
type FieldError = { field: string; code: string; message: string; message_en: string }

/** The entries list's filters, in the order the select shows them. */
export const SHOWS: Schemas['EntryFilter'][] = ['all', 'evaluated', 'pending', 'excluded', 'vetoed', 'recommended', 'outstanding', 'needs_help']

/** A `show` from the URL, or `all` for anything else. */
export function showOf(v: string | undefined): Schemas['EntryFilter'] {
  return SHOWS.includes(v as Schemas['EntryFilter']) ? (v as Schemas['EntryFilter']) : 'all'
}

/** The final stars' counts, 5 stars first (the API's index 0 is one star). */
export function starRows(finalStars: number[]): { stars: number; count: number }[] {
  return [5, 4, 3, 2, 1].map((stars) => ({ stars, count: finalStars[stars - 1] ?? 0 }))
}

/** A whole percent of `n` in `of` (0 when there is nothing to count). */
export function percent(n: number, of: number): number {
  if (!of || of <= 0) return 0
  return Math.min(100, Math.max(0, Math.round((n / of) * 100)))
}

/** ★★★☆☆ for 3 (screen readers get the number from the text beside it). */
export function starGlyphs(n: number | null | undefined): string {
  if (!n || n < 1) return ''
  const k = Math.min(5, Math.round(n))
  return '★'.repeat(k) + '☆'.repeat(5 - k)
}

export type CampaignStep = 'open' | 'notice' | 'finalise' | 'report'

/**
 * The committee's next step on a year's campaign: opening it when there is none (this year or
 * last year only), the notice while it is open, making the stars final during the notice, the
 * county report once final. Other roles have none.
 */
export function campaignSteps(role: Role | null, state: State | null, year: number, thisYear: number): CampaignStep[] {
  if (role !== 'association_committee') return []
  if (!state) return year === thisYear || year === thisYear - 1 ? ['open'] : []
  if (state === 'open') return ['notice']
  if (state === 'notice') return ['finalise']
  if (state === 'final') return ['report']
  return []
}

/** Who records a member's steps (the server answers 403 `vanguard_evaluators_only` to others). */
export function mayEvaluate(role: Role | null): boolean {
  return role === 'branch_staff' || role === 'association_committee'
}

export type EntryStep = 'self' | 'peer' | 'review' | 'veto' | 'outstanding' | 'help'

/**
 * The steps a member's entry offers: self, peer, review and veto while the campaign is open (an
 * excluded member has none); after the stars are final, 优秀 for the committee (the server
 * refuses it below four stars, and says so) and the help for 1–2 stars.
 */
export function entrySteps(role: Role | null, state: State | null, e: Entry | null): EntryStep[] {
  if (!e || !mayEvaluate(role) || e.excluded) return []
  if (state === 'open') return ['self', 'peer', 'review', 'veto']
  if (state === 'final' || state === 'reported') {
    const out: EntryStep[] = []
    if (role === 'association_committee' && !e.veto) out.push('outstanding')
    if (e.needs_help) out.push('help')
    return out
  }
  return []
}

function err(field: string, code: string, message: string, message_en: string): FieldError {
  return { field, code, message: `${field}：${message}`, message_en: `${field}: ${message_en}` }
}

/**
 * The 互评 tally as typed (how many gave 1, 2, 3, 4 and 5 stars): five whole numbers 0–1000, at
 * least one rater; or the error, named `votes` as the server names it.
 */
export function parseVotes(texts: string[]): { votes: number[] } | { errors: FieldError[] } {
  const votes: number[] = []
  for (const t of texts) {
    const s = t.trim() === '' ? '0' : t.trim()
    if (!/^\d{1,4}$/.test(s) || Number(s) > 1000) return { errors: [err('votes', 'invalid_votes', '每一项须为0到1000的整数', 'each count a whole number 0 to 1000')] }
    votes.push(Number(s))
  }
  if (votes.length !== 5) return { errors: [err('votes', 'invalid_votes', '须为五个数', 'five counts')] }
  if (!votes.some((v) => v > 0)) return { errors: [err('votes', 'invalid_votes', '至少一人参加互评', 'at least one rater')] }
  return { votes }
}

/** The mean of a tally, one decimal (as the server shows it), and how many rated. */
export function tally(votes: number[]): { raters: number; mean: number | null } {
  const raters = votes.reduce((s, v) => s + v, 0)
  if (!raters) return { raters: 0, mean: null }
  const sum = votes.reduce((s, v, k) => s + v * (k + 1), 0)
  return { raters, mean: Math.round((sum / raters) * 10) / 10 }
}

/** The org-life units, the lowest rate first; units without members last, then by name. */
export function lowestFirst<T extends { rate?: number | null; unit_name: string }>(units: T[]): T[] {
  return [...units].sort((a, b) => {
    const ra = a.rate ?? Infinity
    const rb = b.rate ?? Infinity
    if (ra !== rb) return ra - rb
    return a.unit_name.localeCompare(b.unit_name, 'zh-CN')
  })
}

/** A rate as shown: one decimal and a percent sign, a dash without members. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—'
  return `${Math.round(rate * 10) / 10}%`
}

/** The last two years a member's stars may be on record: this year and last year. */
export function recentYears(thisYear: number): number[] {
  return [thisYear, thisYear - 1]
}
