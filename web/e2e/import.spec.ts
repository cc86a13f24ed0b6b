import { test, expect } from '@playwright/test'
import { resolve } from 'node:path'
import { signIn, checkA11y, watchPage, shot, who } from './support'

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
