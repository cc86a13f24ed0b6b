// 市场党建“六化”标准 (the markets' six standards): what the screens decide on this side. The
// server checks every change (who, If-Match, the codes, 500 characters); these keep the buttons
// to the roles the server allows, build the checklist's request from the dialog (only the items
// changed, in the seed's order), put the server's `items[k].…` errors next to the item they name,
// and read a target's percent as typed.
import type { Schemas } from '../api/client'
import type { Role } from './menu'

type FieldError = { field: string; code: string; message: string; message_en: string }
type Item = Schemas['ChecklistItemView']

/** The six standards' codes, in the seed's order. */
export const CODES = ['member_info', 'coverage', 'systems', 'role', 'education', 'guarantees'] as const

/** Who records a market's checklist (the server answers 403 `market_checkers_only` to others). */
export function mayCheck(role: Role | null): boolean {
  return role === 'aic_recorder' || role === 'association_committee' || role === 'county_admin'
}

/** Who records spot checks (403 `spot_checkers_only` otherwise). */
export function maySpotCheck(role: Role | null): boolean {
  return role === 'association_committee' || role === 'county_admin'
}

/** Who sets the year's targets. */
export function maySetTargets(role: Role | null): boolean {
  return role === 'county_admin'
}

/** An item's state in the dialog: met, not met, or not checked (never sent). */
export type ItemState = 'met' | 'unmet' | ''
export interface ItemLine {
  code: string
  name: string
  state: ItemState
  evidence: string
}

export function stateOf(met: boolean | null | undefined): ItemState {
  if (met === true) return 'met'
  if (met === false) return 'unmet'
  return ''
}

/** The dialog's lines, filled from the checklist as recorded. */
export function linesFrom(items: Item[]): ItemLine[] {
  return items.map((i) => ({ code: i.code, name: i.name, state: stateOf(i.met), evidence: i.evidence ?? '' }))
}

function err(field: string, code: string, message: string, message_en: string): FieldError {
  return { field, code, message: `${field}：${message}`, message_en: `${field}: ${message_en}` }
}

/**
 * The request the dialog makes: the items checked whose state or evidence changed (the others
 * keep theirs on the server), in the lines' order; `sent` says which code went at which index,
 * so the server's `items[k].evidence` finds its line. Nothing changed is an error on `items`.
 */
export function toRequest(lines: ItemLine[], items: Item[]): { body: Schemas['ChecklistRequest']; sent: string[] } | { errors: FieldError[] } {
  const out: Schemas['ChecklistItemInput'][] = []
  for (const l of lines) {
    if (!l.state) continue
    const was = items.find((i) => i.code === l.code)
    const evidence = l.evidence.trim()
    if (was && stateOf(was.met) === l.state && (was.evidence ?? '') === evidence) continue
    const x: Schemas['ChecklistItemInput'] = { code: l.code, met: l.state === 'met' }
    if (evidence) x.evidence = evidence
    out.push(x)
  }
  if (!out.length) return { errors: [err('items', 'no_change', '没有改动：请至少对照检查一项', 'nothing changed: check at least one item')] }
  return { body: { items: out }, sent: out.map((x) => x.code) }
}

/**
 * The server names a checklist's errors by the index sent (`items[2].evidence`); the dialog shows
 * them by the standard (`item.role.evidence`). Errors of other fields stay as they are.
 */
export function byCode(errors: FieldError[], sent: string[]): FieldError[] {
  return errors.map((e) => {
    const m = /^items\[(\d+)\]\.(\w+)$/.exec(e.field)
    const code = m ? sent[Number(m[1])] : undefined
    return code ? { ...e, field: `item.${code}.${m![2]}` } : e
  })
}

/** The spot check's request: the failed items only when it failed, the note when written. */
export function spotCheckRequest(f: { checked_on: string; result: Schemas['SpotCheckResult']; failed_items: string[]; note: string }): Schemas['SpotCheckRequest'] {
  const note = f.note.trim()
  return {
    checked_on: f.checked_on || null,
    result: f.result,
    failed_items: f.result === 'failed' ? CODES.filter((c) => f.failed_items.includes(c)) : [],
    note: note || null,
  }
}

/** A target as typed: 0–100 with at most one decimal ("75", "62.5"); anything else is null. */
export function parsePercent(text: string): number | null {
  const s = text.trim()
  if (!/^(\d{1,3}(\.\d)?|\.\d)$/.test(s)) return null
  const v = Math.round(Number(s) * 10) / 10
  return v <= 100 ? v : null
}

/** The local error for a percent the server could not read, named as the server names it. */
export function percentError(): FieldError {
  return err('percent', 'out_of_range', '目标为0到100之间，最多一位小数', '0 to 100 with at most one decimal')
}

/** The names of failed items' codes, in the seed's order (an unknown code shows as is). */
export function itemNames(codes: string[], items: Item[]): string[] {
  return codes.map((c) => items.find((i) => i.code === c)?.name ?? c)
}

/** The years a target may be set for: this year and next first, back to 2013 (the seed's). */
export function targetYears(thisYear: number): number[] {
  const out: number[] = []
  for (let y = thisYear + 1; y >= 2013; y--) out.push(y)
  return out
}
