import { test, expect } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, who } from './support'

test('a village recorder signs in and confirms a member’s report', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.village)
  // The first screen is my work, from the deadline engine.
  await expect(page.getByRole('heading', { name: '我的待办', level: 1 })).toBeVisible()
  await checkA11y(page, 'my work')
  await shot(page, 'my-work')

  await page.getByRole('link', { name: '双向报到' }).click()
  await expect(page).toHaveURL(/\/handbooks/)
  const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: '确认村报到' }) }).first()
  await expect(row).toBeVisible()
  const member = (await row.getByRole('link').first().textContent())!.trim()
  await checkA11y(page, 'handbooks')
  await shot(page, 'handbooks')

  await row.getByRole('button', { name: '确认村报到' }).click()
  const dialog = page.getByRole('dialog', { name: '确认村报到' })
  await dialog.getByLabel('备注').fill('本人到村报到，已登记活动台账')
  await checkA11y(page, 'confirm dialog')
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(dialog).toBeHidden()

  // The row now shows the village's confirmation; the branch's is still to come.
  const done = page.getByRole('row').filter({ hasText: member }).first()
  await expect(done).toContainText('已向村（社区）报到')
  await expect(done.getByRole('button', { name: '确认村报到' })).toHaveCount(0)

  // And the member's time line shows it.
  await done.getByRole('link', { name: member }).click()
  await expect(page.getByRole('heading', { name: member, level: 1 })).toBeVisible()
  await expect(page.getByText(/报到/).first()).toBeVisible()
  await checkA11y(page, 'member page')
  expect(problems).toEqual([])
})
