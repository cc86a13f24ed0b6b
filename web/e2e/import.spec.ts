import { test, expect } from '@playwright/test'
import { resolve } from 'node:path'
import { signIn, checkA11y, watchPage, shot, token, who } from './support'

test('a county admin imports the county’s own roster: one unknown name mapped once, then committed', async ({ page }) => {
  test.setTimeout(120_000)
  const problems = watchPage(page)
  await signIn(page, who.admin)
  await page.getByRole('link', { name: '导入名册' }).click()
  await page.getByLabel('名册文件').setInputFiles(resolve(process.cwd(), '../docs/samples/members-county-roster.csv'))
  await page.getByRole('button', { name: '试导入' }).click()
  // The layout found, under the county's saved mapping.
  await expect(page.getByTestId('layout')).toContainText('表头在第')
  // The one name the register lacks, listed once with its rows.
  const unknown = page.getByRole('row').filter({ hasText: '递铺街道红庙村党支部' })
  await expect(unknown).toHaveCount(1)
  await expect(page.getByRole('button', { name: '正式导入' })).toBeDisabled()
  await checkA11y(page, 'import report')
  await shot(page, 'import')

  // Map it to a new village under 递铺街道 (created when the import commits).
  const target = page.getByRole('combobox', { name: '递铺街道红庙村党支部 对应到' })
  await target.fill('递铺街道')
  await page.getByRole('option', { name: '在递铺街道下新建' }).click()
  await unknown.getByRole('button', { name: '对应' }).click()
  await expect(page.getByRole('row').filter({ hasText: '递铺街道红庙村党支部' })).toHaveCount(0)

  // The genuinely bad rows stay listed; skip them and import the rest.
  await expect(page.getByRole('heading', { name: /有问题的行（[1-9]/ })).toBeVisible()
  await page.getByText('跳过有问题的行').click()
  await page.getByRole('button', { name: '正式导入' }).click()
  await expect(page.getByRole('status').filter({ hasText: '导入完成' })).toContainText(/新增 [1-9]/)

  // The same file again changes nothing.
  await page.getByRole('button', { name: '试导入' }).click()
  await page.getByRole('button', { name: '正式导入' }).click()
  await expect(page.getByRole('status').filter({ hasText: '导入完成' })).toContainText('新增 0，更新 0')
  expect(problems).toEqual([])
})

test('a county admin imports the county’s business register through the same flow', async ({ page }) => {
  test.setTimeout(120_000)
  const problems = watchPage(page)
  await signIn(page, who.admin)
  await page.getByRole('link', { name: '导入名册' }).click()
  await page.locator('label.el-radio-button').filter({ hasText: '经营主体名录' }).click()
  await expect(page.getByRole('radio', { name: '经营主体名录' })).toBeChecked()
  await page.getByLabel('名册文件').setInputFiles(resolve(process.cwd(), '../docs/samples/businesses-county-register.csv'))
  await page.getByRole('button', { name: '试导入' }).click()
  await expect(page.getByTestId('layout')).toContainText('表头在第')
  // The market the county writes its own way: listed once, mapped once.
  const unknown = page.getByRole('main').getByRole('row').filter({ has: page.getByRole('button', { name: '对应' }) })
  await expect(unknown).toHaveCount(1)
  const name = (await unknown.getByRole('cell').first().textContent())!.trim()
  await page.getByRole('combobox', { name: `${name} 对应到` }).fill('农贸市场')
  await page.getByRole('option', { name: /农贸市场$/ }).first().click()
  await unknown.getByRole('button', { name: '对应' }).click()
  await expect(page.getByRole('main').getByRole('row').filter({ has: page.getByRole('button', { name: '对应' }) })).toHaveCount(0)
  await checkA11y(page, 'business import')
  await page.getByText('跳过有问题的行').click()
  await page.getByRole('button', { name: '正式导入' }).click()
  await expect(page.getByRole('status').filter({ hasText: '导入完成' })).toContainText(/新增 [1-9]/)
  await page.getByRole('button', { name: '试导入' }).click()
  await page.getByRole('button', { name: '正式导入' }).click()
  await expect(page.getByRole('status').filter({ hasText: '导入完成' })).toContainText('新增 0，更新 0')
  expect(problems).toEqual([])
})

test('a county admin imports a 百日攻坚 survey sheet into the campaign, bad rows named by row and column', async ({ page, request }) => {
  test.setTimeout(120_000)
  const problems = watchPage(page)
  // Two organisations of the register not yet surveyed, by their names (unique in the demo's).
  const auth = { headers: { Authorization: `Bearer ${await token(request, who.assoc)}` } }
  const campaign = (await (await request.get('/api/v1/evaluations/coverage', auth)).json()).items[0]
  const page1 = await (await request.get(`/api/v1/evaluations/coverage/${campaign.id}/organisations?state=unsurveyed&limit=50`, auth)).json()
  const counts = new Map<string, number>()
  for (const o of page1.items) counts.set(o.name, (counts.get(o.name) ?? 0) + 1)
  const names = page1.items.map((o: { name: string }) => o.name).filter((n: string) => counts.get(n) === 1).slice(0, 1)
  expect(names.length).toBe(1)
  const csv = `单位名称,员工人数,正式党员人数,业主身份\n${names[0]},8,3,党员\n没有这家店,2,0,群众\n`
  await signIn(page, who.admin)
  await page.getByRole('link', { name: '导入名册' }).click()
  await page.locator('label.el-radio-button').filter({ hasText: '调查摸底表' }).click()
  await expect(page.getByRole('combobox', { name: '行动' })).toBeVisible()
  await page.getByLabel('名册文件').setInputFiles({ name: '调查摸底表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByRole('button', { name: '试导入' }).click()
  await expect(page.getByTestId('layout')).toContainText('共 2 行数据')
  await expect(page.getByRole('main').getByRole('row').filter({ hasText: '经营主体名录中没有该名称' })).toHaveCount(1)
  await checkA11y(page, 'survey import')
  await page.getByText('跳过有问题的行').click()
  await page.getByRole('button', { name: '正式导入' }).click()
  await expect(page.getByRole('status').filter({ hasText: '导入完成' })).toContainText(/新增 1|更新 1/)
  // The organisation now has its survey: 3 full members, so the suggestion is standalone.
  const org = (await (await request.get(`/api/v1/evaluations/coverage/${campaign.id}/organisations?name=${encodeURIComponent(names[0])}`, auth)).json()).items[0]
  expect(org.survey.party_full).toBe(3)
  expect(['standalone', undefined]).toContain(org.party.suggestion?.form)
  expect(problems).toEqual([])
})
