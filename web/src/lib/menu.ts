// Which screens each role has. The server decides every request; this only keeps the menu to
// what the role can do (docs/api.md lists who may call what).
import type { components } from '../api/schema'

export type Role = components['schemas']['Role']

export type Screen = 'work' | 'members' | 'handbooks' | 'ledgers' | 'floating' | 'service-requests' | 'activities' | 'registrations' | 'letters' | 'evaluations' | 'vanguard' | 'training' | 'market-standards' | 'coverage' | 'records' | 'filings' | 'feedback' | 'exports' | 'qq' | 'import' | 'privacy' | 'deadlines' | 'inbox' | 'notifications' | 'statistics' | 'province' | 'province-statistics'

const county: Role[] = [
  'county_admin',
  'association_committee',
  'branch_staff',
  'aic_recorder',
  'township_committee',
  'village_recorder',
]

export const SCREENS: Record<Screen, Role[]> = {
  work: county,
  members: county,
  handbooks: ['county_admin', 'association_committee', 'branch_staff', 'township_committee', 'village_recorder'],
  ledgers: ['county_admin', 'association_committee', 'branch_staff', 'township_committee', 'village_recorder'],
  // Cases belong to branches (the association's side), so the township and village roles see none.
  floating: ['county_admin', 'association_committee', 'branch_staff'],
  // Service centres are the association's (under its branches): their staff take and handle the
  // requests, the county and the association committee follow them.
  'service-requests': ['county_admin', 'association_committee', 'branch_staff'],
  // The centres' activities (党员活动): the director plans them and the staff carry them out
  // (branch staff), the association committee approves them, the county follows them.
  activities: ['county_admin', 'association_committee', 'branch_staff'],
  // Registration at the window (党员登记报到) and the 30 December letters (年度函告): the centres'
  // staff do them (branch staff), the association committee and the county follow them.
  registrations: ['county_admin', 'association_committee', 'branch_staff'],
  letters: ['county_admin', 'association_committee', 'branch_staff'],
  // 支部（党员服务中心）规范化建设考评定级: the subjects are the association's party branches and
  // centres; their staff assess themselves, the association committee grades them, the county
  // follows and keeps the rubric (评分标准).
  evaluations: ['county_admin', 'association_committee', 'branch_staff'],
  // 党员先锋指数: the association committee runs the year's campaign, branch staff record their
  // members' steps, the county follows (as the grading above).
  vanguard: ['county_admin', 'association_committee', 'branch_staff'],
  // 教育培训率: counted over the members the caller sees, so every county role that reads the
  // member register has it.
  training: county,
  // 市场党建“六化”标准: every county role reads the markets it reaches (as the market register
  // decides: its subtree or a linked grid); the AIC recorder, the association committee and the
  // county admin check them, the committee and the county spot-check, the county sets targets.
  'market-standards': county,
  // 百日攻坚 (the coverage campaign): every county role reads the campaign and its reports (the
  // 通报 every unit receives) and the organisations it reaches; the AIC recorder surveys, the
  // association committee and the county admin start it, plan and issue the reports.
  coverage: county,
  records: ['county_admin', 'association_committee', 'branch_staff', 'aic_recorder', 'township_committee', 'village_recorder'],
  feedback: ['county_admin', 'association_committee', 'branch_staff', 'township_committee', 'village_recorder'],
  filings: ['county_admin', 'association_committee', 'branch_staff', 'aic_recorder', 'township_committee', 'village_recorder'],
  exports: county,
  qq: ['county_admin', 'association_committee', 'branch_staff', 'township_committee', 'village_recorder'],
  import: ['county_admin'],
  privacy: ['county_admin'],
  deadlines: county,
  // Each staff member's own notices (crates/notify); the county's channels and delivery status
  // are the county admin's.
  inbox: county,
  notifications: ['county_admin'],
  // 半年统计 (issue 17): the county admin computes, reviews and freezes the half-year snapshots,
  // the association committee reads them (403 `statistics_readers_only` for the others).
  statistics: ['county_admin', 'association_committee'],
  province: ['provincial_office'],
  // The province's cross-county tables, rankings and trends, from the frozen snapshots.
  'province-statistics': ['provincial_office'],
}

export const ORDER: Screen[] = ['work', 'members', 'handbooks', 'ledgers', 'records', 'filings', 'feedback', 'floating', 'service-requests', 'activities', 'registrations', 'letters', 'evaluations', 'vanguard', 'training', 'market-standards', 'coverage', 'exports', 'qq', 'import', 'privacy', 'deadlines', 'statistics', 'inbox', 'notifications', 'province', 'province-statistics']

export function screensFor(role: Role | null): Screen[] {
  if (!role) return []
  return ORDER.filter((s) => SCREENS[s].includes(role))
}

export function allowed(role: Role | null, screen: Screen): boolean {
  return role !== null && SCREENS[screen].includes(role)
}

/** The first screen after sign-in. */
export function home(role: Role | null): string {
  const s = screensFor(role)
  return s.length ? `/${s[0]}` : '/signin'
}
