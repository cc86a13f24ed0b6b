import { test, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who, type Who } from './support'

// Registration at the window (党员登记报到, issue 15 item 1): centre.0001 takes the survey of a
// member who comes to the centre (an invalid mobile number is refused next to its field first),
// calls the home organisation twice (no answer, then confirmed), records the pledge, issues the
// plaque and the service handbook (with the keyboard only), enters the member in the register
// and follows the link to the member. The demo's stalled registrations are listed with why.

const NAME = '周晓梅'
const BUSINESS = '晓梅鲜花店'
const HOME = '江西省上饶市玉山县冰溪街道党工委'
const shared: { id?: string } = {}

async function get(request: APIRequestContext, w: Who, path: string) {
  const r = await request.get(`/api/v1${path}`, { headers: { Authorization: `Bearer ${await token(request, w)}` } })
  expect(r.status(), await r.text()).toBe(200)
  return r.json()
}

/** Opens a select from the keyboard and picks an option (the first when none is named). */
async function pick(page: Page, combobox: Locator, option?: string) {
  await combobox.focus()
  await page.keyboard.press('Enter')
  const o = option ? page.getByRole('option', { name: option, exact: true }) : page.locator('.el-select-dropdown:visible').getByRole('option').first()
  await o.click()
}

/** Tabs until `target` has the focus (at most `n` presses). */
async function tabTo(page: Page, target: Locator, n = 15) {
  for (let i = 0; i < n && !(await target.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab')
  await expect(target).toBeFocused()
}

async function step(page: Page, button: string) {
  await page.getByRole('button', { name: button, exact: true }).click()
  const dialog = page.getByRole('dialog', { name: button })
  await expect(dialog).toBeVisible()
  return dialog
}

test.describe.serial('a registration from the survey to the register', () => {
  test('centre staff take the survey; an invalid mobile number is refused next to its field', async ({ page }) => {
    const problems = watchPage(page)
    await signIn(page, who.centre)
    await page.getByRole('link', { name: '党员登记报到' }).click()
    await expect(page.getByRole('heading', { name: '党员登记报到', level: 1 })).toBeVisible()
    await expect(page.locator('.el-loading-mask')).toHaveCount(0)
    await expect(page.getByTestId('registrations').locator('tbody tr').first()).toBeVisible()
    await checkA11y(page, 'registrations')
    await shot(page, 'registrations')

    await page.getByRole('button', { name: '登记', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: '登记' })
    await expect(dialog.getByLabel('姓名')).toBeVisible()
    await dialog.getByLabel('姓名').fill(NAME)
    await dialog.getByLabel('手机号码').fill('1391234')
    await dialog.getByLabel('经营主体名称').fill(BUSINESS)
    await dialog.getByLabel('组织关系所在党组织（县外，填写名称）').fill(HOME)
    await pick(page, dialog.getByRole('combobox', { name: '组织生活所在党组织' }))
    await checkA11y(page, 'register dialog')
    await dialog.getByRole('button', { name: '保存' }).click()
    // The server's message, next to the field it names.
    const phone = dialog.locator('.el-form-item').filter({ has: page.getByLabel('手机号码') })
    await expect(phone.locator('.el-form-item__error')).toBeVisible()
    await expect(phone.locator('.el-form-item__error')).toContainText('phone')
    await checkA11y(page, 'register dialog with an error')
    await dialog.getByLabel('手机号码').fill('13912345678')
    await dialog.getByRole('button', { name: '保存' }).click()

    await expect(page.getByRole('heading', { name: NAME, level: 1 })).toBeVisible()
    await expect(page.getByTestId('registration-state')).toHaveText('已填写调查表')
    // Shown masked.
    await expect(page.getByTestId('phone-masked')).not.toHaveText('13912345678')
    await expect(page.getByTestId('phone-masked')).toContainText('5678')
    shared.id = page.url().split('/').pop()
    await checkA11y(page, 'registration')
    expect(problems).toEqual([])
  })

  test('two calls (no answer, then confirmed), the pledge, plaque and handbook by keyboard, the register', async ({ page, request }) => {
    const problems = watchPage(page)
    await signIn(page, who.centre)
    await page.goto(`/registrations/${shared.id}`)
    await expect(page.getByRole('heading', { name: NAME, level: 1 })).toBeVisible()
    // Only the next step (and closing) is offered.
    await expect(page.getByRole('button', { name: '签订承诺书' })).toHaveCount(0)

    let dialog = await step(page, '电话确认')
    await expect(dialog.getByLabel('所在党组织')).toHaveValue(HOME)
    await dialog.getByLabel('接听人及职务').fill('李明（党工委组织委员）')
    await dialog.getByRole('radio', { name: '无人接听' }).check({ force: true })
    await checkA11y(page, 'call dialog')
    await dialog.getByRole('button', { name: '确认' }).click()
    await expect(dialog).toBeHidden()
    await expect(page.getByTestId('calls').locator('tbody tr')).toHaveCount(1)
    await expect(page.getByTestId('calls')).toContainText('无人接听')
    await expect(page.getByTestId('registration-state')).toHaveText('已填写调查表')

    dialog = await step(page, '电话确认')
    await dialog.getByLabel('接听人及职务').fill('李明（党工委组织委员）')
    await dialog.getByRole('radio', { name: '确认党员身份' }).check({ force: true })
    await dialog.getByLabel('备注').fill('组织关系在冰溪街道，正式党员')
    await dialog.getByRole('button', { name: '确认' }).click()
    await expect(page.getByTestId('registration-state')).toHaveText('已确认身份')
    await expect(page.getByTestId('calls').locator('tbody tr')).toHaveCount(2)

    dialog = await step(page, '签订承诺书')
    await checkA11y(page, 'pledge dialog')
    await dialog.getByRole('button', { name: '确认' }).click()
    // An empty reference is refused next to its field.
    await expect(dialog.locator('.el-form-item__error')).toContainText('reference')
    await dialog.getByLabel('承诺书存放位置（档案号或文件）').fill('服务中心档案 2026-CN-031')
    await dialog.getByRole('button', { name: '确认' }).click()
    await expect(page.getByTestId('registration-state')).toHaveText('已签订承诺书')
    await expect(page.getByTestId('pledge-reference')).toHaveText('服务中心档案 2026-CN-031')

    // Plaque and handbook with the keyboard only: from the back link, Tab to the step.
    await page.getByRole('link', { name: '← 返回' }).focus()
    const issue = page.getByRole('button', { name: '发放牌匾和手册' })
    await tabTo(page, issue)
    await page.keyboard.press('Enter')
    dialog = page.getByRole('dialog', { name: '发放牌匾和手册' })
    await expect(dialog).toBeVisible()
    await checkA11y(page, 'issue dialog')
    await tabTo(page, dialog.getByLabel('亮明身份牌匾编号'))
    await page.keyboard.type('PB-2026-0031')
    await tabTo(page, dialog.getByLabel('党员服务手册编号'), 3)
    await page.keyboard.type('SC-2026-0031')
    const ok = dialog.getByRole('button', { name: '确认' })
    await tabTo(page, ok, 6)
    await page.keyboard.press('Enter')
    await expect(dialog).toBeHidden()
    await expect(page.getByTestId('registration-state')).toHaveText('已发放牌匾和手册')
    await expect(page.getByTestId('plaque-no')).toHaveText('PB-2026-0031')
    await expect(page.getByTestId('handbook-no')).toHaveText('SC-2026-0031')

    dialog = await step(page, '录入名册')
    await checkA11y(page, 'enter dialog')
    await dialog.getByRole('button', { name: '确认' }).click()
    await expect(page.getByTestId('registration-state')).toHaveText('已录入名册')
    await expect(page.getByRole('group', { name: '办理' })).toHaveCount(0)
    await checkA11y(page, 'entered registration')

    const view = await get(request, who.centre, `/registrations/${shared.id}`)
    expect(view.state).toBe('entered')
    expect(view.calls.map((c: { outcome: string }) => c.outcome)).toEqual(['no_answer', 'confirmed'])
    expect(view.member_id).toBeTruthy()

    await page.getByTestId('member-link').click()
    await expect(page).toHaveURL(new RegExp(`/members/${view.member_id}$`))
    await expect(page.getByRole('heading', { name: NAME, level: 1 })).toBeVisible()
    expect(problems).toEqual([])
  })
})

test('the stalled filter lists the demo’s stalled registrations with why', async ({ page, request }) => {
  const problems = watchPage(page)
  const stalled = (await get(request, who.centre, '/registrations?stalled=true&limit=200')).items as { name: string; stalled: string }[]
  expect(stalled.length).toBeGreaterThanOrEqual(2)
  await signIn(page, who.centre)
  await page.goto('/registrations')
  await expect(page.getByRole('heading', { name: '党员登记报到', level: 1 })).toBeVisible()
  await page.locator('label').filter({ hasText: '只看停滞的' }).click()
  await expect(page).toHaveURL(/stalled=true/)
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  const rows = page.getByTestId('registrations').locator('tbody tr')
  await expect(rows).toHaveCount(stalled.length)
  await expect(page.getByTestId('stalled').filter({ hasText: '组织关系所在地未能确认党员身份' }).first()).toBeVisible()
  await expect(page.getByTestId('stalled').filter({ hasText: '超过10天' }).first()).toBeVisible()
  for (const s of stalled) await expect(rows.filter({ hasText: s.name }).first()).toContainText(s.stalled)
  await checkA11y(page, 'stalled registrations')

  // Its page says why too.
  const link = rows.first().getByRole('link')
  const name = (await link.textContent())!.trim()
  const why = stalled.find((s) => s.name === name)!.stalled
  await link.click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await expect(page.getByTestId('registration-stalled')).toHaveText(why)
  await checkA11y(page, 'stalled registration')
  expect(problems).toEqual([])
})

test('the association committee follows registrations read-only', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.assoc)
  await page.getByRole('link', { name: '党员登记报到' }).click()
  await expect(page.getByRole('heading', { name: '党员登记报到', level: 1 })).toBeVisible()
  await expect(page.getByRole('button', { name: '登记', exact: true })).toHaveCount(0)
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  await checkA11y(page, 'registrations (committee)')
  await page.getByTestId('registrations').locator('tbody tr').first().getByRole('link').click()
  await expect(page.getByTestId('registration-state')).toBeVisible()
  await expect(page.getByRole('group', { name: '办理' })).toHaveCount(0)
  await checkA11y(page, 'registration (committee)')
  expect(problems).toEqual([])
})
