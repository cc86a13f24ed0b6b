import type zh from './zh-CN'

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> }

const en: Shape<typeof zh> = {
  app: { name: 'Shuanglian', full: 'Shuanglian · party building for small businesses', skip: 'Skip to main content', lang: '中文', signOut: 'Sign out', loading: 'Loading…', menu: 'Main menu' },
  nav: { work: 'My work', members: 'Member register', handbooks: 'Two-way reporting', records: 'Records', filings: 'Quarterly filing', feedback: 'Feedback', exports: 'Exports', qq: 'QQ groups', import: 'Import', deadlines: 'Deadlines', floating: 'Floating members', 'service-requests': 'Members’ requests', ledgers: 'Activity ledgers', province: 'Province: deadlines', privacy: 'Privacy & audit' },
  signIn: {
    title: 'Sign in', county: 'County code', countyHint: 'e.g. 330523; empty for platform and provincial accounts', username: 'Username', password: 'Password',
    submit: 'Sign in', totp: 'Authenticator code', totpHint: 'The 6 digits from your authenticator app', verify: 'Verify',
    changeTitle: 'First sign-in: change your password', newPassword: 'New password', confirmPassword: 'New password again', change: 'Change password',
    mismatch: 'The passwords differ', expired: 'Your session ended; sign in again.',
    enrolTitle: 'Set up a second factor first', enrolHint: 'Add this secret to an authenticator app, then enter the code it shows.', secret: 'Secret', confirm: 'Enable',
  },
  common: {
    search: 'Search', reset: 'Reset', next: 'Next page', prev: 'Previous page', first: 'First page', actions: 'Actions', open: 'Open', save: 'Save', cancel: 'Cancel',
    confirm: 'Confirm', reason: 'Reason', note: 'Note', date: 'Date', all: 'All', none: 'None', yes: 'Yes', no: 'No', refresh: 'Refresh',
    print: 'Print', xlsx: 'Download Excel', details: 'Details', back: 'Back', empty: 'Nothing here', updated: 'Someone changed this list; it was refreshed.', requestId: 'Request id',
    forbidden: 'You may not open this page.', notFound: 'Not found (it may be outside your scope).', state: 'State',
  },
  work: { title: 'My work', overdue: 'Overdue', due: 'Due', daysOverdue: '{n} days overdue', dueOn: 'due {d}', go: 'Open', owner: 'Owner', kind: 'Task', nothing: 'Nothing to do.' },
  members: {
    noConsent: 'No consent recorded', notice: 'Notice version', consentForm: 'Form', inForce: 'In force', withdrawn: 'Withdrawn {d}', title: 'Member register', name: 'Name / pinyin initials', phone: 'Mobile', idNumber: 'ID number', category: 'Category', status: 'Status', unit: 'Organisation', grid: 'Grid', market: 'Market',
    gender: 'Gender', business: 'Business', distribution: 'Distribution', joined: 'Joined the party', membershipOrg: 'Membership held by', idMasked: 'ID number (masked)', phoneMasked: 'Mobile (masked)',
    unmask: 'Show in full', unmaskReason: 'Reason (written to the audit log)', timeline: 'Time line', businesses: 'Businesses', consents: 'Consent', statusHistory: 'Status changes',
    birth: 'Born', household: 'Household registration', created: 'Registered',
  },
  handbooks: {
    title: 'Two-way reporting', issue: 'Issue handbook', member: 'Member', memberId: 'Member id', handbookNo: 'Handbook no.', village: 'Village', branch: 'Branch',
    issued: 'Issued', due: 'Due', villageReported: 'Reported to village', branchReported: 'Reported to branch', confirmVillage: 'Confirm village report', confirmBranch: 'Confirm branch report',
    reportedOn: 'Reported on', overdue: 'Overdue', ledger: 'Activity ledger', done: 'Report confirmed.',
  },
  filings: {
    title: 'Quarterly filing', inbox: 'Awaiting my review', mine: 'Our filings', create: 'New filing', period: 'Quarter', unit: 'Unit', submit: 'Submit', accept: 'Accept', return: 'Return',
    summary: 'Summary', lines: 'Lines', records: 'Records', members: 'Members', submittedOn: 'Submitted', reviewedOn: 'Reviewed', refresh: 'Regenerate from records',
    returnReason: 'Reason for returning', upper: 'Reviewed by', late: 'Late', history: 'History', recordsChanged: 'Records changed: regenerate before submitting.', item: 'Item', count: 'Count', contents: 'Contents',
  },
  records: { title: 'Records', add: 'New record', delete: 'Delete', unit: 'Recording unit' },
  feedback: { title: 'Two-way feedback', create: 'New feedback', period: 'Half year', sender: 'From', receiver: 'To', conduct: 'About', reviewer: 'Reviewed by', sentOn: 'Sent', items: 'Members', submit: 'Submit for review', send: 'Send', approve: 'Approve', acknowledge: 'Acknowledge' },
  privacy: {
    title: 'Privacy & audit', policy: 'Masking policy', unmaskLog: 'Unmasking log', audit: 'Audit log', role: 'Role', action: 'Action', entity: 'Entity',
    policyHint: 'Per role and personal field: masked, shown on request with a reason (audited), or visible.', saved: 'Saved.',
    verify: 'Verify the audit chain', intact: 'The chain is intact: {n} entries.', broken: 'The chain breaks at entry {seq}!',
    field: { id_number: 'ID number', phone: 'Mobile', home_address: 'Home address', qq_number: 'QQ number' },
    exposure: { masked: 'Masked', on_request: 'On request', visible: 'Visible' },
    roleName: { county_admin: 'County admin', association_committee: 'Association committee', branch_staff: 'Branch / service centre', aic_recorder: 'AIC recorder', township_committee: 'Township committee', village_recorder: 'Village recorder' },
  },
  import: {
    kind: 'Sheet', members: 'Member roster', businesses: 'Business register', defaultBusinessMapping: 'Web import mapping (businesses)', owners: ' {n} owners linked.', title: 'Import a register', hint: 'Upload the county’s own member roster or business register (xlsx or CSV) and try it first: the header is found, title and footer skipped, rewrites and unknown organisation names listed; then import.',
    file: 'Roster file', mapping: 'Mapping', dryRun: 'Dry run', layout: 'What was found', found: 'Sheet {sheet}, header in row {row}, {rows} data rows.', unmapped: 'Unmapped columns',
    normalised: 'Rewritten', unknown: 'Unknown organisation names (map each once)', orgName: 'Name', rows: 'Rows', mapTo: 'Map to', suggested: 'Closest units',
    newVillage: 'New village', newUnder: 'New under {t}', map: 'Map', errors: 'Rows with problems ({n})', noErrors: 'No problem rows.', row: 'Row', column: 'Column',
    skipInvalid: 'Skip the rows with problems and import the rest', commit: 'Import', done: 'Imported: {c} new, {u} updated, {n} unchanged, {e} rows skipped.', defaultMapping: 'Web import mapping',
  },
  qq: {
    title: 'Real-name QQ groups', group: 'QQ group', roster: 'Roster ({n})', name: 'Name', role: 'Role', verified: 'Verified', joined: 'Joined',
    snapshots: 'Imported member lists', people: 'People', matched: 'Matched', missing: 'Missing', unknown: 'Unknown', diff: 'Compare',
    diffOf: 'The list of {d} against the roster', summary: '{p} in the list, {m} matched the roster; {o} organisers not in the group.', missingTitle: 'On the roster, not in the group ({n})',
    unknownTitle: 'In the group, not on the roster ({n})', nickname: 'Nickname',
  },
  exports: {
    title: 'Exports', request: 'Request export', personal: 'With full ID numbers and phones (another county admin approves)', reason: 'Purpose', approve: 'Approve', deny: 'Deny',
    download: 'Download', downloaded: 'Downloaded', requester: 'Requested by', requestedAt: 'Requested', rows: 'Rows', once: 'Each approval allows one download.',
  },
  deadlines: { title: 'Deadlines', summary: 'Summary', byOwner: 'Owners', ownersShown: 'The {shown} most overdue of {total} lines', kind: 'Task', period: 'Period', dueOn: 'Due', daysOverdue: 'Days overdue', open: 'Open (due or overdue)', unit: 'Unit (and below)' },
  floating: {
    title: 'Floating members', cases: 'Cases', outstanding: 'Outstanding receipts', register: 'Register a floating member', member: 'Member', year: 'Feedback year', yearHint: 'Default: the year registered; December registrations may take the next', branch: 'Responsible branch',
    homeOrg: 'Home party organisation', contactUnit: 'Contact unit', homeAddress: 'Contact unit address', operatingSince: 'Operating here since', registeredOn: 'Registered on', reference: 'Reference',
    confirm: 'Confirm membership', proofReference: 'Proof reference', proofDate: 'Proof date', confirmedOn: 'Confirmed on',
    activities: 'Organisational life and activities', addActivity: 'Add an activity', heldOn: 'Held on', activityKind: 'Kind', content: 'Content',
    evaluation: "Branch secretary's evaluation", secretary: 'Branch secretary', evaluatedOn: 'Evaluated on', evaluate: 'Save the evaluation',
    send: 'Send the form and letter', method: 'Method', sentOn: 'Sent on', chases: 'Reminders', chase: 'Record a reminder', chasedOn: 'Reminded on', chaseCount: 'Reminders',
    receipt: 'Receipt returned', receivedBy: 'Received by', receivedOn: 'Received on', archive: 'File the case', archiveReference: 'Archive reference', archivedOn: 'Filed on',
    feedbackForm: 'Feedback form', letter: 'Letter', receiptForm: 'Receipt form', daysOutstanding: 'Days since sent', lastChased: 'Last reminder', truncated: 'Showing the first {n} only.',
    steps: 'Next step', noSteps: 'This case is filed.', readOnly: "The responsible branch's staff carry the case.",
  },
  requests: {
    title: 'Members’ requests', take: 'Take a request', report: 'Requests report', printReport: 'Report (print)', saveReport: 'Report (Excel)', openOnly: 'Open only', centre: 'Service centre', member: 'Member', receivedOn: 'Received', category: 'Category', channel: 'Channel',
    majorShort: 'major', responsible: 'First responder / owner', firstResponder: 'First responder', owner: 'Owner', dueOn: 'Due', overdue: 'Overdue', extensions: 'Extensions',
    major: 'Major request', majorHint: 'followed up, with the member’s opinion, before it is archived', content: 'Request', form: 'Request form', escalatedOn: 'Escalated', archivedOn: 'Archived',
    answer: 'Answer', answerMethod: 'Answered how', answeredOn: 'Answered on', followUp: 'Follow-up', followUpMethod: 'Follow-up how', opinion: 'Member’s opinion', satisfaction: 'Satisfaction',
    followedUpOn: 'Followed up on', archiveReference: 'Archive reference', steps: 'Steps', history: 'History', readOnly: 'Taken and handled by the service centre’s staff.',
    escalateHint: 'Escalated to the centre director, it is answered within 7 working days of receipt (the county’s calendar).', currentDue: 'Due now: {d}', newDueOn: 'New due day',
    handOverTo: 'Hand over to', handOverHint: 'Pick a staff member of the centre', director: 'director',
    do: { escalate: 'Escalate to the director', extend: 'Extend', 'hand-over': 'Hand over', answer: 'Answer', 'follow-up': 'Follow up', archive: 'Archive' },
  },
  ledgers: { title: 'Activity ledgers', unit: 'Village or branch', pick: 'Choose a unit', on: 'Reported on', handbookNo: 'Handbook no.' },
  province: { title: 'Deadline compliance by county', county: 'County' },
  error: { title: 'Something went wrong', retry: 'Try again', network: 'The server cannot be reached.' },
}
export default en
