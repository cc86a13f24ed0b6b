import { expect, type APIRequestContext, type Page } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { TOTP } from 'otpauth'

export const PASSWORD = 'Shuanglian-demo-2026'
const SECRET = 'SHUANGLIANDEMOSECRETSHUANGLIAN22'

/** The demo's accounts (server/src/demo: staff numbered village ×4, branch ×2, township, AIC, association, county admin; one per service centre). */
export const who = {
  village: { tenant: '330523', username: 'village.0001' },
  village2: { tenant: '330523', username: 'village.0002' },
  branch: { tenant: '330523', username: 'branch.0005' },
  /** Staff of the first service centre (seed 002): its requests in every state. */
  centre: { tenant: '330523', username: 'centre.0001' },
  township: { tenant: '330523', username: 'township.0007' },
  assoc: { tenant: '330523', username: 'assoc.0009' },
  admin: { tenant: '330523', username: 'admin', totp: true },
  province: { tenant: '', username: 'zhejiang', totp: true },
} as const
export type Who = (typeof who)[keyof typeof who]

const totp = new TOTP({ secret: SECRET, digits: 6, period: 30 })
let lastCode = ''
/** A code not used before in this run (the server refuses a replayed one). */
async function freshCode(): Promise<string> {
  for (;;) {
    const c = totp.generate()
    if (c !== lastCode) {
      lastCode = c
      return c
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
}

const signedIn = new Map<string, string>()

/**
 * Signs in through the page, the way a user does (password, then the authenticator code). The
 * same account later in this run reuses its session (the server refuses an authenticator code
 * twice, so a second sign-in would wait up to 30 s for the next one).
 */
export async function signIn(page: Page, w: Who) {
  const known = signedIn.get(w.username)
  if (known) {
    await page.addInitScript((t) => sessionStorage.setItem('shuanglian.token', t), known)
    await page.goto('/')
    await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible()
    return
  }
  await page.goto('/signin')
  await shot(page, 'signin')
  await page.getByLabel('县（区）代码').fill(w.tenant)
  await page.getByLabel('用户名').fill(w.username)
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  if ('totp' in w && w.totp) {
    await page.getByLabel('请输入身份验证器中的 6 位数字').fill(await freshCode())
    await page.getByRole('button', { name: '验证' }).click()
  }
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible()
  signedIn.set(w.username, (await page.evaluate(() => sessionStorage.getItem('shuanglian.token')))!)
}

/** A bearer token for setting up or checking through the API. */
export async function token(request: APIRequestContext, w: Who): Promise<string> {
  const body: Record<string, string> = { username: w.username, password: PASSWORD }
  if (w.tenant) body.tenant_code = w.tenant
  if ('totp' in w && w.totp) body.totp_code = await freshCode()
  const r = await request.post('/api/v1/auth/sign-in', { data: body })
  expect(r.status(), await r.text()).toBe(200)
  return (await r.json()).token
}

/** axe-core on the current page: no serious or critical violations. */
export async function checkA11y(page: Page, screen: string) {
  // A dialog fading in has half-transparent text: let transitions finish first.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'))
  const result = await new AxeBuilder({ page }).analyze()
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
}

/** Fails the test on a Content-Security-Policy violation or an uncaught page error. */
export function watchPage(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  return problems
}

/** Saves a screenshot for the README and the user guide (one backend's run only). */
export async function shot(page: Page, name: string) {
  if (process.env.SHUANGLIAN_E2E_SCREENSHOTS) {
    await page.screenshot({ path: `${process.env.SHUANGLIAN_E2E_SCREENSHOTS}/${name}.png` })
  }
}
