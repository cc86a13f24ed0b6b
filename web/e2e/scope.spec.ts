import { test, expect } from '@playwright/test'
import { signIn, token, watchPage, who } from './support'

test('a village recorder cannot see another village’s member, even by typing its URL', async ({ page, request }) => {
  // A member the county admin sees but village.0001's village does not hold.
  const admin = await token(request, who.admin)
  const village = await token(request, who.village)
  const all = await (await request.get('/api/v1/members?limit=200', { headers: { Authorization: `Bearer ${admin}` } })).json()
  let outside: { id: string; name: string } | undefined
  for (const m of all.items) {
    const r = await request.get(`/api/v1/members/${m.id}`, { headers: { Authorization: `Bearer ${village}` } })
    if (r.status() === 404) {
      outside = m
      break
    }
  }
  expect(outside, 'the demo has members outside the village').toBeTruthy()

  const problems = watchPage(page)
  await signIn(page, who.village)
  await page.goto(`/members/${outside!.id}`)
  await expect(page.getByRole('alert')).toContainText('不存在')
  await expect(page.getByText(outside!.name, { exact: true })).toHaveCount(0)
  // Nor through the register's search.
  await page.goto(`/members?name=${encodeURIComponent(outside!.name)}`)
  await expect(page.getByRole('cell', { name: outside!.name, exact: true })).toHaveCount(0)
  // A screen the role does not have is refused, not shown empty.
  await page.goto('/province')
  await expect(page.getByRole('heading', { name: '无权访问此页面。' })).toBeVisible()
  expect(problems).toEqual([])
})

test('a server error shows a message, not a blank page', async ({ page }) => {
  await signIn(page, who.village)
  await page.route('**/api/v1/deadlines**', (r) => r.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }))
  await page.getByRole('link', { name: '期限看板' }).click()
  await expect(page.getByRole('alert')).toContainText('服务器错误（502）')
  // The shell is still there: the user can go elsewhere.
  await page.unroute('**/api/v1/deadlines**')
  await page.getByRole('link', { name: '党员名册' }).click()
  await expect(page.getByRole('heading', { name: '党员名册', level: 1 })).toBeVisible()
})
