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
const caseState: Labels<S['CaseState']> = {
  registered: ['已登记', 'Registered'], confirmed: ['身份已确认', 'Confirmed'], evaluated: ['已写评语', 'Evaluated'],
  sent: ['已寄发，待回执', 'Sent'], receipt_returned: ['回执已收回', 'Receipt back'], archived: ['已归档', 'Archived'],
}
const activityKind: Labels<S['ActivityKind']> = { org_life: ['组织生活', 'Organisational life'], training: ['培训', 'Training'], education: ['教育', 'Education'], activity: ['活动', 'Activity'] }
const sendMethod: Labels<S['SendMethod']> = { post: ['邮寄', 'Post'], hand: ['专人送达', 'By hand'], online: ['网上', 'Online'] }
const chaseMethod: Labels<S['ChaseMethod']> = { phone: ['电话', 'Phone'], letter: ['函件', 'Letter'], online: ['网上', 'Online'] }
const obligation: Labels<S['ObligationKind']> = {
  two_way_reporting: ['双向报到', 'Two-way reporting'], quarterly_filing: ['季度报送', 'Quarterly filing'], semiannual_feedback: ['半年反馈', 'Semi-annual feedback'],
  qq_join: ['加入QQ群', 'Join the QQ group'], floating_feedback: ['流动党员反馈', 'Floating-member feedback'], data_verification: ['数据核查', 'Data verification'],
  vanguard_evaluation: ['先锋指数评定', 'Vanguard evaluation'], vanguard_county_report: ['先锋指数县级报告', 'Vanguard county report'],
  participation_letters: ['参加活动情况函', 'Participation letters'], statistics_cutoff: ['统计截止', 'Statistics cut-off'], service_request: ['诉求办理', 'Service request'],
  coverage_report: ['百日攻坚进展通报', 'Coverage campaign report'],
}
// Service requests (党员诉求): their enums are named through the request's view, so the labels
// follow the view whatever the schemas are called.
type RV = S['ServiceRequestView']
const requestState: Labels<RV['state']> = { taken: ['已受理', 'Taken'], escalated: ['已转办（限时办结）', 'Escalated (on the clock)'], answered: ['已答复', 'Answered'], archived: ['已归档', 'Archived'] }
const requestChannel: Labels<RV['channel']> = { on_site: ['现场', 'On site'], phone: ['电话', 'Phone'] }
const requestCategory: Labels<RV['category']> = {
  consultation: ['咨询', 'Consultation'], rights: ['维权', 'Rights'], legal_aid: ['法律援助', 'Legal aid'], hardship: ['困难帮扶', 'Hardship'], other: ['其他', 'Other'],
}
const answerMethod: Labels<NonNullable<RV['answer_method']>> = {
  in_person: ['当面答复', 'In person'], phone: ['电话答复', 'By phone'], letter: ['书面答复', 'In writing'], sms: ['短信答复', 'By SMS'], online: ['网上答复', 'Online'],
}
const followUpMethod: Labels<NonNullable<RV['follow_up_method']>> = { phone: ['电话回访', 'By phone'], letter: ['信函回访', 'By letter'], visit: ['走访', 'Visit'] }
const satisfaction: Labels<NonNullable<RV['satisfaction']>> = { satisfied: ['满意', 'Satisfied'], basically_satisfied: ['基本满意', 'Basically satisfied'], dissatisfied: ['不满意', 'Dissatisfied'] }
type StepKind = 'taken' | 'escalated' | 'extended' | 'handed_over' | 'answered' | 'followed_up' | 'archived'
const requestStep: Labels<StepKind> = {
  taken: ['受理', 'Taken'], escalated: ['转办中心主任', 'Escalated to the centre director'], extended: ['延长办理期限', 'Due day extended'],
  handed_over: ['移交办理', 'Handed over'], answered: ['答复', 'Answered'], followed_up: ['回访', 'Followed up'], archived: ['归档', 'Archived'],
}
// Notifications (crates/notify): a notice's topic, a delivery's channel and status.
const topic: Labels<S['Topic']> = {
  overdue: ['逾期', 'Overdue'], due_soon: ['即将到期', 'Due soon'], escalated: ['诉求转办', 'Request escalated'],
  activity: ['活动通知', 'Activity notice'], activity_cancelled: ['活动取消', 'Activity called off'],
}
const channel: Labels<S['Channel']> = { inbox: ['站内消息', 'Inbox'], sms: ['短信', 'SMS'], webhook: ['Webhook 回调', 'Webhook'] }
const deliveryStatus: Labels<S['DeliveryStatus']> = { pending: ['待发送', 'Pending'], sent: ['已送达', 'Sent'], dead: ['死信', 'Dead'] }
// Service-centre activities (党员活动): the plan's kind and state, a member's attendance, the
// steps of its history, and the SMS notice to a member on the roster.
const centreActivityKind: Labels<S['CentreActivityKind']> = {
  theme_day: ['主题党日', 'Theme day'], training: ['培训', 'Training'], volunteer: ['志愿服务', 'Volunteering'], study: ['学习交流', 'Study'], other: ['其他', 'Other'],
}
const activityState: Labels<S['ActivityState']> = {
  draft: ['草拟', 'Draft'], submitted: ['待审批', 'With the committee'], returned: ['已退回', 'Returned'], approved: ['已批准', 'Approved'],
  notified: ['已通知', 'Notified'], held: ['已举行', 'Held'], cancelled: ['已取消', 'Cancelled'],
}
const attendance: Labels<S['AttendanceStatus']> = { invited: ['未记录', 'Not recorded'], present: ['出席', 'Present'], absent: ['缺席', 'Absent'], excused: ['请假', 'Excused'] }
type ActivityStepKind = 'planned' | 'revised' | 'submitted' | 'approved' | 'returned' | 'notified' | 'attendance' | 'cancelled'
const activityStep: Labels<ActivityStepKind> = {
  planned: ['拟定活动方案', 'Plan drafted'], revised: ['修改活动方案', 'Plan revised'], submitted: ['报协会党委审批', 'Submitted to the association committee'],
  approved: ['批准', 'Approved'], returned: ['退回', 'Returned'], notified: ['通知参加人员', 'Audience notified'], attendance: ['记录出勤', 'Attendance recorded'], cancelled: ['取消', 'Called off'],
}
type SmsStatus = 'pending' | 'sent' | 'dead'
const sms: Labels<SmsStatus> = { pending: ['待发送', 'Waiting'], sent: ['已发送', 'Sent'], dead: ['发送失败', 'Failed'] }
// Registration at the window (党员登记报到) and the December letters (年度函告).
const registrationState: Labels<S['RegistrationState']> = {
  surveyed: ['已填写调查表', 'Surveyed'], confirmed: ['已确认身份', 'Confirmed'], pledged: ['已签订承诺书', 'Pledged'], equipped: ['已发放牌匾和手册', 'Plaque and handbook issued'],
  entered: ['已录入名册', 'Entered'], closed: ['已终止', 'Closed'],
}
const callOutcome: Labels<S['CallOutcome']> = { confirmed: ['确认党员身份', 'Confirmed'], not_confirmed: ['未能确认', 'Not confirmed'], no_answer: ['无人接听', 'No answer'] }
const distribution: Labels<S['Distribution']> = { individual_business: ['个体工商户', 'Individual business'], market_business: ['市场内个体工商户', 'Business in a market'] }
const letterBatchState: Labels<S['LetterBatchState']> = { draft: ['待寄发', 'Draft (not sent)'], sent: ['已寄发', 'Sent'] }
const consentPurpose: Labels<S['ConsentPurpose']> = { processing: ['处理党员信息', 'Processing member data'], sms_notices: ['接收短信通知', 'SMS notices'] }
const consentForm: Labels<S['ConsentForm']> = { written: ['书面', 'Written'], electronic: ['电子', 'Electronic'] }
// Branch standardisation grading (考评定级): the subject's kind, where its evaluation stands, a rule's direction.
const orgKind: Labels<S['OrgKind']> = {
  association_committee: ['协会党委', 'Association committee'], branch: ['分会', 'Branch'], party_branch: ['支部', 'Party branch'],
  service_centre: ['区域性党员服务中心', 'Service centre'], township: ['乡镇/街道', 'Township'], village: ['村/社区', 'Village'],
  aic_office: ['工商所/分局', 'AIC office'], market: ['商品交易市场', 'Market'], market_party_org: ['市场党组织', 'Market party organisation'],
}
const evaluationState: Labels<S['EvaluationState']> = { self_assessed: ['已自评', 'Self-assessed'], assessed: ['已考评定级', 'Graded'] }
const ruleDirection: Labels<S['RuleDirection']> = { deduct: ['扣分', 'Deduct'], add: ['加分', 'Add'] }
// 百日攻坚 (the coverage campaign): a cycle's state, how an organisation is organised, the form
// and state of a plan, the owner's identity, the list's filter and a laggard's level and reason.
const cycleState: Labels<S['CoverageCycleState']> = { upcoming: ['未到', 'Upcoming'], current: ['本轮', 'Current'], overdue: ['逾期未通报', 'Overdue'], issued: ['已通报', 'Issued'] }
const orgSetup: Labels<S['OrgSetup']> = { none: ['未建立', 'None'], standalone: ['单独组建', 'Standalone'], joint: ['联合组建', 'Joint'], affiliated: ['挂靠组建', 'Affiliated'], industry: ['行业组建', 'By industry'] }
const coverageForm: Labels<S['CoverageForm']> = {
  standalone: ['单独组建', 'Standalone'], joint: ['联合组建', 'Joint'], affiliated: ['挂靠组建', 'Affiliated'], industry: ['行业组建', 'By industry'], instructor: ['选派指导员', 'An instructor'],
}
const planStatus: Labels<S['CoveragePlanStatus']> = { planned: ['计划中', 'Planned'], in_progress: ['推进中', 'In progress'], established: ['已组建', 'Established'], deferred: ['暂缓', 'Deferred'] }
const ownerIdentity: Labels<S['OwnerIdentity']> = { party_member: ['党员', 'Party member'], league_member: ['团员', 'League member'], masses: ['群众', 'Not a member'] }
const coverageOrgState: Labels<S['CoverageOrgState']> = { unsurveyed: ['未摸底', 'Not surveyed'], unorganised: ['已摸底、未建党组织', 'Surveyed, no party organisation'], organised: ['已建党组织', 'Party organisation'] }
const businessKind: Labels<S['BusinessKind']> = { individual_business: ['个体工商户', 'Sole trader'], small_micro_enterprise: ['小微企业', 'Small business'], market_stall: ['市场摊位', 'Market stall'] }
const coverageLevel: Labels<S['CoverageLevel']> = { township: ['乡镇（街道）', 'Township'], branch: ['分会', 'Branch'] }
const lagReason: Labels<S['LagReason']> = {
  last_place: ['排在末位', 'Last place'], no_progress: ['本轮无新建组织，进展缓慢', 'No organisation established this cycle'],
  survey_stalled: ['调查摸底未完成且本轮无新摸底，行动迟缓', 'Survey incomplete and none surveyed this cycle'],
}
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
  caseState: (k?: S['CaseState'] | null) => pick(caseState, k),
  activityKind: (k?: S['ActivityKind'] | null) => pick(activityKind, k),
  sendMethod: (k?: S['SendMethod'] | null) => pick(sendMethod, k),
  chaseMethod: (k?: S['ChaseMethod'] | null) => pick(chaseMethod, k),
  obligation: (k?: S['ObligationKind'] | null) => pick(obligation, k),
  requestState: (k?: RV['state'] | null) => pick(requestState, k),
  requestChannel: (k?: RV['channel'] | null) => pick(requestChannel, k),
  requestCategory: (k?: RV['category'] | null) => pick(requestCategory, k),
  answerMethod: (k?: RV['answer_method'] | null) => pick(answerMethod, k),
  followUpMethod: (k?: RV['follow_up_method'] | null) => pick(followUpMethod, k),
  satisfaction: (k?: RV['satisfaction'] | null) => pick(satisfaction, k),
  topic: (k?: S['Topic'] | null) => pick(topic, k),
  channel: (k?: S['Channel'] | null) => pick(channel, k),
  deliveryStatus: (k?: S['DeliveryStatus'] | null) => pick(deliveryStatus, k),
  centreActivityKind: (k?: S['CentreActivityKind'] | null) => pick(centreActivityKind, k),
  activityState: (k?: S['ActivityState'] | null) => pick(activityState, k),
  attendance: (k?: S['AttendanceStatus'] | null) => pick(attendance, k),
  /** A step of an activity's history; a kind the screen does not know shows as sent. */
  activityStep: (k?: string | null) => pick(activityStep, k as ActivityStepKind | null | undefined),
  /** The activity notice's SMS to a member (`pending`, `sent`, `dead`). */
  sms: (k?: string | null) => pick(sms, k as SmsStatus | null | undefined),
  registrationState: (k?: S['RegistrationState'] | null) => pick(registrationState, k),
  callOutcome: (k?: S['CallOutcome'] | null) => pick(callOutcome, k),
  distribution: (k?: S['Distribution'] | null) => pick(distribution, k),
  letterBatchState: (k?: S['LetterBatchState'] | null) => pick(letterBatchState, k),
  consentPurpose: (k?: S['ConsentPurpose'] | null) => pick(consentPurpose, k),
  consentForm: (k?: S['ConsentForm'] | null) => pick(consentForm, k),
  orgKind: (k?: S['OrgKind'] | null) => pick(orgKind, k),
  /** Where a subject's evaluation stands; none yet is 未评. */
  evaluationState: (k?: S['EvaluationState'] | null) => (k ? pick(evaluationState, k) : lang() === 'en' ? 'Not yet' : '未评'),
  ruleDirection: (k?: S['RuleDirection'] | null) => pick(ruleDirection, k),
  /** A business's kind (the campaign's organisations name it as a plain string). */
  businessKind: (k?: string | null) => pick(businessKind, k as S['BusinessKind'] | null | undefined),
  cycleState: (k?: S['CoverageCycleState'] | null) => pick(cycleState, k),
  orgSetup: (k?: S['OrgSetup'] | null) => pick(orgSetup, k),
  coverageForm: (k?: S['CoverageForm'] | null) => pick(coverageForm, k),
  planStatus: (k?: S['CoveragePlanStatus'] | null) => pick(planStatus, k),
  ownerIdentity: (k?: S['OwnerIdentity'] | null) => pick(ownerIdentity, k),
  coverageOrgState: (k?: S['CoverageOrgState'] | null) => pick(coverageOrgState, k),
  coverageLevel: (k?: S['CoverageLevel'] | null) => pick(coverageLevel, k),
  lagReason: (k?: S['LagReason'] | null) => pick(lagReason, k),
  /** A step of a request's history; a kind the screen does not know shows as sent. */
  requestStep: (k?: string | null) => pick(requestStep, k as StepKind | null | undefined),
}
export const options = {
  category: Object.keys(category) as S['Category'][],
  membership: Object.keys(membership) as S['MembershipStatus'][],
  business: Object.keys(business) as S['BusinessStatus'][],
  handbook: Object.keys(handbook) as S['HandbookState'][],
  filing: Object.keys(filing) as S['FilingState'][],
  state: ['overdue', 'due', 'done'] as S['State'][],
  caseState: Object.keys(caseState) as S['CaseState'][],
  activityKind: Object.keys(activityKind) as S['ActivityKind'][],
  sendMethod: Object.keys(sendMethod) as S['SendMethod'][],
  chaseMethod: Object.keys(chaseMethod) as S['ChaseMethod'][],
  obligation: Object.keys(obligation) as S['ObligationKind'][],
  requestState: Object.keys(requestState) as RV['state'][],
  requestChannel: Object.keys(requestChannel) as RV['channel'][],
  requestCategory: Object.keys(requestCategory) as RV['category'][],
  answerMethod: Object.keys(answerMethod) as NonNullable<RV['answer_method']>[],
  followUpMethod: Object.keys(followUpMethod) as NonNullable<RV['follow_up_method']>[],
  satisfaction: Object.keys(satisfaction) as NonNullable<RV['satisfaction']>[],
  channel: Object.keys(channel) as S['Channel'][],
  deliveryStatus: Object.keys(deliveryStatus) as S['DeliveryStatus'][],
  centreActivityKind: Object.keys(centreActivityKind) as S['CentreActivityKind'][],
  activityState: Object.keys(activityState) as S['ActivityState'][],
  /** What attendance can be recorded as (not `invited`). */
  attendance: ['present', 'absent', 'excused'] as S['AttendanceStatus'][],
  registrationState: Object.keys(registrationState) as S['RegistrationState'][],
  callOutcome: Object.keys(callOutcome) as S['CallOutcome'][],
  distribution: Object.keys(distribution) as S['Distribution'][],
  gender: Object.keys(gender) as S['Gender'][],
  consentPurpose: Object.keys(consentPurpose) as S['ConsentPurpose'][],
  consentForm: Object.keys(consentForm) as S['ConsentForm'][],
  orgSetup: Object.keys(orgSetup) as S['OrgSetup'][],
  coverageForm: Object.keys(coverageForm) as S['CoverageForm'][],
  planStatus: Object.keys(planStatus) as S['CoveragePlanStatus'][],
  ownerIdentity: Object.keys(ownerIdentity) as S['OwnerIdentity'][],
  coverageOrgState: Object.keys(coverageOrgState) as S['CoverageOrgState'][],
}
