import { test, expect, type Page } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who } from './support'

// SPEC and the seeds: a party branch's quarterly filing is reviewed by the association
// committee (acting for the county AIC bureau's party committee); a village's by its township.
// The branch officer files; the association committee returns it once, then accepts it.
async function openFiling(page: Page, unit: string, period: string) {
  await page.getByRole('link', { name: '季度报送' }).click()
  await page.getByLabel('季度').fill(period)
  await page.getByRole('button', { name: '查询' }).click()
  await expect(page).toHaveURL(new RegExp(`period=${period}`))
  await page.getByRole('main').getByRole('link', { name: unit }).first().click()
}

test('a branch officer files a quarter and the upper committee accepts it', async ({ browser, request }) => {
  // The demo branch has submitted 2026Q3 for 昌硕分会第一支部: the committee returns it first.
  const assocToken = await token(request, who.assoc)
  const inbox = await request.get('/api/v1/filings/inbox?limit=200', { headers: { Authorization: `Bearer ${assocToken}` } })
  const filing = (await inbox.json()).items.find((f: any) => f.unit_name === '昌硕分会第一支部' && f.period === '2026Q3')
  expect(filing, 'the demo has a submitted 2026Q3 filing of 昌硕分会第一支部').toBeTruthy()

  const assoc = await (await browser.newContext()).newPage()
  const problems = watchPage(assoc)
  await signIn(assoc, who.assoc)
  await assoc.getByRole('link', { name: '季度报送' }).click()
  await expect(assoc.getByRole('heading', { name: '待我审核' })).toBeVisible()
  await checkA11y(assoc, 'filings (reviewer)')
  await assoc.goto(`/filings/${filing.id}`)
  await expect(assoc.getByTestId('filing-state')).toHaveText('已报送，待审核')
  // Returning needs a reason: the server's message shows next to the field.
  await assoc.getByRole('button', { name: '退回' }).click()
  await expect(assoc.locator('.el-form-item__error')).toContainText('原因')
  await assoc.getByLabel('退回理由').fill('请补充第三季度经营表现情况说明')
  await assoc.getByRole('button', { name: '退回' }).click()
  await expect(assoc.getByTestId('filing-state')).toHaveText('已退回')

  // The branch officer corrects the summary and files again.
  const branch = await (await browser.newContext()).newPage()
  problems.push(...watchPage(branch))
  await signIn(branch, who.branch)
  await openFiling(branch, '昌硕分会第一支部', '2026Q3')
  await expect(branch.getByTestId('filing-state')).toHaveText('已退回')
  await expect(branch.getByRole('cell', { name: '请补充第三季度经营表现情况说明' })).toBeVisible()
  await checkA11y(branch, 'filing page (unit)')
  await shot(branch, 'filing')
  await branch.getByLabel('情况说明').fill('第三季度支部党员经营情况良好，已补充说明。')
  // A note on one line of the 季报表, saved with the summary.
  const lineNote = branch.getByRole('textbox', { name: /备注$/ }).first()
  await lineNote.fill('已电话核实')
  await branch.getByRole('button', { name: '保存' }).first().click()
  await expect(branch.getByRole('textbox', { name: /备注$/ }).first()).toHaveValue('已电话核实')
  await branch.getByRole('button', { name: '提交' }).click()
  await expect(branch.getByTestId('filing-state')).toHaveText('已报送，待审核')

  // The committee's open page follows the resubmission live (/events), without a reload.
  await expect(assoc.getByTestId('filing-state')).toHaveText('已报送，待审核')
  await expect(assoc.getByLabel('情况说明')).toHaveValue('第三季度支部党员经营情况良好，已补充说明。')
  await expect(assoc.getByRole('cell', { name: '已电话核实' })).toBeVisible()
  await assoc.getByRole('button', { name: '接收' }).click()
  await expect(assoc.getByTestId('filing-state')).toHaveText('已备案')

  // The 季报表 prints from the server's document.
  const popup = assoc.waitForEvent('popup')
  await assoc.getByRole('button', { name: '打印' }).click()
  const doc = await popup
  await expect(doc.locator('body')).toContainText('季报表')
  expect(problems).toEqual([])
})
