// zh-CN first; en.ts has the same keys (tests/i18n.test.ts checks).
export default {
  app: { name: '双联', full: '双联 · 个体工商户党建工作平台', skip: '跳到主要内容', lang: 'English', signOut: '退出登录', loading: '加载中…', menu: '主菜单' },
  nav: { work: '我的待办', members: '党员名册', handbooks: '双向报到', records: '记实', filings: '季度报送', feedback: '双向反馈', exports: '名册导出', import: '导入名册', deadlines: '期限看板', province: '省局：期限执行', privacy: '隐私与审计' },
  signIn: {
    title: '登录', county: '县（区）代码', countyHint: '如 330523；平台、省局账户留空', username: '用户名', password: '密码',
    submit: '登录', totp: '动态验证码', totpHint: '请输入身份验证器中的 6 位数字', verify: '验证',
    changeTitle: '首次登录，请修改密码', newPassword: '新密码', confirmPassword: '再次输入新密码', change: '修改密码',
    mismatch: '两次输入的密码不一致', expired: '登录已过期，请重新登录。',
    enrolTitle: '请先启用二次验证', enrolHint: '将以下密钥添加到身份验证器，然后输入其生成的验证码。', secret: '密钥', confirm: '确认启用',
  },
  common: {
    search: '查询', reset: '重置', next: '下一页', prev: '上一页', first: '第一页', actions: '操作', open: '打开', save: '保存', cancel: '取消',
    confirm: '确认', reason: '理由', note: '备注', date: '日期', all: '全部', none: '无', yes: '是', no: '否', refresh: '刷新',
    print: '打印', xlsx: '下载 Excel', details: '详情', back: '返回', empty: '暂无数据', updated: '列表已由他人更新，已刷新。', requestId: '请求编号',
    forbidden: '无权访问此页面。', notFound: '没有找到该记录（可能不在您的管辖范围内）。', state: '状态',
  },
  work: { title: '我的待办', overdue: '已逾期', due: '待完成', daysOverdue: '逾期 {n} 天', dueOn: '截止 {d}', go: '去办理', owner: '责任单位', kind: '事项', nothing: '没有待办事项。' },
  members: {
    noConsent: '尚无告知同意记录', notice: '告知书版本', consentForm: '形式', inForce: '有效', withdrawn: '已于 {d} 撤回', title: '党员名册', name: '姓名/拼音首字母', phone: '手机号码', idNumber: '身份证号', category: '党员类别', status: '党员状态', unit: '组织', grid: '网格', market: '市场',
    gender: '性别', business: '经营主体', distribution: '分布情况', joined: '入党时间', membershipOrg: '组织关系所在党组织', idMasked: '身份证号（脱敏）', phoneMasked: '手机（脱敏）',
    unmask: '查看完整信息', unmaskReason: '查看理由（将记入审计日志）', timeline: '时间线', businesses: '经营主体', consents: '告知同意', statusHistory: '状态变更',
    birth: '出生日期', household: '户籍所在地', created: '登记时间',
  },
  handbooks: {
    title: '双向报到', issue: '发放手册', member: '党员', memberId: '党员编号', handbookNo: '手册编号', village: '村（社区）', branch: '分会支部',
    issued: '发放日期', due: '报到期限', villageReported: '村报到日期', branchReported: '支部报到日期', confirmVillage: '确认村报到', confirmBranch: '确认支部报到',
    reportedOn: '报到日期', overdue: '逾期', ledger: '活动台账', done: '已确认报到。',
  },
  filings: {
    title: '季度报送', inbox: '待我审核', mine: '本单位报送', create: '新建季报', period: '季度', unit: '报送单位', submit: '提交', accept: '接收', return: '退回',
    summary: '情况说明', lines: '明细', records: '记实数', members: '涉及党员', submittedOn: '提交日期', reviewedOn: '审核日期', refresh: '按记实重新生成',
    returnReason: '退回理由', upper: '审核单位', late: '逾期提交', history: '经过', recordsChanged: '记实已变更，请重新生成后再提交。', item: '项目', count: '次数', contents: '内容',
  },
  records: { title: '记实', add: '新增记实', delete: '删除', unit: '记录单位' },
  feedback: { title: '双向反馈', create: '新建反馈', period: '半年度', sender: '反馈单位', receiver: '接收单位', conduct: '反馈内容', reviewer: '审核单位', sentOn: '送达日期', items: '党员表现', submit: '提交审核', send: '送出', approve: '审核通过', acknowledge: '确认收到' },
  privacy: {
    title: '隐私与审计', policy: '脱敏策略', unmaskLog: '解除脱敏记录', audit: '审计日志', role: '角色', action: '操作', entity: '对象',
    policyHint: '按角色设置各项个人信息：脱敏（不可查看）、申请查看（需说明理由并记入审计）、直接可见。', saved: '已保存。',
    verify: '校验审计链', intact: '审计链完整，共 {n} 条。', broken: '审计链在第 {seq} 条处断开！',
    field: { id_number: '身份证号', phone: '手机号码', home_address: '家庭住址', qq_number: 'QQ号' },
    exposure: { masked: '脱敏', on_request: '申请查看', visible: '直接可见' },
    roleName: { county_admin: '县级管理员', association_committee: '协会党委', branch_staff: '分会支部/服务中心', aic_recorder: '工商所记录员', township_committee: '乡镇/街道党委', village_recorder: '村/社区记录员' },
  },
  import: {
    kind: '名册类型', members: '党员名册', businesses: '经营主体名录', defaultBusinessMapping: '网页导入对应（经营主体）', owners: '关联业主 {n} 人。', title: '导入名册', hint: '上传本县自己的党员名册或经营主体名录（xlsx 或 CSV），先试导入：系统找出表头、跳过标题和落款、说明改写了什么、列出未知的组织名称，再正式导入。',
    file: '名册文件', mapping: '对应方案', dryRun: '试导入', layout: '识别结果', found: '工作表 {sheet}，表头在第 {row} 行，共 {rows} 行数据。', unmapped: '未对应的列',
    normalised: '已自动改写', unknown: '未知的组织名称（每个名称只需对应一次）', orgName: '名称', rows: '所在行', mapTo: '对应到', suggested: '最接近的组织',
    newVillage: '新建村（社区）', newUnder: '在{t}下新建', map: '对应', errors: '有问题的行（{n}）', noErrors: '没有问题行。', row: '行', column: '列',
    skipInvalid: '跳过有问题的行，只导入其余各行', commit: '正式导入', done: '导入完成：新增 {c}，更新 {u}，未变 {n}，跳过 {e} 行。', defaultMapping: '网页导入对应',
  },
  exports: {
    title: '名册导出', request: '申请导出', personal: '含完整身份证号和手机号（需另一名县级管理员审批）', reason: '用途', approve: '批准', deny: '驳回',
    download: '下载', downloaded: '已下载', requester: '申请人', requestedAt: '申请时间', rows: '行数', once: '每次审批只能下载一次。',
  },
  deadlines: { title: '期限看板', summary: '概况', byOwner: '责任单位', kind: '事项', period: '期间', dueOn: '截止日期', daysOverdue: '逾期天数' },
  province: { title: '各县期限执行情况', county: '县（区）' },
  error: { title: '出错了', retry: '重试', network: '无法连接服务器。' },
} as const
