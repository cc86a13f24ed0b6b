// 百日攻坚 (the coverage campaign, seed 004): what the screens decide on this side. The server
// checks every write (who, If-Match, the campaign's dates, each field, 409 before a cycle's last
// day); these keep the buttons to the roles and days where they apply, read the forms' numbers
// and dates, fill a plan from the suggestion, and link a `coverage_report` task to its report.
import type { Schemas } from '../api/client'
import type { Role } from './menu'

type Campaign = Schemas['CoverageCampaign']
type Cycle = Schemas['CoverageCycle']
type Org = Schemas['CoverageOrganisation']
type FieldError = { field: string; code: string; message: string; message_en: string }

/** Who starts a campaign and issues its reports (403 `campaign_organisers_only` otherwise). */
export function mayOrganise(role: Role | null): boolean {
  return role === 'association_committee' || role === 'county_admin'
}

/** Who records a survey (403 `surveyors_only`; the AIC recorder only where it reaches). */
export function maySurvey(role: Role | null): boolean {
  return role === 'aic_recorder' || role === 'association_committee' || role === 'county_admin'
}

/** Who makes plans (403 `planners_only`). */
export function mayPlan(role: Role | null): boolean {
  return role === 'association_committee' || role === 'county_admin'
}

/** A cycle's report may be issued from its last day on, once. */
export function issuable(c: Cycle, today: string): boolean {
  return (c.state === 'current' || c.state === 'overdue') && c.ends_on <= today
}

/** The cycle a campaign's report opens on: the one asked for if it exists, else the current one. */
export function cycleOf(c: Campaign | null, asked: string | undefined): number | null {
  if (!c || !c.cycles.length) return null
  const n = Number(asked)
  if (asked && Number.isInteger(n) && c.cycles.some((x) => x.cycle === n)) return n
  return c.current_cycle ?? c.cycles[0].cycle
}

/** Where the campaign stands today: not started, day N, or over. */
export function dayState(c: Pick<Campaign, 'day' | 'days'>): 'before' | 'running' | 'over' {
  if (c.day < 1) return 'before'
  if (c.day > c.days) return 'over'
  return 'running'
}

/** Days gone as a whole percent of the campaign (for the bar beside "day N / 100"). */
export function daysPercent(c: Pick<Campaign, 'day' | 'days'>): number {
  if (!c.days) return 0
  return Math.min(100, Math.max(0, Math.round((c.day / c.days) * 100)))
}

/** A `coverage_report` task's subject (`{campaign_id}:{cycle}`) as the report's link. */
export function reportLink(subjectId: string | null | undefined): string {
  const m = /^(.+):(\d+)$/.exec(subjectId ?? '')
  return m ? `/coverage/${m[1]}?cycle=${m[2]}` : '/coverage'
}

/** The organisations list's `state` filter from the URL (anything else: all). */
export const ORG_STATES: Schemas['CoverageOrgState'][] = ['unsurveyed', 'unorganised', 'organised']
export function orgStateOf(v: string | undefined): Schemas['CoverageOrgState'] | undefined {
  return ORG_STATES.includes(v as Schemas['CoverageOrgState']) ? (v as Schemas['CoverageOrgState']) : undefined
}

function err(field: string, code: string, message: string, message_en: string): FieldError {
  return { field, code, message: `${field}：${message}`, message_en: `${field}: ${message_en}` }
}

/** The survey form as typed (numbers as text, so a half-typed number is the user's to fix). */
export interface SurveyForm {
  employees: string
  party_full: string
  party_probationary: string
  league_members: string
  party_org: Schemas['OrgSetup']
  league_org: Schemas['OrgSetup']
  instructor: boolean
  owner_identity: Schemas['OwnerIdentity']
  management: string
  activities: boolean
  venue: boolean
  surveyed_on: string
}

export const COUNT_FIELDS = ['employees', 'party_full', 'party_probationary', 'league_members'] as const

export function surveyForm(s: Schemas['CoverageSurvey'] | null | undefined, today: string): SurveyForm {
  if (!s) {
    return {
      employees: '', party_full: '0', party_probationary: '0', league_members: '0', party_org: 'none', league_org: 'none',
      instructor: false, owner_identity: 'masses', management: '', activities: false, venue: false, surveyed_on: today,
    }
  }
  return {
    employees: String(s.employees), party_full: String(s.party_full), party_probationary: String(s.party_probationary), league_members: String(s.league_members),
    party_org: s.party_org, league_org: s.league_org, instructor: s.instructor, owner_identity: s.owner_identity, management: s.management ?? '',
    activities: s.activities, venue: s.venue, surveyed_on: s.surveyed_on,
  }
}

/**
 * The survey's request, or the errors of what the server could not read (a count that is not a
 * whole number). A whole number out of range (-1) goes to the server, which says why.
 */
export function surveyRequest(f: SurveyForm): { body: Schemas['CoverageSurveyRequest'] } | { errors: FieldError[] } {
  const errors: FieldError[] = []
  const n: Record<string, number> = {}
  for (const k of COUNT_FIELDS) {
    const s = f[k].trim()
    if (!/^-?\d{1,9}$/.test(s)) errors.push(err(k, 'not_a_number', '请填写整数人数', 'a whole number'))
    else n[k] = Number(s)
  }
  if (errors.length) return { errors }
  const management = f.management.trim()
  return {
    body: {
      employees: n.employees, party_full: n.party_full, party_probationary: n.party_probationary, league_members: n.league_members,
      party_org: f.party_org, league_org: f.league_org, instructor: f.instructor, owner_identity: f.owner_identity,
      management: management || null, activities: f.activities, venue: f.venue, surveyed_on: f.surveyed_on || null,
    },
  }
}

export interface PlanForm {
  form: Schemas['CoverageForm'] | ''
  owner_unit_id: string
  owner_name: string
  status: Schemas['CoveragePlanStatus']
  target_on: string
  done_on: string
  note: string
}

/**
 * A body's plan form: the plan as recorded; else the suggestion's form, the organisation's
 * township as the unit responsible (when known), planned, due on the campaign's last day.
 */
export function planForm(org: Org, body: Schemas['CoverageBody'], units: { id: string; name: string; kind: string }[], endsOn: string): PlanForm {
  const side = org[body]
  const p = side.plan
  if (p) {
    return { form: p.form, owner_unit_id: p.owner_unit_id, owner_name: p.owner_name, status: p.status, target_on: p.target_on ?? '', done_on: p.done_on ?? '', note: p.note ?? '' }
  }
  const town = org.township_name ? units.find((u) => u.kind === 'township' && u.name === org.township_name) : undefined
  return { form: side.suggestion?.form ?? '', owner_unit_id: town?.id ?? '', owner_name: '', status: 'planned', target_on: endsOn, done_on: '', note: '' }
}

/** The plan's request, or the errors of what was not chosen (the server checks the rest). */
export function planRequest(f: PlanForm): { body: Schemas['CoveragePlanRequest'] } | { errors: FieldError[] } {
  const errors: FieldError[] = []
  if (!f.form) errors.push(err('form', 'required', '请选择组建形式', 'choose a form'))
  if (!f.owner_unit_id) errors.push(err('owner_unit_id', 'required', '请选择责任单位', 'choose the unit responsible'))
  if (errors.length || !f.form) return { errors }
  const note = f.note.trim()
  return {
    body: {
      form: f.form, owner_unit_id: f.owner_unit_id, owner_name: f.owner_name.trim(), status: f.status,
      target_on: f.target_on || null, done_on: f.done_on || null, note: note || null,
    },
  }
}

/** A rate as shown: one decimal and a percent sign; a dash with nothing to count. */
export function rate(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—'
  return `${Math.round(v * 10) / 10}%`
}
