import { test, expect, type APIRequestContext, type Page } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who, type Who } from './support'

// The 30 December letters (年度函告, issue 15 item 4): the demo gives each centre last year's
// batch sent with most receipts back and this year's as a draft. centre.0001 regenerates this
// year's draft, prints it, sends it by post, records one letter's receipt and chases another;
// the outstanding filter and the counts follow. Last year's batch shows its counts.

const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()))
type Batch = { id: string; year: number; state: string; letters: number; received: number; outstanding: number }
type Letter = { id: string; letter_no: string; member_name: string; received_on?: string; chases: number }

async function get(request: APIRequestContext, w: Who, path: string) {
  const r = await request.get(`/api/v1${path}`, { headers: { Authorization: `Bearer ${await token(request, w)}` } })
  expect(r.status(), await r.text()).toBe(200)
  return r.json()
}

async function openBatches(page: Page) {
  await page.getByRole('link', { name: '年度函告' }).click()
  await expect(page.getByRole('heading', { name: '年度函告', level: 1 })).toBeVisible()
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
}

test.describe.serial('this year’s letters, from the draft to the receipts', () => {
  const shared: { batch?: Batch; letters?: Letter[] } = {}

  test('the demo has last year’s batch sent and this year’s as a draft', async ({ request }) => {
    const batches = (await get(request, who.centre, '/letter-batches')).items as Batch[]
    const now = batches.find((b) => b.year === year)
    const last = batches.find((b) => b.year === year - 1)
    expect(now?.state).toBe('draft')
    expect(last?.state).toBe('sent')
    expect(now!.letters, 'this year’s batch has letters to receipt and chase').toBeGreaterThanOrEqual(2)
    shared.batch = now
  })

  test('centre staff regenerate the draft, print it and send it by post', async ({ page, request }) => {
    const problems = watchPage(page)
    await signIn(page, who.centre)
    await openBatches(page)
    const rows = page.getByTestId('batches').locator('tbody tr')
    await expect(rows).toHaveCount(2)
    await checkA11y(page, 'letter batches')
    await shot(page, 'letter-batches')

    // Generating this year's batch again is refused: it exists.
    await page.getByRole('button', { name: '生成函告' }).click()
    const gen = page.getByRole('dialog', { name: '生成函告' })
    await expect(gen.getByLabel('年度')).toHaveValue(String(year))
    await checkA11y(page, 'generate letters')
    await gen.getByRole('button', { name: '确认' }).click()
    await expect(gen.getByRole('alert')).toBeVisible()
    await gen.getByRole('button', { name: '取消' }).click()
    await expect(gen).toBeHidden()

    await page.getByRole('link', { name: `${year} 年` }).click()
    await expect(page.getByRole('heading', { level: 1 })).toContainText(`${year} 年年度函告`)
    await expect(page.getByTestId('batch-state')).toHaveText('待寄发')
    await expect(page.getByTestId('count-letters')).toHaveText(String(shared.batch!.letters))
    await expect(page.getByTestId('letters').locator('tbody tr').first()).toBeVisible()
    // No receipts before sending.
    await expect(page.getByRole('button', { name: /^登记回执/ })).toHaveCount(0)
    await checkA11y(page, 'draft batch')

    await page.getByRole('button', { name: '重新生成' }).click()
    const regen = page.getByRole('dialog', { name: '重新生成' })
    await checkA11y(page, 'regenerate')
    await regen.getByRole('button', { name: '确认' }).click()
    await expect(regen).toBeHidden()
    await expect(page.getByTestId('batch-state')).toHaveText('待寄发')
    // Written again from the records as they stand now (the count may have moved since the demo
    // composed it): the page shows what the server says.
    shared.batch = (await get(request, who.centre, `/letter-batches/${shared.batch!.id}`)) as Batch
    await expect(page.getByTestId('count-letters')).toHaveText(String(shared.batch.letters))

    // Print: the server's print-ready letters in a new tab.
    const printed = page.waitForEvent('popup')
    // Parts of 500 letters each: one print and one Excel per part.
    const parts = Math.ceil(shared.batch!.letters / 500)
    await expect(page.getByRole('button', { name: /^打印/ })).toHaveCount(parts)
    await page.getByRole('button', { name: parts > 1 ? '打印第 1 册' : '打印函件' }).click()
    const tab = await printed
    await tab.waitForLoadState()
    await expect(tab.locator('body')).toContainText('函')
    await tab.close()

    await page.getByRole('button', { name: '寄发' }).click()
    const send = page.getByRole('dialog', { name: '寄发' })
    await expect(send.getByRole('radio', { name: '邮寄' })).toBeChecked()
    await checkA11y(page, 'send letters')
    await send.getByRole('button', { name: '确认' }).click()
    await expect(send).toBeHidden()
    await expect(page.getByTestId('batch-state')).toHaveText('已寄发')
    await expect(page.getByTestId('count-outstanding')).toHaveText(String(shared.batch!.letters))
    await expect(page.getByTestId('count-received')).toHaveText('0')
    await expect(page.getByRole('button', { name: '重新生成' })).toHaveCount(0)
    expect(problems).toEqual([])
  })

  test('a receipt for one letter and a reminder for another; the outstanding filter follows', async ({ page, request }) => {
    const problems = watchPage(page)
    const letters = (await get(request, who.centre, `/letter-batches/${shared.batch!.id}/letters?limit=2`)).items as Letter[]
    const [first, second] = letters
    await signIn(page, who.centre)
    await page.goto(`/letters/${shared.batch!.id}`)
    await expect(page.getByTestId('batch-state')).toHaveText('已寄发')
    await checkA11y(page, 'sent batch')

    const rows = page.getByTestId('letters').locator('tbody tr')
    await page.getByRole('button', { name: `登记回执：${first.member_name}（${first.letter_no}）` }).click()
    const receipt = page.getByRole('dialog', { name: `登记回执：${first.member_name}（${first.letter_no}）` })
    await receipt.getByLabel('签收人').fill('王建国')
    await checkA11y(page, 'record a receipt')
    await receipt.getByRole('button', { name: '确认' }).click()
    await expect(receipt).toBeHidden()
    await expect(rows.filter({ hasText: first.letter_no }).getByTestId('receipt')).toContainText('王建国')
    await expect(page.getByTestId('count-received')).toHaveText('1')
    await expect(page.getByTestId('count-outstanding')).toHaveText(String(shared.batch!.letters - 1))

    await page.getByRole('button', { name: `催收：${second.member_name}（${second.letter_no}）` }).click()
    const chase = page.getByRole('dialog', { name: `催收：${second.member_name}（${second.letter_no}）` })
    await chase.getByRole('radio', { name: '电话' }).check({ force: true })
    await chase.getByLabel('备注').fill('电话告知尽快寄回回执')
    await checkA11y(page, 'chase a receipt')
    await chase.getByRole('button', { name: '确认' }).click()
    await expect(chase).toBeHidden()
    await expect(rows.filter({ hasText: second.letter_no }).getByTestId('chases')).toContainText('已催收 1 次')

    await page.locator('label').filter({ hasText: '只看未收回回执' }).click()
    await expect(page.locator('.el-loading-mask')).toHaveCount(0)
    await expect(rows.filter({ hasText: first.letter_no })).toHaveCount(0)
    await expect(rows.filter({ hasText: second.letter_no })).toHaveCount(1)
    await checkA11y(page, 'outstanding letters')

    const after = (await get(request, who.centre, `/letter-batches/${shared.batch!.id}/letters?outstanding=true&limit=200`)).items as Letter[]
    expect(after.some((l) => l.id === first.id)).toBe(false)
    expect(after.find((l) => l.id === second.id)?.chases).toBe(1)
    expect(problems).toEqual([])
  })
})

test('last year’s batch shows its receipts back and outstanding', async ({ page, request }) => {
  const problems = watchPage(page)
  const last = ((await get(request, who.centre, `/letter-batches?year=${year - 1}`)).items as Batch[])[0]
  expect(last.state).toBe('sent')
  expect(last.received).toBeGreaterThan(0)
  await signIn(page, who.centre)
  await openBatches(page)
  const row = page.getByTestId('batches').locator('tbody tr').filter({ hasText: `${year - 1} 年` })
  await expect(row.getByTestId('received')).toHaveText(String(last.received))
  await expect(row.getByTestId('outstanding')).toHaveText(String(last.outstanding))
  await row.getByRole('link').click()
  await expect(page.getByTestId('batch-state')).toHaveText('已寄发')
  await expect(page.getByTestId('count-received')).toHaveText(String(last.received))
  await expect(page.getByTestId('count-outstanding')).toHaveText(String(last.outstanding))
  await expect(page.getByTestId('letters').locator('tbody tr').first()).toBeVisible()
  await checkA11y(page, 'last year’s batch')
  expect(problems).toEqual([])
})

test('the county admin follows the letters read-only', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.admin)
  await openBatches(page)
  await expect(page.getByRole('button', { name: '生成函告' })).toHaveCount(0)
  await expect(page.getByTestId('batches').locator('tbody tr').first()).toBeVisible()
  await checkA11y(page, 'letter batches (county)')
  await page.getByTestId('batches').locator('tbody tr').first().getByRole('link').click()
  await expect(page.getByTestId('batch-state')).toBeVisible()
  await expect(page.getByRole('button', { name: '寄发' })).toHaveCount(0)
  await checkA11y(page, 'letter batch (county)')
  expect(problems).toEqual([])
})
