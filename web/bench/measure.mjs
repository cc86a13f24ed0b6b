// bench/web's measurements, in Debian's Chromium against a running server (SHUANGLIAN_E2E_URL):
//   1. the JavaScript (and CSS) the first screen loads, as transferred (gzip) and unpacked;
//   2. time to a usable first screen (the sign-in form, then my work after sign-in), with the
//      CPU slowed 4× (Chrome DevTools' throttling), median of RUNS cold loads;
//   3. the member register's 50-row page: data arrival → rows in the document ('list-render').
import { chromium } from 'playwright-core'

const BASE = process.env.SHUANGLIAN_E2E_URL
const RUNS = Number(process.env.RUNS ?? 7)
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args })
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function signInToken(username = 'village.0001') {
  const r = await fetch(`${BASE}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant_code: '330523', username, password: 'Shuanglian-demo-2026' }),
  })
  return (await r.json()).token
}

async function fresh(throttle) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  const cdp = await ctx.newCDPSession(page)
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  if (throttle) await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle })
  return { ctx, page }
}

// 1. What the first screen loads.
{
  const { ctx, page } = await fresh(0)
  const loaded = []
  page.on('requestfinished', async (req) => {
    const url = new URL(req.url())
    if (!/\.(js|css)$/.test(url.pathname)) return
    const sizes = await req.sizes()
    const body = (await (await req.response()).body()).length
    loaded.push({ path: url.pathname, kind: url.pathname.endsWith('.js') ? 'js' : 'css', wire: sizes.responseBodySize, body })
  })
  await page.goto(`${BASE}/signin`, { waitUntil: 'networkidle' })
  const sum = (k, f) => loaded.filter((x) => x.kind === k).reduce((a, x) => a + x[f], 0)
  console.log(`first screen (/signin) loads ${loaded.filter((x) => x.kind === 'js').length} scripts: ${(sum('js', 'wire') / 1024).toFixed(1)} KiB gzip (${(sum('js', 'body') / 1024).toFixed(1)} KiB unpacked); css ${(sum('css', 'wire') / 1024).toFixed(1)} KiB gzip`)
  await ctx.close()
}

// 2. Usable first screen, CPU 4× slower.
for (const throttle of [1, 4]) {
  const signin = []
  const work = []
  for (let i = 0; i < RUNS; i++) {
    let { ctx, page } = await fresh(throttle)
    const t0 = Date.now()
    await page.goto(`${BASE}/signin`)
    await page.getByRole('button', { name: '登录' }).waitFor({ state: 'visible' })
    await page.getByLabel('用户名').waitFor()
    signin.push(Date.now() - t0)
    await ctx.close()
    ;({ ctx, page } = await fresh(throttle))
    const token = await signInToken()
    await page.addInitScript((t) => sessionStorage.setItem('shuanglian.token', t), token)
    const t1 = Date.now()
    await page.goto(`${BASE}/work`)
    await page.locator('.el-table__row').first().waitFor({ state: 'visible' })
    work.push(Date.now() - t1)
    await ctx.close()
  }
  console.log(`CPU ${throttle}x: sign-in form usable p50 ${median(signin)} ms (min ${Math.min(...signin)}, max ${Math.max(...signin)}); my work with rows p50 ${median(work)} ms (min ${Math.min(...work)}, max ${Math.max(...work)}); ${RUNS} cold loads each`)
}

// 3. A 50-row page of the register.
for (const throttle of [1, 4]) {
  const { ctx, page } = await fresh(throttle)
  // The association committee sees the whole county's register (no second factor needed).
  const token = await signInToken('assoc.0009')
  await page.addInitScript((t) => sessionStorage.setItem('shuanglian.token', t), token)
  await page.goto(`${BASE}/members`)
  await page.locator('.el-table__row').nth(49).waitFor()
  const times = []
  for (let i = 0; i < RUNS; i++) {
    await page.evaluate(() => performance.clearMeasures('list-render'))
    const next = page.getByRole('button', { name: '下一页' })
    if (await next.isDisabled()) break
    await next.click()
    await page.waitForFunction(() => performance.getEntriesByName('list-render').length > 0)
    times.push(await page.evaluate(() => performance.getEntriesByName('list-render')[0].duration))
  }
  const rows = await page.locator('.el-table__row').count()
  console.log(`CPU ${throttle}x: member register page of ${rows} rows rendered p50 ${median(times).toFixed(1)} ms (max ${Math.max(...times).toFixed(1)}; ${times.length} pages)`)
  await ctx.close()
}
await browser.close()
