import { test, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who, type Who } from './support'

// 教育培训率 (seed 001): the association committee reads this year's rates per category against
// their targets (met or not, in words), per unit from the lowest rate, and who is short of
// their trainings; narrows to one unit (in the URL) and opens a member from the list.

type Rate = { category: string; label: string; members: number; trained: number; rate?: number; target: number; met: boolean }
type Report = { categories: Rate[]; market: Rate; units: { unit_id?: string; unit_name: string; members: number }[] }

async function get(request: APIRequestContext, w: Who, path: string) {
  const r = await request.get(`/api/v1${path}`, { headers: { Authorization: `Bearer ${await token(request, w)}` } })
  expect(r.status(), await r.text()).toBe(200)
  return r.json()
}

async function pick(page: Page, combobox: Locator, option: string) {
  await combobox.focus()
  await page.keyboard.press('Enter')
  await page.getByRole('option', { name: option, exact: true }).first().click()
}

test('the committee reads the rates against the targets and who is missing, narrowed by a unit', async ({ page, request }) => {
  const problems = watchPage(page)
  const report = (await get(request, who.assoc, '/evaluations/training')) as Report
  const missing = await get(request, who.assoc, '/evaluations/training/missing?limit=50')
  await signIn(page, who.assoc)
  await page.getByRole('link', { name: '教育培训率' }).click()
  await expect(page.getByRole('heading', { name: '教育培训率', level: 1 })).toBeVisible()
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)

  const rates = page.getByTestId('rates').locator('tbody tr')
  await expect(rates).toHaveCount(report.categories.length + 1)
  for (const c of report.categories) {
    const row = rates.filter({ hasText: c.label }).first()
    await expect(row).toContainText(`${c.target}%`)
    await expect(row.getByTestId('met')).toHaveText(c.met ? '✓ 达标' : '✗ 未达标')
  }
  await expect(rates.last()).toContainText('市场内党员')
  await expect(page.getByTestId('units').locator('tbody tr')).toHaveCount(report.units.length)
  await expect(page.getByTestId('missing-total')).toHaveText(`共 ${missing.total} 人`)
  await expect(page.getByTestId('missing').locator('tbody tr')).toHaveCount(missing.items.length)
  await checkA11y(page, 'training rates')
  await shot(page, 'training')

  // One unit: the filter goes in the URL and the list is that unit's.
  const unit = report.units.find((u) => u.unit_id && u.members > 0)!
  expect(unit, 'the demo has org-life units with members').toBeTruthy()
  await pick(page, page.getByRole('combobox', { name: '组织（含下级）' }), unit.unit_name)
  await page.getByRole('button', { name: '查询' }).click()
  await expect(page).toHaveURL(/unit=/)
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  const unitId = new URL(page.url()).searchParams.get('unit')!
  const narrowed = await get(request, who.assoc, `/evaluations/training/missing?limit=50&unit_id=${unitId}`)
  expect(narrowed.total).toBeLessThanOrEqual(missing.total)
  await expect(page.getByTestId('missing-total')).toHaveText(`共 ${narrowed.total} 人`)
  await expect(page.getByTestId('missing').locator('tbody tr')).toHaveCount(narrowed.items.length)
  await checkA11y(page, 'training rates of a unit')

  // A member on the list opens on their page.
  if (narrowed.items.length) {
    const m = narrowed.items[0]
    await page.getByTestId('missing').getByRole('link', { name: m.member_name, exact: true }).first().click()
    await expect(page.getByRole('heading', { name: m.member_name, level: 1 })).toBeVisible()
  }
  expect(problems).toEqual([])
})
