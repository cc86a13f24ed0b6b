import { test, expect } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, who } from './support'

// Every screen of every role: it renders, shows no error, and axe finds nothing serious.
const screens: [keyof typeof who, string, string][] = [
  ['admin', '我的待办', 'work'],
  ['admin', '党员名册', 'members'],
  ['admin', '期限看板', 'deadlines'],
  ['admin', '党员诉求', 'service-requests-county'],
  ['admin', '党员活动', 'activities-county'],
  ['admin', '隐私与审计', 'privacy'],
  ['admin', '半年统计', 'statistics-periods'],
  ['village', '季度报送', 'filings'],
  ['township', '双向报到', 'handbooks-township'],
  ['township', '教育培训率', 'training-township'],
  ['township', '市场“六化”', 'market-standards-township'],
  ['province', '省局：期限执行', 'province'],
  ['province', '省局：半年统计', 'province-statistics-latest'],
]

for (const [role, menu, name] of screens) {
  test(`${role}: ${menu}`, async ({ page }) => {
    const problems = watchPage(page)
    await signIn(page, who[role])
    await page.getByRole('link', { name: menu }).click()
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/./)
    await expect(page.getByRole('link', { name: menu })).toHaveAttribute('aria-current', 'page')
    await expect(page.locator('.el-loading-mask')).toHaveCount(0)
    await expect(page.getByRole('alert')).toHaveCount(0)
    await checkA11y(page, name)
    await shot(page, name)
    expect(problems).toEqual([])
  })
}

test('the member register: search by name, open a member, unmask with a reason', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.admin)
  await page.getByRole('link', { name: '党员名册' }).click()
  await expect(page.getByRole('heading', { name: '党员名册', level: 1 })).toBeVisible()
  const first = page.getByRole('main').getByRole('row').nth(1).getByRole('link').first()
  const name = (await first.textContent())!.trim()
  await page.getByLabel('姓名/拼音首字母').fill(name)
  await page.getByRole('button', { name: '查询' }).click()
  await expect(page).toHaveURL(/name=/)
  await page.getByRole('link', { name, exact: true }).first().click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await expect(page.getByTestId('id-number')).toContainText('*')
  await checkA11y(page, 'member page')
  await shot(page, 'member')
  await page.getByRole('button', { name: '查看完整信息' }).click()
  const dialog = page.getByRole('dialog', { name: '查看完整信息' })
  await dialog.getByLabel('查看理由（将记入审计日志）').fill('核对换届选举名册')
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('id-number')).not.toContainText('*')
  expect(problems).toEqual([])
})

test('the county admin sees the unmasking in its log, verifies the chain, and sets the policy', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.admin)
  await page.getByRole('link', { name: '隐私与审计' }).click()
  await page.getByRole('tab', { name: '解除脱敏记录' }).click()
  await expect(page).toHaveURL(/action=member.unmask/)
  // The unmasking of the test above, with its reason.
  await expect(page.getByRole('cell', { name: '核对换届选举名册' }).first()).toBeVisible()
  await checkA11y(page, 'unmasking log')
  await page.getByRole('tab', { name: '审计日志' }).click()
  await page.getByRole('button', { name: '校验审计链' }).click()
  await expect(page.getByTestId('chain')).toContainText('审计链完整')
  await page.getByRole('tab', { name: '脱敏策略' }).click()
  const phone = page.getByRole('combobox', { name: '村/社区记录员 手机号码' })
  await phone.focus()
  await page.keyboard.press('Enter')
  await page.getByRole('option', { name: '申请查看' }).click()
  await page.getByRole('button', { name: '保存' }).click()
  await expect(page.getByRole('status')).toHaveText('已保存。')
  await page.reload()
  await expect(page.getByRole('combobox', { name: '村/社区记录员 手机号码' }).locator('xpath=ancestor::div[contains(@class,"el-select__wrapper")]')).toContainText('申请查看')
  expect(problems).toEqual([])
})

test('QQ groups: a group’s roster and an imported list compared with it', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.admin)
  await page.getByRole('link', { name: 'QQ群' }).click()
  await expect(page.getByRole('heading', { name: /花名册（[1-9]/ })).toBeVisible()
  // Identifiers stay masked in the roster.
  await expect(page.getByRole('main').getByRole('cell', { name: /^\d{2,3}\*+\d{2,4}$/ }).first()).toBeVisible()
  await page.getByRole('button', { name: '查看比对' }).first().click()
  await expect(page).toHaveURL(/snapshot=/)
  await expect(page.getByTestId('diff-summary')).toContainText('与花名册对上')
  await checkA11y(page, 'qq diff')
  await shot(page, 'qq')
  // The URL reopens the same comparison.
  await page.reload()
  await expect(page.getByTestId('diff-summary')).toBeVisible()
  expect(problems).toEqual([])
})

test('English can be switched on and stays on', async ({ page }) => {
  await signIn(page, who.village)
  await page.getByRole('button', { name: 'English' }).click()
  await expect(page.getByRole('link', { name: 'My work' })).toBeVisible()
  await page.reload()
  await expect(page.getByRole('link', { name: 'Member register' })).toBeVisible()
  await page.getByRole('button', { name: '中文' }).click()
  await expect(page.getByRole('link', { name: '我的待办' })).toBeVisible()
})
