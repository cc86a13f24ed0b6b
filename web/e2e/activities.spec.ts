import { test, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who, type Who } from './support'

// Seed 002's activities at the service centres (党员活动, issue 15 item 3): the centre director
// plans a training held today for one unit of the centre's region and submits it; the
// association committee returns it with a reason; the director revises and submits it again;
// the committee approves it; the centre's staff notify the audience (the roster is fixed) and
// record attendance, and the activity is held. Each role in its own browser context.

const THEME = '个体工商户党员网店运营培训'
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())

type Unit = { id: string; name: string; kind: string; parent_id?: string }
const shared: { id?: string; unit?: Unit; centre?: Unit } = {}

async function get(request: APIRequestContext, w: Who, path: string) {
  const r = await request.get(`/api/v1${path}`, { headers: { Authorization: `Bearer ${await token(request, w)}` } })
  expect(r.status(), await r.text()).toBe(200)
  return r.json()
}

async function asRole(browser: import('@playwright/test').Browser, w: Who): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext()).newPage()
  const problems = watchPage(page)
  await signIn(page, w)
  return { page, problems }
}

/** Opens a select from the keyboard and picks an option. */
async function pick(page: Page, combobox: Locator, option: string) {
  await combobox.focus()
  await page.keyboard.press('Enter')
  await page.getByRole('option', { name: option, exact: true }).click()
}

async function openActivity(page: Page) {
  await page.goto(`/activities/${shared.id}`)
  await expect(page.getByRole('heading', { name: THEME, level: 1 })).toBeVisible()
}

test.describe.serial('an activity from plan to attendance', () => {
  test('the demo makes branch.0005 the director of centre.0001’s centre', async ({ request }) => {
    // centre.0001 sees its own centre only; its director is branch staff bound to the centre's
    // parent branch (the centre's staff list says so).
    const centres = (await get(request, who.centre, '/org-units?kind=service_centre&limit=200')).items as Unit[]
    expect(centres.length, 'centre.0001 sees one service centre').toBe(1)
    const centre = centres[0]
    const me = await get(request, who.branch, '/me')
    const staff = (await get(request, who.centre, `/service-centres/${centre.id}/staff`)).items as { user_id: string; director: boolean }[]
    expect(staff.find((s) => s.user_id === me.user_id)?.director, 'branch.0005 directs the centre').toBe(true)
    // The audience: the last party branch of the centre's branch (the demo's plans take the first).
    const units = (await get(request, who.branch, `/org-units?root=${centre.parent_id}&kind=party_branch&limit=200`)).items as Unit[]
    expect(units.length).toBeGreaterThan(0)
    shared.centre = centre
    shared.unit = units[units.length - 1]
  })

  test('the director plans a training held today for one unit and submits it', async ({ browser }) => {
    const { page, problems } = await asRole(browser, who.branch)
    await page.getByRole('link', { name: '党员活动' }).click()
    await expect(page.getByRole('heading', { name: '党员活动', level: 1 })).toBeVisible()
    await expect(page.locator('.el-loading-mask')).toHaveCount(0)
    await expect(page.getByTestId('activities').getByRole('row').nth(1)).toBeVisible()
    await checkA11y(page, 'activities')
    await shot(page, 'activities')

    await page.getByRole('button', { name: '拟定活动方案' }).click()
    const dialog = page.getByRole('dialog', { name: '拟定活动方案' })
    // The director's only centre is chosen already; an empty plan is refused field by field.
    await expect(dialog.getByRole('combobox', { name: '服务中心' })).toBeVisible()
    await expect(dialog.getByText(shared.centre!.name)).toBeVisible()
    await dialog.getByRole('button', { name: '保存' }).click()
    await expect(dialog.getByText('theme：应为1到100个字符')).toBeVisible()
    await expect(dialog.getByText('place：应为1到100个字符')).toBeVisible()

    await dialog.getByLabel('活动主题').fill(THEME)
    await pick(page, dialog.getByRole('combobox', { name: '活动类别' }), '培训')
    await expect(dialog.getByLabel('活动日期')).toHaveValue(today)
    await dialog.getByLabel('开始时间').fill('14:30')
    await dialog.getByLabel('活动地点').fill('服务中心二楼培训室')
    await dialog.getByLabel('活动内容').fill('网店开设、直播带货与售后服务')
    await pick(page, dialog.getByRole('combobox', { name: '组织' }), shared.unit!.name)
    await checkA11y(page, 'plan an activity')
    await shot(page, 'activity-plan')
    await dialog.getByRole('button', { name: '保存' }).click()

    await expect(page.getByRole('heading', { name: THEME, level: 1 })).toBeVisible()
    await expect(page.getByTestId('activity-state')).toHaveText('草拟')
    await expect(page.getByTestId('held-on')).toHaveText(today)
    await expect(page.getByTestId('audience')).toContainText(`组织：${shared.unit!.name}`)
    shared.id = page.url().split('/').pop()
    await checkA11y(page, 'activity')

    await page.getByRole('button', { name: '报批' }).click()
    const submit = page.getByRole('dialog', { name: '报批' })
    await submit.getByRole('button', { name: '确认' }).click()
    await expect(page.getByTestId('activity-state')).toHaveText('待审批')
    await expect(page.getByRole('button', { name: '报批' })).toHaveCount(0)
    await expect(page.getByRole('button', { name: '取消活动' })).toBeVisible()
    expect(problems).toEqual([])
  })

  test('the committee returns it with a reason; an empty reason is refused', async ({ browser }) => {
    const { page, problems } = await asRole(browser, who.assoc)
    await page.getByRole('link', { name: '党员活动' }).click()
    await expect(page.getByRole('button', { name: '拟定活动方案' })).toHaveCount(0)
    await page.getByRole('link', { name: THEME }).first().click()
    await expect(page.getByTestId('activity-state')).toHaveText('待审批')

    await page.getByRole('button', { name: '退回' }).click()
    const dialog = page.getByRole('dialog', { name: '退回' })
    await dialog.getByRole('button', { name: '确认' }).click()
    // The server's zh-CN message, next to the field it names.
    await expect(dialog.locator('.el-form-item__error')).toHaveText('reason：应为1到500个字符')
    await expect(dialog.getByRole('alert').filter({ hasText: '请求内容有误，请检查标出的字段' })).toBeVisible()
    await checkA11y(page, 'return an activity')
    await dialog.getByLabel('退回理由').fill('请写明培训讲师和报名方式')
    await dialog.getByRole('button', { name: '确认' }).click()
    await expect(page.getByTestId('activity-state')).toHaveText('已退回')
    await expect(page.getByTestId('return-reason')).toHaveText('请写明培训讲师和报名方式')
    await expect(page.getByTestId('steps')).toContainText('退回')
    await shot(page, 'activity-returned')
    expect(problems).toEqual([])
  })

  test('the director revises the plan and submits it again', async ({ browser }) => {
    const { page, problems } = await asRole(browser, who.branch)
    await openActivity(page)
    await expect(page.getByTestId('activity-state')).toHaveText('已退回')
    await expect(page.getByTestId('return-reason')).toHaveText('请写明培训讲师和报名方式')
    await page.getByRole('button', { name: '修改', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: '修改活动方案' })
    await expect(dialog.getByLabel('活动主题')).toHaveValue(THEME)
    await dialog.getByLabel('活动内容').fill('网店开设、直播带货与售后服务。讲师：县电商协会；报名：各支部书记汇总后报服务中心')
    await dialog.getByRole('button', { name: '保存' }).click()
    await expect(dialog).toBeHidden()
    await expect(page.getByText('讲师：县电商协会')).toBeVisible()
    await page.getByRole('button', { name: '报批' }).click()
    await page.getByRole('dialog', { name: '报批' }).getByRole('button', { name: '确认' }).click()
    await expect(page.getByTestId('activity-state')).toHaveText('待审批')
    await expect(page.getByTestId('return-reason')).toHaveCount(0)
    expect(problems).toEqual([])
  })

  test('the committee approves it, with the keyboard only', async ({ browser }) => {
    const { page, problems } = await asRole(browser, who.assoc)
    await openActivity(page)
    await expect(page.getByTestId('activity-state')).toHaveText('待审批')
    // From the back link, Tab reaches the step buttons in reading order.
    await page.getByRole('link', { name: '← 返回' }).focus()
    const approve = page.getByRole('button', { name: '批准' })
    for (let i = 0; i < 10 && !(await approve.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press('Tab')
    await expect(approve).toBeFocused()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: '批准' })
    await expect(dialog).toBeVisible()
    const confirm = dialog.getByRole('button', { name: '确认' })
    for (let i = 0; i < 5 && !(await confirm.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press('Tab')
    await expect(confirm).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('activity-state')).toHaveText('已批准')
    await expect(dialog).toBeHidden()
    expect(problems).toEqual([])
  })

  test('centre staff notify the audience and record attendance', async ({ browser, request }) => {
    const { page, problems } = await asRole(browser, who.centre)
    await openActivity(page)
    await expect(page.getByTestId('activity-state')).toHaveText('已批准')
    await expect(page.getByRole('button', { name: '批准' })).toHaveCount(0)
    await page.getByRole('button', { name: '通知参加人员' }).click()
    const notify = page.getByRole('dialog', { name: '通知参加人员' })
    await expect(notify).toContainText('按参加对象确定参加人员名单')
    await checkA11y(page, 'notify the audience')
    await notify.getByRole('button', { name: '确认' }).click()
    await expect(page.getByTestId('activity-state')).toHaveText('已通知')

    // The roster: members of the chosen unit, each with their SMS notice status.
    const roster = page.getByTestId('roster')
    const rows = roster.locator('tbody tr')
    await expect(rows.nth(1)).toBeVisible()
    const total = Number(await page.getByTestId('counts').locator('dd').first().textContent())
    expect(total).toBeGreaterThan(1)
    await expect(page.getByTestId('count-invited')).toHaveText(String(total))
    await expect(rows.first().getByTestId('sms')).toHaveText(/^(待发送|已发送|发送失败|未发短信)$/)
    await checkA11y(page, 'roster')
    await shot(page, 'activity-roster')

    // One present, one excused with a note.
    const first = rows.nth(0)
    const second = rows.nth(1)
    const firstName = (await first.locator('td').first().textContent())!.trim()
    const secondName = (await second.locator('td').first().textContent())!.trim()
    await first.getByRole('radiogroup', { name: `${firstName}的出勤` }).getByText('出席').click()
    await second.getByRole('radiogroup', { name: `${secondName}的出勤` }).getByText('请假').click()
    await second.getByRole('textbox', { name: `${secondName}的备注` }).fill('外出进货，已请假')
    await expect(page.getByText('2 人的出勤尚未保存')).toBeVisible()
    await page.getByRole('button', { name: '保存出勤' }).click()
    await expect(page.getByRole('status').filter({ hasText: '已保存 2 人的出勤。' })).toBeVisible()
    await expect(page.getByTestId('activity-state')).toHaveText('已举行')
    await expect(page.getByTestId('count-present')).toHaveText('1')
    await expect(page.getByTestId('count-excused')).toHaveText('1')
    await expect(page.getByTestId('count-invited')).toHaveText(String(total - 2))
    await expect(page.getByTestId('steps')).toContainText('出席1人，缺席0人，请假1人')
    await checkA11y(page, 'held activity')

    const after = await get(request, who.centre, `/activities/${shared.id}/attendance?limit=200`)
    expect(after.counts).toMatchObject({ present: 1, excused: 1, absent: 0, total })
    const excused = after.items.find((e: { name: string; status: string }) => e.status === 'excused')
    expect(excused.note).toBe('外出进货，已请假')
    const view = await get(request, who.centre, `/activities/${shared.id}`)
    expect(view.state).toBe('held')
    expect(view.kind).toBe('training')
    expect(view.start_time).toBe('14:30')
    expect(view.audience).toEqual({ unit_id: shared.unit!.id })
    expect(view.steps.map((s: { kind: string }) => s.kind)).toEqual(['planned', 'submitted', 'returned', 'revised', 'submitted', 'approved', 'notified', 'attendance'])

    // The excused member's yearly record shows the training.
    await second.getByRole('link', { name: secondName }).click()
    await expect(page.getByRole('heading', { name: secondName, level: 1 })).toBeVisible()
    const line = page.getByTestId('participation').getByRole('row').filter({ hasText: THEME })
    await expect(line).toContainText('请假')
    await expect(line).toContainText('培训')
    expect(problems).toEqual([])
  })
})

test('the director calls off an approved activity with a reason; the list filters by state', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.branch)
  await page.goto('/activities')
  await expect(page.getByRole('heading', { name: '党员活动', level: 1 })).toBeVisible()
  await pick(page, page.getByRole('combobox', { name: '状态' }), '已批准')
  await page.getByRole('button', { name: '查询' }).click()
  await expect(page).toHaveURL(/state=approved/)
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  const rows = page.getByTestId('activities').locator('tbody tr')
  await expect(rows.first()).toContainText('已批准')
  const theme = (await rows.first().getByRole('link').textContent())!.trim()
  await rows.first().getByRole('link').click()
  await expect(page.getByRole('heading', { name: theme, level: 1 })).toBeVisible()
  await expect(page.getByTestId('activity-state')).toHaveText('已批准')
  // An approved plan is no longer revised or submitted; the director can still call it off.
  await expect(page.getByRole('button', { name: '修改', exact: true })).toHaveCount(0)
  await expect(page.getByRole('button', { name: '报批' })).toHaveCount(0)
  await page.getByRole('button', { name: '取消活动' }).click()
  const dialog = page.getByRole('dialog', { name: '取消活动' })
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(dialog.locator('.el-form-item__error')).toHaveText('reason：应为1到500个字符')
  await dialog.getByLabel('取消理由').fill('讲师临时有事，改期另行通知')
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('activity-state')).toHaveText('已取消')
  await expect(page.getByTestId('steps')).toContainText('讲师临时有事，改期另行通知')
  await expect(page.getByRole('button', { name: '取消活动' })).toHaveCount(0)
  expect(problems).toEqual([])
})

test('the county admin’s deliveries name a member an activity SMS went to', async ({ page }) => {
  // The e2e server has no SMS gateway, so no activity SMS is made: the deliveries list is
  // answered here with one to a member (member_id, recipient_name), as the API gives it.
  const problems = watchPage(page)
  await page.route(/\/api\/v1\/notifications\/deliveries(\?|$)/, (route) =>
    route.fulfill({
      json: {
        items: [
          {
            id: '01a2aaaa-0000-7000-8000-000000000001', notice_id: '01a2aaaa-0000-7000-8000-000000000002', channel: 'sms', status: 'sent',
            subject: `【活动通知】${THEME}`, attempts: 1, next_attempt_at: '2026-12-07T01:00:00', created_at: '2026-12-07T01:00:00', sent_at: '2026-12-07T01:00:01',
            member_id: '01a2aaaa-0000-7000-8000-000000000003', recipient_name: '陈洋',
          },
        ],
      },
    }),
  )
  await signIn(page, who.admin)
  await page.goto('/notifications')
  const row = page.getByTestId('deliveries').locator('tbody tr').first()
  await expect(row).toContainText('陈洋（党员）')
  await expect(row).toContainText(`【活动通知】${THEME}`)
  await expect(row.getByTestId('delivery-status')).toHaveText('已送达')
  expect(problems).toEqual([])
})

test('branch staff record a member’s consent to SMS notices', async ({ page, request }) => {
  const member = (await get(request, who.branch, '/members?limit=1')).items[0]
  const problems = watchPage(page)
  await signIn(page, who.branch)
  await page.goto(`/members/${member.id}`)
  await expect(page.getByRole('heading', { name: member.name, level: 1 })).toBeVisible()
  await expect(page.getByRole('heading', { name: '年度参加活动情况' })).toBeVisible()
  await page.getByRole('button', { name: '记录告知同意' }).click()
  const dialog = page.getByRole('dialog', { name: '记录告知同意' })
  await pick(page, dialog.getByRole('combobox', { name: '同意事项' }), '接收短信通知')
  await dialog.getByLabel('告知书版本').fill('2026-短信-e2e')
  await checkA11y(page, 'record consent')
  await dialog.getByRole('button', { name: '保存' }).click()
  await expect(dialog).toBeHidden()
  const row = page.getByTestId('consents').getByRole('row').filter({ hasText: '2026-短信-e2e' })
  await expect(row).toContainText('接收短信通知')
  await expect(row).toContainText('有效')
  const consents = await get(request, who.branch, `/members/${member.id}/consents`)
  expect(consents.find((c: { notice_version: string }) => c.notice_version === '2026-短信-e2e')?.purpose).toBe('sms_notices')
  expect(problems).toEqual([])
})

test('a township committee has no activities screen', async ({ page }) => {
  await signIn(page, who.township)
  await expect(page.getByRole('link', { name: '党员活动' })).toHaveCount(0)
  await page.goto('/activities')
  await expect(page.getByText('无权访问此页面。')).toBeVisible()
})
