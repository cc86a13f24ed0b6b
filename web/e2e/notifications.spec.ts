import { test, expect, type APIRequestContext } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who } from './support'

// Notifications (crates/notify). The demo's daily deadline job writes overdue and due-soon
// notices at start and the delivery worker (every second under tests/web-e2e) turns them into
// inbox items of the units' staff; a county webhook pointed back at this server is refused
// (404), so its deliveries are dead at once.

async function unreadOf(request: APIRequestContext, auth: Record<string, string>): Promise<number> {
  const r = await request.get('/api/v1/me/inbox?unread=true&limit=1', { headers: auth })
  expect(r.status(), await r.text()).toBe(200)
  return (await r.json()).unread
}

test('a staff member reads the notices, marks one read and sets an SMS number', async ({ page, request }) => {
  const auth = { Authorization: `Bearer ${await token(request, who.village2)}` }
  await expect.poll(() => unreadOf(request, auth), { message: 'the demo gives village.0002 two notices or more', timeout: 20_000 }).toBeGreaterThan(1)
  const before = await unreadOf(request, auth)

  const problems = watchPage(page)
  await signIn(page, who.village2)
  const link = page.getByRole('link', { name: /^消息/ })
  const badge = page.getByTestId('unread-badge')
  await expect(badge).toHaveText(before > 99 ? '99+' : String(before))
  await expect(link).toHaveAccessibleName(new RegExp(`^消息\\s*（${before} 条未读）$`))
  await link.click()
  await expect(page.getByRole('heading', { name: '消息', level: 1 })).toBeVisible()
  await expect(link).toHaveAttribute('aria-current', 'page')
  await expect(page.getByTestId('unread-count')).toHaveText(`未读消息 ${before} 条`)
  const notices = page.getByTestId('notice')
  await expect(notices.first()).toBeVisible()
  await expect(notices.first().getByText(/^(逾期|即将到期|诉求转办)$/)).toBeVisible()
  await expect(notices.first().locator('time')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  await checkA11y(page, 'inbox')
  await shot(page, 'inbox')

  // 只看未读, then the newest is marked read: the badge goes down by one.
  await page.getByText('只看未读').click()
  await expect(page).toHaveURL(/unread=true/)
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  const first = notices.first()
  await first.getByRole('button', { name: '标为已读' }).click()
  await expect(first.getByText('已读', { exact: true })).toBeVisible()
  await expect(first).toBeFocused()
  await expect(badge).toHaveText(before - 1 > 99 ? '99+' : String(before - 1))
  await expect(page.getByTestId('unread-count')).toHaveText(`未读消息 ${before - 1} 条`)
  expect(await unreadOf(request, auth)).toBe(before - 1)
  // Read again with the filter on, it is no longer listed.
  await page.getByRole('button', { name: '刷新' }).click()
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  await expect(notices.first()).toBeVisible()
  await expect(notices).toHaveCount(Math.min(before - 1, 20))
  await expect(page.getByRole('main').getByRole('button', { name: /^标为已读/ })).toHaveCount(Math.min(before - 1, 20))

  // 我的通知方式: SMS without a number is refused next to the number, as is a bad number.
  await page.getByRole('main').getByRole('button', { name: '我的通知方式' }).click()
  const dialog = page.getByRole('dialog', { name: '我的通知方式' })
  await expect(dialog.getByTestId('phone-masked')).toHaveText('尚未填写手机号码。')
  await dialog.getByText('短信', { exact: true }).click()
  await dialog.getByRole('button', { name: '保存' }).click()
  const phoneItem = dialog.locator('.el-form-item').filter({ has: page.getByLabel('手机号码') })
  await expect(phoneItem.locator('.el-form-item__error')).toContainText('接收短信须填写手机号')
  await checkA11y(page, 'my notification channels')
  await dialog.getByLabel('手机号码').fill('12345')
  await dialog.getByRole('button', { name: '保存' }).click()
  await expect(phoneItem.locator('.el-form-item__error')).toContainText('手机号应为以1开头的11位数字')
  await dialog.getByLabel('手机号码').fill('13812345678')
  await dialog.getByRole('button', { name: '保存' }).click()
  await expect(dialog.getByRole('status')).toHaveText('已保存。')
  await expect(phoneItem.locator('.el-form-item__error')).toHaveCount(0)
  await expect(dialog.getByTestId('phone-masked')).toHaveText('当前号码：138****5678')
  await expect(dialog.getByLabel('手机号码')).toHaveValue('')
  await shot(page, 'notification-preferences')
  await dialog.getByRole('button', { name: '取消' }).click()
  await expect(dialog).toBeHidden()

  const prefs = await request.get('/api/v1/me/notification-preferences', { headers: auth })
  expect(await prefs.json()).toMatchObject({ inbox: true, sms: true, phone_masked: '138****5678' })
  // The header opens the same dialog from any screen, with what was saved.
  await page.getByRole('link', { name: '我的待办' }).click()
  await page.getByRole('button', { name: '我的通知方式' }).click()
  await expect(dialog.getByTestId('phone-masked')).toHaveText('当前号码：138****5678')
  await expect(dialog.getByRole('checkbox', { name: '短信', exact: true })).toBeChecked()
  expect(problems).toEqual([])
})

test('the county admin sets the channels, sends a dead letter again and copies the QQ group text', async ({ page, request, context, baseURL }) => {
  const problems = watchPage(page)
  await signIn(page, who.admin)
  await page.getByRole('link', { name: '通知设置' }).click()
  await expect(page.getByRole('heading', { name: '通知设置', level: 1 })).toBeVisible()
  await expect(page.getByTestId('no-gateway')).toContainText('平台尚未接入短信网关')
  await expect(page.getByLabel('开始时间')).toHaveValue('21:00')
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  await checkA11y(page, 'notification settings')
  await shot(page, 'notification-settings')

  // A quiet hour that is no time of day is refused next to it.
  await page.getByLabel('开始时间').fill('25:00')
  await page.getByRole('button', { name: '保存' }).click()
  const startItem = page.locator('.el-form-item').filter({ has: page.getByLabel('开始时间') })
  await expect(startItem.locator('.el-form-item__error')).toContainText('HH:MM')
  await checkA11y(page, 'notification settings with an error')

  // The webhook points back at this server, which answers its POST 404: dead at once.
  await page.getByLabel('开始时间').fill('21:30')
  await page.getByLabel('回调地址').fill(`${baseURL}/api/v1/healthz-not-here`)
  await page.getByLabel('签名密钥').fill('e2e-webhook-secret-0001')
  await page.getByRole('button', { name: '保存' }).click()
  await expect(page.getByRole('status').filter({ hasText: '已保存。' })).toBeVisible()
  await expect(startItem.locator('.el-form-item__error')).toHaveCount(0)
  await expect(page.getByTestId('secret-set')).toHaveText('已设置')
  await expect(page.getByLabel('签名密钥')).toHaveValue('')

  // A new notice: a centre's staff member escalates a request (the centre's branch is told).
  const centre = { Authorization: `Bearer ${await token(request, who.centre)}` }
  const member = (await (await request.get('/api/v1/members?limit=1', { headers: centre })).json()).items[0]
  const taken = await request.post('/api/v1/service-requests', {
    headers: centre,
    data: { member_id: member.id, channel: 'phone', category: 'consultation', major: false, content: '咨询流动党员组织关系转接手续' },
  })
  expect(taken.ok(), await taken.text()).toBe(true)
  const sr = await taken.json()
  const escalated = await request.post(`/api/v1/service-requests/${sr.id}/escalate`, { headers: { ...centre, 'If-Match': `"v${sr.version}"` }, data: {} })
  expect(escalated.status(), await escalated.text()).toBe(200)

  // The dead letters (the default list) soon hold the webhook's delivery of that notice.
  const rows = page.getByTestId('deliveries').getByRole('row').filter({ hasText: 'Webhook 回调' }).filter({ hasText: '诉求转办' })
  await expect(async () => {
    await page.getByRole('button', { name: '刷新' }).click()
    await expect(page.locator('.el-loading-mask')).toHaveCount(0)
    await expect(rows.first()).toBeVisible({ timeout: 1000 })
  }).toPass({ timeout: 20_000 })
  const row = rows.first()
  await expect(row.getByTestId('delivery-status')).toHaveText('死信')
  await expect(row).toContainText('http_404')
  await checkA11y(page, 'dead letters')
  await shot(page, 'dead-letters')
  await row.getByRole('button', { name: '重新发送' }).click()
  await expect(page.getByRole('status').filter({ hasText: '已重新加入发送队列' })).toBeVisible()
  await expect(row.getByTestId('delivery-status')).toHaveText('待发送')
  await expect(row.getByRole('button', { name: '重新发送' })).toHaveCount(0)
  // The receiver refuses it again: dead once more.
  await expect(async () => {
    await page.getByRole('button', { name: '刷新' }).click()
    await expect(page.locator('.el-loading-mask')).toHaveCount(0)
    await expect(rows.first().getByTestId('delivery-status')).toHaveText('死信', { timeout: 1000 })
  }).toPass({ timeout: 20_000 })
  // The retry is in the audit log.
  // (The page's own session: a second sign-in would wait for the next authenticator code.)
  const admin = { Authorization: `Bearer ${await page.evaluate(() => sessionStorage.getItem('shuanglian.token'))}` }
  const audit = await (await request.get('/api/v1/audit?action=delivery.retry&limit=5', { headers: admin })).json()
  expect(audit.items.length).toBeGreaterThan(0)

  // Filters live in the URL: the webhook channel only.
  const channel = page.getByRole('combobox', { name: '渠道' })
  await channel.focus()
  await page.keyboard.press('Enter')
  await page.getByRole('option', { name: 'Webhook 回调' }).click()
  await page.getByRole('button', { name: '查询' }).click()
  await expect(page).toHaveURL(/channel=webhook/)
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  await expect(page.getByTestId('deliveries').getByRole('row').nth(1)).toContainText('Webhook 回调')

  // QQ群通知文本: today's notices, read again after the escalation, and copied.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await page.getByRole('button', { name: '重新生成' }).click()
  const text = page.getByLabel(/^通知文本/)
  await expect(text).toHaveValue(/^【双联提醒】\d{4}-\d{2}-\d{2}/)
  await expect(text).toHaveValue(/党员诉求转办/)
  await page.getByRole('button', { name: '复制' }).click()
  await expect(page.getByRole('status').filter({ hasText: '已复制。' })).toBeVisible()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await text.inputValue())
  await checkA11y(page, 'QQ group text')
  expect(problems).toEqual([])
})

test('notification settings are the county admin’s only', async ({ page }) => {
  await signIn(page, who.village)
  await expect(page.getByRole('link', { name: /^消息/ })).toBeVisible()
  await expect(page.getByRole('link', { name: '通知设置' })).toHaveCount(0)
  await page.goto('/notifications')
  await expect(page.getByText('无权访问此页面。')).toBeVisible()
})
