import { test, expect } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who } from './support'

// Seed 001's floating members (流动党员双重管理): the branch officer carries an evaluated case
// through sending, a reminder, the receipt and filing; the outstanding receipts list shows the
// case until its receipt is back.
test('a branch officer sends a floating member’s feedback, chases the receipt and files the case', async ({ page, request }) => {
  const auth = { Authorization: `Bearer ${await token(request, who.branch)}` }
  const r = await request.get('/api/v1/floating-members?state=evaluated&limit=50', { headers: auth })
  const c = (await r.json()).items[0]
  expect(c, 'the demo gives branch.0005 an evaluated case').toBeTruthy()

  const problems = watchPage(page)
  await signIn(page, who.branch)
  await page.getByRole('link', { name: '流动党员' }).click()
  await expect(page.getByRole('heading', { name: '流动党员双重管理', level: 1 })).toBeVisible()
  await page.getByRole('combobox', { name: '状态' }).focus()
  await page.keyboard.press('Enter')
  await page.getByRole('option', { name: '已写评语' }).click()
  await page.getByRole('button', { name: '查询' }).click()
  await expect(page).toHaveURL(/state=evaluated/)
  await expect(page.getByRole('main').getByRole('link', { name: c.member_name }).first()).toBeVisible()
  await checkA11y(page, 'floating cases')
  await shot(page, 'floating')

  await page.goto(`/floating/${c.id}`)
  await expect(page.getByTestId('case-state')).toHaveText('已写评语')
  await checkA11y(page, 'floating case')
  // The letter prints from the server's HTML, in a new tab.
  const popup = page.waitForEvent('popup')
  await page.getByRole('button', { name: '打印函' }).click()
  await expect((await popup).locator('body')).toContainText(c.member_name)
  // A send date before the evaluation is refused, with the message next to the field.
  await page.getByLabel('寄发日期').fill('2000-01-01')
  await page.getByRole('button', { name: '寄发反馈表和函' }).last().click()
  await expect(page.locator('.el-form-item__error').first()).toBeVisible()
  await expect(page.getByTestId('case-state')).toHaveText('已写评语')
  await page.getByLabel('寄发日期').fill('')
  await page.getByRole('button', { name: '寄发反馈表和函' }).last().click()
  await expect(page.getByTestId('case-state')).toHaveText('已寄发，待回执')

  // Sent and not back: it is on the outstanding list.
  await page.getByRole('link', { name: '流动党员' }).click()
  await page.getByRole('tab', { name: '未收回回执' }).click()
  await expect(page).toHaveURL(/tab=outstanding/)
  await expect(page.getByRole('main').getByRole('link', { name: c.member_name }).first()).toBeVisible()
  await checkA11y(page, 'outstanding receipts')

  await page.goto(`/floating/${c.id}`)
  // The reminder's date defaults to today in China.
  await page.getByRole('button', { name: '记录催收' }).last().click()
  await expect(page.getByRole('heading', { name: '催收回执' })).toBeVisible()
  await page.getByLabel('接收人').fill('张明')
  await page.getByRole('button', { name: '回执收回' }).last().click()
  await expect(page.getByTestId('case-state')).toHaveText('回执已收回')
  await page.getByLabel('归档编号').fill('LD-2026-001')
  await page.getByRole('button', { name: '归档' }).last().click()
  await expect(page.getByTestId('case-state')).toHaveText('已归档')
  await expect(page.getByText('LD-2026-001')).toBeVisible()

  const after = await (await request.get(`/api/v1/floating-members/${c.id}`, { headers: auth })).json()
  expect(after.state).toBe('archived')
  expect(after.chases).toHaveLength(c.chases.length + 1)

  // Next year's registration, in December: the contact unit carries over from this year's case.
  await page.getByRole('link', { name: '流动党员' }).click()
  await page.getByRole('button', { name: '流动党员登记' }).click()
  const dialog = page.getByRole('dialog', { name: '流动党员登记' })
  await dialog.getByRole('combobox', { name: '流动党员' }).fill(c.member_name)
  await page.getByRole('option', { name: new RegExp(`^${c.member_name}`) }).first().click()
  await dialog.getByLabel('反馈年度').fill(String(c.year + 1))
  await checkA11y(page, 'floating registration')
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('case-state')).toHaveText(/已登记|身份已确认/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${c.member_name} · ${c.year + 1}`)
  await expect(page.getByText(c.home_contact_unit)).toBeVisible()
  expect(problems).toEqual([])
})

test('a village recorder has no floating-member screen and a township sees its villages’ ledgers', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.village)
  await expect(page.getByRole('link', { name: '流动党员' })).toHaveCount(0)
  await page.goto('/floating')
  await expect(page.getByText('无权访问此页面。')).toBeVisible()
  // The village's own ledger opens at once: the members who reported there.
  await page.getByRole('link', { name: '活动台账' }).click()
  await expect(page).toHaveURL(/unit=/)
  await expect(page.getByRole('main').getByRole('row')).not.toHaveCount(1)
  await checkA11y(page, 'activity ledger')
  await shot(page, 'ledger')
  expect(problems).toEqual([])
})

test('the deadline dashboard narrows to a township and keeps it in the URL', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.admin)
  await page.getByRole('link', { name: '期限看板' }).click()
  const all = Number(await page.locator('.stat strong').first().textContent())
  // The owners table holds the 20 most overdue lines; when there are more, it says how many.
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  const lines = await page.locator('.el-table').first().locator('tbody tr.el-table__row').count()
  expect(lines).toBeLessThanOrEqual(20)
  await expect(page.getByText(/逾期最多的 20 行，共 \d+ 行/)).toHaveCount(lines === 20 ? 1 : 0)
  await page.getByRole('combobox', { name: '组织（含下级）' }).click()
  await page.getByRole('option', { name: /街道|镇/ }).first().click()
  await page.getByRole('button', { name: '查询' }).click()
  await expect(page).toHaveURL(/org_unit_id=/)
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  const township = Number(await page.locator('.stat strong').first().textContent())
  expect(township).toBeLessThanOrEqual(all)
  await checkA11y(page, 'deadlines (township)')
  expect(problems).toEqual([])
})
