// Enum words shown to users. The API's enums are the keys (typed from the OpenAPI document).
import type { components } from '../api/schema'
import { lang } from '../i18n'

type S = components['schemas']
type Labels<K extends string> = Record<K, [string, string]>

const category: Labels<S['Category']> = { affiliated: ['隶属', 'Affiliated'], local: ['属地', 'Local'], floating: ['流动', 'Floating'] }
const membership: Labels<S['MembershipStatus']> = { full: ['正式党员', 'Full'], probationary: ['预备党员', 'Probationary'] }
const business: Labels<S['BusinessStatus']> = { operating: ['正常经营', 'Operating'], suspended: ['歇业', 'Suspended'], closed: ['注销', 'Closed'] }
const gender: Labels<S['Gender']> = { male: ['男', 'Male'], female: ['女', 'Female'] }
const exportStatus: Labels<S['ExportStatus']> = {
  pending: ['待审批', 'Pending'], approved: ['已批准', 'Approved'], denied: ['已驳回', 'Denied'], downloaded: ['已下载', 'Downloaded'],
}
const handbook: Labels<S['HandbookState']> = {
  issued: ['已发放', 'Issued'], reported_to_village: ['已向村（社区）报到', 'Reported to village'], reported_to_branch: ['已完成双向报到', 'Reported to branch'],
  reissued: ['已补发', 'Reissued'], cancelled: ['已作废', 'Cancelled'],
}
const filing: Labels<S['FilingState']> = { draft: ['草稿', 'Draft'], submitted: ['已报送，待审核', 'Submitted'], accepted: ['已备案', 'Accepted'], returned: ['已退回', 'Returned'] }
const state: Labels<S['State']> = { due: ['待完成', 'Due'], overdue: ['已逾期', 'Overdue'], done: ['已完成', 'Done'] }

function pick<K extends string>(table: Labels<K>, k: K | null | undefined): string {
  if (!k) return ''
  const v = table[k]
  return v ? v[lang() === 'en' ? 1 : 0] : k
}

export const label = {
  category: (k?: S['Category'] | null) => pick(category, k),
  membership: (k?: S['MembershipStatus'] | null) => pick(membership, k),
  business: (k?: S['BusinessStatus'] | null) => pick(business, k),
  gender: (k?: S['Gender'] | null) => pick(gender, k),
  exportStatus: (k?: S['ExportStatus'] | null) => pick(exportStatus, k),
  state: (k?: S['State'] | null) => pick(state, k),
  handbook: (k?: S['HandbookState'] | null) => pick(handbook, k),
  filing: (k?: S['FilingState'] | null) => pick(filing, k),
}
export const options = {
  category: Object.keys(category) as S['Category'][],
  membership: Object.keys(membership) as S['MembershipStatus'][],
  business: Object.keys(business) as S['BusinessStatus'][],
  handbook: Object.keys(handbook) as S['HandbookState'][],
  filing: Object.keys(filing) as S['FilingState'][],
  state: ['overdue', 'due', 'done'] as S['State'][],
}
