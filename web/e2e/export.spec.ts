import { test, expect } from '@playwright/test'
import { readFileSync } from 'node:fs'
import { signIn, checkA11y, watchPage, shot, who } from './support'

test('a county admin approves an export and the requester downloads it once', async ({ browser }) => {
  const reason = `村党组织换届核对名册 ${Date.now()}`
  const branch = await (await browser.newContext()).newPage()
  const problems = watchPage(branch)
  await signIn(branch, who.branch)
  await branch.getByRole('link', { name: '名册导出' }).click()
  await branch.getByRole('button', { name: '申请导出' }).click()
  const dialog = branch.getByRole('dialog', { name: '申请导出' })
  await dialog.getByText('含完整身份证号').click()
  // A reason is required: the server says so next to the field.
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(dialog.locator('.el-form-item__error')).toBeVisible()
  await dialog.getByLabel('用途').fill(reason)
  await checkA11y(branch, 'export request')
  await dialog.getByRole('button', { name: '确认' }).click()
  const mine = branch.getByRole('row').filter({ hasText: reason })
  await expect(mine.getByTestId('export-status')).toHaveText('待审批')

  const admin = await (await browser.newContext()).newPage()
  problems.push(...watchPage(admin))
  await signIn(admin, who.admin)
  await admin.getByRole('link', { name: '名册导出' }).click()
  const row = admin.getByRole('row').filter({ hasText: reason })
  await checkA11y(admin, 'exports (admin)')
  await shot(admin, 'exports')
  await row.getByRole('button', { name: '批准' }).click()
  await expect(row.getByTestId('export-status')).toHaveText('已批准')

  // The requester's list follows the decision live (/events), without a reload.
  await expect(mine.getByTestId('export-status')).toHaveText('已批准')
  const download = branch.waitForEvent('download')
  await mine.getByRole('button', { name: '下载' }).click()
  const file = await download
  const bytes = readFileSync((await file.path())!)
  expect(bytes.subarray(0, 2).toString()).toBe('PK') // an xlsx (zip)
  await expect(mine.getByTestId('export-status')).toHaveText('已下载')
  await expect(mine.getByRole('button', { name: '下载' })).toHaveCount(0)
  expect(problems).toEqual([])
})
