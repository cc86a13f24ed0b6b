// Branch standardisation grading (支部（党员服务中心）规范化建设考评定级): the assessment form
// (findings against the rubric's rules, outright conditions, a note) and what it sends, the
// county's grade counts in the order of the grades, and a rubric's new version as a draft.
// The server scores and decides (bounds, counts, unknown rules answer 422 naming the field);
// the form only checks what the server could not read: points that are not a number of at most
// one decimal, a count that is not a whole number, a line without its rule or condition.
import type { Schemas } from '../api/client'

type Rubric = Schemas['RubricView']
type Rule = Schemas['RuleDto']
type FieldError = { field: string; code: string; message: string; message_en: string }

/** A finding as the form holds it (text as typed). */
export interface FindingLine {
  rule: string
  points: string
  count: string
  evidence: string
}
/** An outright condition found to hold. */
export interface HoldingLine {
  code: string
  evidence: string
}
export interface AssessmentForm {
  findings: FindingLine[]
  conditions: HoldingLine[]
  note: string
}

/** The grades of the seeded rubric, best first: the county's counts show in this order. */
export const GRADES = ['好', '较好', '一般', '较差']

/** Points of at most one decimal ("2", "0.5", "1.5"), above 0; anything else is null. */
export function parsePoints(text: string): number | null {
  const s = text.trim()
  if (!/^(\d+(\.\d)?|\.\d)$/.test(s)) return null
  const v = Math.round(Number(s) * 10) / 10
  return v > 0 ? v : null
}

/** Shows points with at most one decimal, as the rubric does ("2", "1.5"). */
export function formatPoints(v: number | null | undefined): string {
  if (v === null || v === undefined) return ''
  return String(Math.round(v * 10) / 10)
}

/** A rule of the rubric by its code, with its category. */
export function findRule(r: Rubric | null, code: string): { rule: Rule; category: Schemas['CategoryDto'] } | null {
  for (const c of r?.categories ?? []) {
    const rule = c.rules.find((x) => x.code === code)
    if (rule) return { rule, category: c }
  }
  return null
}

export function emptyForm(): AssessmentForm {
  return { findings: [], conditions: [], note: '' }
}

export function blankFinding(): FindingLine {
  return { rule: '', points: '', count: '1', evidence: '' }
}

/** A rule chosen on a line: its points start at the rule's least (a fixed deduction at its one value). */
export function chooseRule(line: FindingLine, r: Rubric | null) {
  const found = findRule(r, line.rule)
  if (!found) return
  if (line.points === '' || parsePoints(line.points) === null) line.points = formatPoints(found.rule.min)
  if (!found.rule.per_occurrence) line.count = '1'
}

type Findings = { findings: Schemas['FindingView'][]; conditions: Schemas['HoldingView'][] }

/** The form filled from an assessment recorded (or from the data's proposals). */
export function formFrom(a: (Findings & { note?: string | null }) | null | undefined): AssessmentForm {
  if (!a) return emptyForm()
  return {
    findings: a.findings.map((f) => ({ rule: f.rule, points: formatPoints(f.points), count: String(f.count || 1), evidence: f.evidence ?? '' })),
    conditions: a.conditions.map((c) => ({ code: c.code, evidence: c.evidence ?? '' })),
    note: a.note ?? '',
  }
}

/**
 * 采纳建议: the proposals from the recorded data go into the form. A proposed rule already on
 * the form replaces that line (the data's evidence is the newer); the other lines stay.
 */
export function adopt(form: AssessmentForm, p: Findings): AssessmentForm {
  const proposed = formFrom({ ...p, note: form.note })
  const rules = new Set(proposed.findings.map((f) => f.rule))
  const codes = new Set(proposed.conditions.map((c) => c.code))
  return {
    findings: [...form.findings.filter((f) => !rules.has(f.rule)), ...proposed.findings],
    conditions: [...form.conditions.filter((c) => !codes.has(c.code)), ...proposed.conditions],
    note: form.note,
  }
}

function err(field: string, code: string, message: string, message_en: string): FieldError {
  return { field, code, message: `${field}：${message}`, message_en: `${field}: ${message_en}` }
}

/**
 * The request the form makes, or the errors that keep it from being sent (named by the
 * server's field names, `findings[0].points`, so they show where the server's would).
 */
export function toRequest(form: AssessmentForm, r: Rubric | null): { body: Schemas['AssessmentRequest'] } | { errors: FieldError[] } {
  const errors: FieldError[] = []
  const findings = form.findings.map((f, k) => {
    const at = `findings[${k}]`
    const found = findRule(r, f.rule)
    if (!f.rule) errors.push(err(`${at}.rule`, 'required', '请选择扣（加）分项', 'choose a rule'))
    const points = parsePoints(f.points)
    if (points === null) errors.push(err(`${at}.points`, 'invalid_points', '分值须为大于0的数，最多一位小数', 'points above 0 with at most one decimal'))
    const out: Schemas['FindingInput'] = { rule: f.rule, points: points ?? 0 }
    if (found?.rule.per_occurrence) {
      const n = f.count.trim()
      if (!/^\d+$/.test(n) || Number(n) < 1) errors.push(err(`${at}.count`, 'invalid_count', '次数须为正整数', 'a whole number of occurrences, at least 1'))
      else out.count = Number(n)
    }
    const e = f.evidence.trim()
    if (e) out.evidence = e
    return out
  })
  const conditions = form.conditions.map((c, k) => {
    if (!c.code) errors.push(err(`conditions[${k}].code`, 'required', '请选择直接定级情形', 'choose a condition'))
    const out: Schemas['HoldingInput'] = { code: c.code }
    const e = c.evidence.trim()
    if (e) out.evidence = e
    return out
  })
  if (errors.length) return { errors }
  const note = form.note.trim()
  return { body: { findings, conditions, note: note || null } }
}

/** A problem+json made on this side for errors found before sending, shown as the server's. */
export function localProblem(errors: FieldError[]): Schemas['Problem'] {
  return {
    type: 'urn:shuanglian:problem:validation',
    title: 'validation',
    status: 422,
    code: 'validation',
    detail: '请更正标出的内容。',
    detail_en: 'Correct the fields marked.',
    errors,
  } as Schemas['Problem']
}

/** The county's assessed subjects per grade: the rubric's grades in order (0 when none), then any other. */
export function gradeCounts(grades: Schemas['GradeCount'][]): Schemas['GradeCount'][] {
  const out = GRADES.map((grade) => ({ grade, count: grades.find((g) => g.grade === grade)?.count ?? 0 }))
  for (const g of grades) if (!GRADES.includes(g.grade)) out.push(g)
  return out
}

/** The latest version of each rubric (the list has every version). */
export function latest(items: Rubric[]): Rubric[] {
  const by = new Map<string, Rubric>()
  for (const r of items) {
    const seen = by.get(r.code)
    if (!seen || r.version > seen.version) by.set(r.code, r)
  }
  return [...by.values()]
}

/** A new version's draft: a copy of a version, everything but its code and number. */
export function draftOf(r: Rubric): Schemas['RubricVersionRequest'] {
  return JSON.parse(
    JSON.stringify({
      name: r.name,
      categories: r.categories,
      conditions: r.conditions,
      bands: r.bands,
    }),
  )
}

/** The most points a draft gives (its categories' maxima). */
export function draftMax(d: Schemas['RubricVersionRequest']): number {
  return Math.round(d.categories.reduce((s, c) => s + (Number(c.max) || 0), 0) * 10) / 10
}
