// 半年统计 (issue 17): what the statistics screens decide on this side. The server checks every
// write (the county admin only, If-Match, the cut-off passed, a reason once frozen); these keep
// the buttons to the role and the state where they apply, add the totals to a table, sign a
// change, and draw the province's trends as small sparklines.
import type { Schemas } from '../api/client'
import type { Role } from './menu'

type Revision = Schemas['StatRevision']
type Table = Schemas['StatTable']

/** Who computes, reviews and freezes (403 `statistics_admins_only` otherwise). */
export function mayWrite(role: Role | null): boolean {
  return role === 'county_admin'
}

/** The newest revision of a period (the one every action applies to). */
export function newest(revisions: Revision[]): Revision | undefined {
  return revisions[0]
}

/** The frozen revision: the newest one frozen (a correction after it may still be open). */
export function frozenOf(revisions: Revision[]): Revision | undefined {
  return revisions.find((r) => r.state === 'frozen')
}

export type Actions = {
  /** 生成 (none yet), 重新生成 (the newest is open), 更正 (the newest is frozen: a new revision with a reason). */
  compute: 'first' | 'again' | 'correct' | null
  review: boolean
  freeze: boolean
}

/** The buttons a role has on a period, from its newest revision. */
export function actionsFor(role: Role | null, over: boolean, revisions: Revision[]): Actions {
  const none: Actions = { compute: null, review: false, freeze: false }
  if (!mayWrite(role) || !over) return none
  const n = newest(revisions)
  if (!n) return { ...none, compute: 'first' }
  return {
    compute: n.state === 'frozen' ? 'correct' : 'again',
    review: n.state === 'computed',
    freeze: n.state === 'reviewed',
  }
}

/** The revision asked for in the URL if the period has it, else the newest. */
export function revisionOf(revisions: Revision[], asked: unknown): number | undefined {
  const n = Number(asked)
  if (typeof asked === 'string' && asked && Number.isInteger(n) && revisions.some((r) => r.revision === n)) return n
  return newest(revisions)?.revision
}

/** The half-year before: 2026H1 → 2025H2, 2026H2 → 2026H1. */
export function previousPeriod(period: string): string | null {
  const m = /^(\d{4})H([12])$/.exec(period)
  if (!m) return null
  const y = Number(m[1])
  return m[2] === '2' ? `${y}H1` : `${y - 1}H2`
}

export type Row = { key: string; label: string; cells: number[]; total: number; sum?: boolean }

/** A table's rows with their totals, and a 合计 row when there are several rows. */
export function withTotals(t: Table, totalLabel: string): Row[] {
  const rows: Row[] = t.rows.map((r, i) => {
    const cells = t.cells[i] ?? []
    return { key: r.key, label: r.label, cells, total: cells.reduce((s, c) => s + c, 0) }
  })
  if (rows.length > 1) {
    const cells = t.cols.map((_, j) => rows.reduce((s, r) => s + (r.cells[j] ?? 0), 0))
    rows.push({ key: '__total', label: totalLabel, cells, total: cells.reduce((s, c) => s + c, 0), sum: true })
  }
  return rows
}

/**
 * A table as shown: a flat table (one row of many columns: ages, kinds) turns on its side, one
 * line per column, so it reads down the page instead of scrolling sideways.
 */
export function layout(t: Table, countLabel: string): Table {
  if (t.rows.length !== 1 || t.cols.length <= 1) return t
  return { ...t, rows: t.cols, cols: [{ key: t.rows[0].key, label: countLabel }], cells: (t.cells[0] ?? []).map((c) => [c]) }
}

/** A change with its sign: +3, −2, 0. */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0'
}

/** A rate (0–1) as a percentage, "—" when absent. */
export function percent(rate: number | null | undefined): string {
  return rate === undefined || rate === null ? '—' : `${(rate * 100).toFixed(1)}%`
}

/** A province cell: suppressed (absent or null) shows as ×. */
export function cellText(n: number | null | undefined): string {
  return n === undefined || n === null ? '×' : String(n)
}

export const MISSING: Record<string, [string, string]> = {
  not_frozen: ['尚未冻结本期统计', 'Not frozen yet'],
  tenant_suspended: ['县（区）已停用', 'County suspended'],
  county_unavailable: ['暂时无法读取该县数据', 'County unavailable'],
}

/** A rate series across periods (oldest first): the province's, or one county's. */
export type Series = { code: string; name: string; rates: (number | undefined)[] }
export type Trend = { key: string; title: string; periods: string[]; province: (number | undefined)[]; counties: Series[] }

/** The trends per ranking: the province's rate in each period and each county's. */
export function trendsOf(t: Schemas['ProvinceTrends']): Trend[] {
  const out = new Map<string, Trend>()
  const labels = t.periods.map((p) => p.label)
  t.periods.forEach((p, i) => {
    for (const r of p.rankings) {
      let tr = out.get(r.key)
      if (!tr) {
        tr = { key: r.key, title: r.title, periods: labels, province: labels.map(() => undefined), counties: [] }
        out.set(r.key, tr)
      }
      tr.province[i] = r.province_rate
      for (const l of r.lines) {
        let s = tr.counties.find((c) => c.code === l.code)
        if (!s) {
          s = { code: l.code, name: l.name, rates: labels.map(() => undefined) }
          tr.counties.push(s)
        }
        s.rates[i] = l.rate
      }
    }
  })
  return [...out.values()]
}

/**
 * The points of a sparkline (0–1 rates) in a w×h box, one segment per run of known values:
 * an unknown rate breaks the line rather than reading as 0.
 */
export function sparkline(rates: (number | undefined)[], w: number, h: number, pad = 2): string[] {
  const n = rates.length
  const x = (i: number) => (n <= 1 ? w / 2 : pad + (i * (w - 2 * pad)) / (n - 1))
  const y = (r: number) => h - pad - Math.max(0, Math.min(1, r)) * (h - 2 * pad)
  const runs: string[] = []
  let cur: string[] = []
  rates.forEach((r, i) => {
    if (r === undefined || r === null) {
      if (cur.length) runs.push(cur.join(' '))
      cur = []
    } else cur.push(`${x(i).toFixed(1)},${y(r).toFixed(1)}`)
  })
  if (cur.length) runs.push(cur.join(' '))
  return runs
}
