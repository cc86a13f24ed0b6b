import { test, expect } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who } from './support'

// Seed 002's members' requests (党员诉求受(办)理): the staff member of a service centre sees the
// open requests by due day, the overdue one first; takes a member's request by phone, escalates
// it to the centre director (the 7-working-day clock gives it a due day) and answers it; a major
// request is not archived before its follow-up.
test('centre staff take a member’s request, escalate, extend and answer it', async ({ page, request }) => {
  const auth = { Authorization: `Bearer ${await token(request, who.centre)}` }
  const open = (await (await request.get('/api/v1/service-requests?open=true&limit=50', { headers: auth })).json()).items
  expect(open[0]?.overdue, 'the demo gives centre.0001 an overdue escalated request').toBe(true)
  const member = (await (await request.get('/api/v1/members?limit=5', { headers: auth })).json()).items[0]
  expect(member, 'centre.0001 sees the members of its branch').toBeTruthy()

  const problems = watchPage(page)
  await signIn(page, who.centre)
  await page.getByRole('link', { name: '党员诉求' }).click()
  await expect(page.getByRole('heading', { name: '党员诉求受（办）理', level: 1 })).toBeVisible()
  await page.getByText('只看未办结').click()
  await expect(page).toHaveURL(/open=true/)
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  const first = page.getByRole('main').getByRole('row').nth(1)
  await expect(first.getByRole('link', { name: open[0].member_name })).toBeVisible()
  await expect(first.getByText('已超期')).toBeVisible()
  await checkA11y(page, 'service requests')
  await shot(page, 'service-requests')

  // 受理: by phone, for a member of the centre's region.
  await page.getByRole('button', { name: '受理诉求' }).click()
  const dialog = page.getByRole('dialog', { name: '受理诉求' })
  await dialog.getByRole('combobox', { name: '党员', exact: true }).fill(member.name)
  await page.getByRole('option', { name: new RegExp(`^${member.name}`) }).first().click()
  await dialog.getByText('电话', { exact: true }).click()
  await dialog.getByRole('combobox', { name: '类别' }).focus()
  await page.keyboard.press('Enter')
  await page.getByRole('option', { name: '维权', exact: true }).click()
  await dialog.getByLabel('诉求内容').fill('摊位被违规收取管理费，请求协助维权')
  await checkA11y(page, 'take a request')
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('request-state')).toHaveText('已受理')
  await expect(page.getByRole('heading', { level: 1 })).toContainText(member.name)
  await expect(page.getByTestId('due-on')).toHaveText('')
  await checkA11y(page, 'service request')

  // 转办中心主任: due on the seventh working day.
  await page.getByRole('button', { name: '转办中心主任' }).click()
  const escalate = page.getByRole('dialog', { name: '转办中心主任' })
  await checkA11y(page, 'escalate a request')
  await escalate.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('request-state')).toHaveText('已转办（限时办结）')
  await expect(page.getByTestId('due-on')).toHaveText(/^\d{4}-\d{2}-\d{2}$/)

  // 延长期限: a week later, with the reason.
  const due = (await page.getByTestId('due-on').textContent())!
  const later = new Date(`${due}T00:00:00Z`)
  later.setUTCDate(later.getUTCDate() + 7)
  const laterDay = later.toISOString().slice(0, 10)
  await page.getByRole('button', { name: '延长期限' }).click()
  const extend = page.getByRole('dialog', { name: '延长期限' })
  await expect(extend).toContainText(`当前期限：${due}`)
  await extend.getByLabel('延长至').fill(laterDay)
  await extend.getByLabel('理由').fill('需市场监管部门现场核实')
  await checkA11y(page, 'extend a request')
  await extend.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('due-on')).toHaveText(laterDay)

  // 移交: the centre's staff and its director are offered (not handed over here).
  await page.getByRole('button', { name: '移交' }).click()
  const handOver = page.getByRole('dialog', { name: '移交' })
  await handOver.getByRole('combobox', { name: '移交给' }).focus()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('option', { name: /（中心主任）$/ }).first()).toBeVisible()
  await page.keyboard.press('Escape')
  await handOver.getByRole('button', { name: '取消' }).click()
  await expect(handOver).toBeHidden()

  // 答复: an empty answer is refused next to the field; then answered in person.
  await page.getByRole('button', { name: '答复', exact: true }).click()
  const answer = page.getByRole('dialog', { name: '答复' })
  await answer.getByRole('button', { name: '确认' }).click()
  await expect(answer.locator('.el-form-item__error').first()).toBeVisible()
  await answer.getByLabel('答复内容').fill('已联系市场管理方退还多收的管理费')
  await answer.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('request-state')).toHaveText('已答复')
  await expect(page.getByTestId('answer')).toHaveText('已联系市场管理方退还多收的管理费')
  const steps = page.getByTestId('steps')
  await expect(steps).toContainText('受理')
  await expect(steps).toContainText('转办中心主任')
  await expect(steps).toContainText('答复')
  await expect(steps).toContainText('延长办理期限')
  await expect(steps).toContainText('需市场监管部门现场核实')
  await expect(steps.locator('.el-timeline-item')).toHaveCount(4)

  // The 受(办)理表 prints from the server's HTML, in a new tab.
  const popup = page.waitForEvent('popup')
  await page.getByRole('button', { name: '打印党员服务受（办）理表' }).click()
  await expect((await popup).locator('body')).toContainText(member.name)

  const id = page.url().split('/').pop()
  const after = await (await request.get(`/api/v1/service-requests/${id}`, { headers: auth })).json()
  expect(after.state).toBe('answered')
  expect(after.channel).toBe('phone')
  expect(after.category).toBe('rights')
  expect(after.member_id).toBe(member.id)
  expect(after.extensions).toBe(1)
  expect(after.due_on).toBe(laterDay)
  expect(after.steps.map((s: { kind: string }) => s.kind)).toEqual(['taken', 'escalated', 'extended', 'answered'])
  expect(problems).toEqual([])
})

test('a major request is followed up before it is archived', async ({ page, request }) => {
  const auth = { Authorization: `Bearer ${await token(request, who.centre)}` }
  const answered = (await (await request.get('/api/v1/service-requests?state=answered&limit=50', { headers: auth })).json()).items
  const major = answered.find((r: { major: boolean; followed_up_on?: string }) => r.major && !r.followed_up_on)
  expect(major, 'the demo gives centre.0001 a major request waiting for its follow-up').toBeTruthy()

  const problems = watchPage(page)
  await signIn(page, who.centre)
  await page.goto(`/service-requests/${major.id}`)
  await expect(page.getByTestId('request-state')).toHaveText('已答复')
  await page.getByRole('button', { name: '归档' }).click()
  const archive = page.getByRole('dialog', { name: '归档' })
  await archive.getByRole('button', { name: '确认' }).click()
  await expect(archive.getByRole('alert')).toContainText('重大服务事项办结后须回访并征求意见')
  await archive.getByRole('button', { name: '取消' }).click()
  await expect(page.getByTestId('request-state')).toHaveText('已答复')

  // 回访, then it is archived.
  await page.getByRole('button', { name: '回访' }).click()
  const follow = page.getByRole('dialog', { name: '回访' })
  await follow.getByLabel('党员意见').fill('问题已解决，满意')
  await follow.getByText('基本满意', { exact: true }).click()
  await checkA11y(page, 'follow up a request')
  await follow.getByRole('button', { name: '确认' }).click()
  await expect(page.getByText('问题已解决，满意')).toBeVisible()
  await page.getByRole('button', { name: '归档' }).click()
  await archive.getByLabel('档案号').fill('诉求-2026-900')
  await archive.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('request-state')).toHaveText('已归档')
  await expect(page.getByText('诉求-2026-900').first()).toBeVisible()
  await expect(page.getByRole('button', { name: '归档' })).toHaveCount(0)
  expect(problems).toEqual([])
})

test('the association committee follows the requests without taking them', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.assoc)
  await page.getByRole('link', { name: '党员诉求' }).click()
  await expect(page.getByRole('heading', { name: '党员诉求受（办）理', level: 1 })).toBeVisible()
  await expect(page.getByRole('button', { name: '受理诉求' })).toHaveCount(0)
  await expect(page.getByRole('combobox', { name: '服务中心' })).toBeVisible()
  // 情况通报制: the year's figures of every centre, printed from the list.
  const popup = page.waitForEvent('popup')
  await page.getByRole('button', { name: '情况通报（打印）' }).click()
  const report = (await popup).locator('body')
  await expect(report).toContainText('区域性党员服务中心')
  await expect(report).toContainText('党员诉求办理情况通报')
  await page.getByRole('main').getByRole('row').nth(1).getByRole('link').click()
  await expect(page.getByTestId('request-state')).toHaveText(/./)
  await expect(page.getByText('由服务中心工作人员受理和办理。')).toBeVisible()
  expect(problems).toEqual([])
})

test('a village recorder has no requests screen', async ({ page }) => {
  await signIn(page, who.village)
  await expect(page.getByRole('link', { name: '党员诉求' })).toHaveCount(0)
  await page.goto('/service-requests')
  await expect(page.getByText('无权访问此页面。')).toBeVisible()
})
