import { test, expect } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who } from './support'

test('a village recorder signs in and confirms a member’s report', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.village)
  // The first screen is my work, from the deadline engine.
  await expect(page.getByRole('heading', { name: '我的待办', level: 1 })).toBeVisible()
  await checkA11y(page, 'my work')
  await shot(page, 'my-work')

  await page.getByRole('link', { name: '双向报到' }).click()
  await expect(page).toHaveURL(/\/handbooks/)
  const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: '确认村报到' }) }).first()
  await expect(row).toBeVisible()
  const member = (await row.getByRole('link').first().textContent())!.trim()
  await checkA11y(page, 'handbooks')
  await shot(page, 'handbooks')

  await row.getByRole('button', { name: '确认村报到' }).click()
  const dialog = page.getByRole('dialog', { name: '确认村报到' })
  await dialog.getByLabel('备注').fill('本人到村报到，已登记活动台账')
  await checkA11y(page, 'confirm dialog')
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(dialog).toBeHidden()

  // The row now shows the village's confirmation; the branch's is still to come.
  const done = page.getByRole('row').filter({ hasText: member }).first()
  await expect(done).toContainText('已向村（社区）报到')
  await expect(done.getByRole('button', { name: '确认村报到' })).toHaveCount(0)

  // And the member's time line shows it.
  await done.getByRole('link', { name: member }).click()
  await expect(page.getByRole('heading', { name: member, level: 1 })).toBeVisible()
  await expect(page.getByText(/报到/).first()).toBeVisible()
  await checkA11y(page, 'member page')
  expect(problems).toEqual([])
})

test('the branch completes the reporting, both sides record, and a feedback round is sent and acknowledged', async ({ browser, request }) => {
  test.setTimeout(120_000)
  const branch = await (await browser.newContext()).newPage()
  const problems = watchPage(branch)
  await signIn(branch, who.branch)

  // The branch confirms the report the village confirmed in the test above (the list's filters
  // live in the URL: open it on that member).
  const api = await token(request, who.branch)
  const waiting = await (await request.get('/api/v1/handbooks?state=reported_to_village&limit=200', { headers: { Authorization: `Bearer ${api}` } })).json()
  const h = waiting.items.find((x: any) => x.village_name === '下源村')
  expect(h, 'the village confirmed a report in the test above').toBeTruthy()
  await branch.goto(`/handbooks?member_id=${h.member_id}`)
  const row = branch.getByRole('row').filter({ has: branch.getByRole('button', { name: '确认支部报到' }) }).first()
  const member = (await row.getByRole('link').first().textContent())!.trim()
  expect(member).toBe(h.member_name)
  await row.getByRole('button', { name: '确认支部报到' }).click()
  await branch.getByRole('dialog', { name: '确认支部报到' }).getByRole('button', { name: '确认' }).click()
  await expect(branch.getByRole('row').filter({ hasText: member }).first()).toContainText('已完成双向报到')

  // A record of the quarter, from the county's catalogue.
  await branch.getByRole('link', { name: '记实' }).click()
  await branch.getByRole('button', { name: '新增记实' }).click()
  const add = branch.getByRole('dialog', { name: '新增记实' })
  await add.getByRole('combobox', { name: '党员' }).fill(member)
  await branch.getByRole('option', { name: new RegExp(`^${member}`) }).first().click()
  // Keyboard, as a user without a mouse would: focus the select, open it, pick.
  await add.getByRole('combobox', { name: '项目' }).focus()
  await branch.keyboard.press('Enter')
  await branch.getByRole('option', { name: /^A01/ }).click()
  // The officer acts for the branch's several party branches: name the one that records.
  await add.getByRole('combobox', { name: '记录单位' }).fill('昌硕分会第一支部')
  await branch.getByRole('option', { name: '昌硕分会第一支部', exact: true }).click()
  const content = `参加分会支部主题党日活动（${Date.now()}）`
  await add.getByLabel('内容').fill(content)
  await checkA11y(branch, 'record dialog')
  await add.getByRole('button', { name: '保存' }).click()
  await expect(add).toBeHidden()
  await expect(branch.getByRole('row').filter({ hasText: content })).toHaveCount(1)
  await checkA11y(branch, 'records')
  await shot(branch, 'records')

  // The half year's feedback to the village: the shared members are its items.
  await branch.getByRole('link', { name: '双向反馈' }).click()
  await branch.getByRole('button', { name: '新建反馈' }).click()
  const create = branch.getByRole('dialog', { name: '新建反馈' })
  await create.getByRole('combobox', { name: '接收单位' }).fill('下源村')
  await branch.getByRole('option', { name: '昌硕分会第一支部 → 下源村' }).click()
  await create.getByRole('button', { name: '确认' }).click()
  await expect(branch.getByTestId('batch-state')).toHaveText(/草稿/)
  // Submitting with an empty text names the member's line.
  await branch.getByRole('button', { name: '提交审核' }).click()
  await expect(branch.locator('.field-error').first()).toBeVisible()
  for (const box of await branch.getByRole('textbox', { name: /经营地表现|表现/ }).all()) {
    await box.fill('守法诚信经营，积极参加支部活动')
    const saved = branch.waitForResponse((r) => r.url().includes('/items/') && r.request().method() === 'PUT')
    await box.locator('xpath=../..').getByRole('button', { name: '保存' }).click()
    expect((await saved).status()).toBe(200)
  }
  await branch.getByRole('button', { name: '提交审核' }).click()
  await expect(branch.getByTestId('batch-state')).toHaveText(/审核/)
  await checkA11y(branch, 'feedback batch')
  await shot(branch, 'feedback')
  const url = branch.url()

  const assoc = await (await browser.newContext()).newPage()
  problems.push(...watchPage(assoc))
  await signIn(assoc, who.assoc)
  await assoc.goto(url)
  await assoc.getByRole('button', { name: '审核通过' }).click()
  await expect(assoc.getByTestId('batch-state')).toHaveText(/通过/)

  await branch.reload()
  await branch.getByRole('button', { name: '送出' }).click()
  await expect(branch.getByTestId('batch-state')).toHaveText('已在线反馈')

  const village = await (await browser.newContext()).newPage()
  problems.push(...watchPage(village))
  await signIn(village, who.village)
  await village.goto(url)
  await village.getByRole('button', { name: '确认收到' }).click()
  await expect(village.getByTestId('batch-state')).not.toHaveText('已在线反馈')
  await expect(village.getByRole('button', { name: '确认收到' })).toHaveCount(0)
  await checkA11y(village, 'feedback received')
  expect(problems).toEqual([])
})
