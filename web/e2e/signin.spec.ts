import { test, expect } from '@playwright/test'
import { token, watchPage, who, checkA11y } from './support'

test('a new user signs in with the one-time password and must change it first', async ({ page, request }) => {
  // The county admin creates the account; the reply carries the one-time password.
  const admin = await token(request, who.admin)
  const username = `cun.e2e${Date.now() % 100000}`
  const r = await request.post('/api/v1/users', {
    headers: { Authorization: `Bearer ${admin}` },
    data: { username, display_name: '测试记录员', role: 'association_committee' },
  })
  expect(r.status(), await r.text()).toBe(201)
  const otp = (await r.json()).credential.one_time_password as string

  const problems = watchPage(page)
  await page.goto('/members')
  // Not signed in: the page asks for it, and comes back after.
  await expect(page).toHaveURL(/\/signin\?next=/)
  await page.getByLabel('县（区）代码').fill('330523')
  await page.getByLabel('用户名').fill(username)
  // A wrong password is refused with the server's words, and nothing else happens.
  await page.getByLabel('密码', { exact: true }).fill('not-the-password')
  await page.getByRole('button', { name: '登录' }).click()
  await expect(page.getByRole('alert')).toBeVisible()
  await page.getByLabel('密码', { exact: true }).fill(otp)
  await page.getByRole('button', { name: '登录' }).click()
  await expect(page.getByRole('heading', { name: '首次登录，请修改密码' })).toBeVisible()
  await checkA11y(page, 'password change')
  // Too short: the server's rule, shown next to the field.
  await page.getByLabel('新密码', { exact: true }).fill('short')
  await page.getByLabel('再次输入新密码').fill('short')
  await page.getByRole('button', { name: '修改密码' }).click()
  await expect(page.locator('.el-form-item__error')).toBeVisible()
  const fresh = `Cun-e2e-${Date.now()}!x`
  await page.getByLabel('新密码', { exact: true }).fill(fresh)
  await page.getByLabel('再次输入新密码').fill(fresh)
  await page.getByRole('button', { name: '修改密码' }).click()
  // Signed in with the new password, on the page first asked for.
  await expect(page.getByRole('heading', { name: '党员名册', level: 1 })).toBeVisible()
  await expect(page).toHaveURL(/\/members$/)
  // The token lives in this tab's sessionStorage, never in a cookie.
  expect(await page.context().cookies()).toEqual([])
  expect(problems).toEqual([])
})
