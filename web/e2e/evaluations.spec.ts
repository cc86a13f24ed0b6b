import { test, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test'
import { signIn, checkA11y, watchPage, shot, token, who, type Who } from './support'

// 支部（党员服务中心）规范化建设考评定级 (seed 003): the association committee grades last year's
// party branches and service centres (any time for a past year). assoc.0009 opens last year's
// list, opens a unit the committee has not graded (or, when the demo has graded them all, one it
// grades again with If-Match), adopts the deductions the records propose or enters one, sees a
// rule's bounds refused next to the points, and submits: the total, the grade and the county
// place follow. Branch staff see the list and their units but no grading button. The county
// admin reads the rubric and adds a version from a copy of the latest.

const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date())) - 1
type Summary = { unit_id: string; unit_name: string; unit_kind: string; total?: number; rank?: number }
type Finding = { rule: string; points: number; count: number }
type View = { unit_name: string; version: number; proposals: { findings: Finding[]; conditions: unknown[] }; assessment?: { total: number; grade: string }; rank?: number; ranked: number; may_assess: boolean }

async function get(request: APIRequestContext, w: Who, path: string) {
  const r = await request.get(`/api/v1${path}`, { headers: { Authorization: `Bearer ${await token(request, w)}` } })
  expect(r.status(), await r.text()).toBe(200)
  return r.json()
}

async function openList(page: Page) {
  await page.getByRole('link', { name: '考评定级' }).click()
  await expect(page.getByRole('heading', { name: '考评定级', level: 1 })).toBeVisible()
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
}

/** Opens a select from the keyboard and picks an option. */
async function pick(page: Page, combobox: Locator, option: string | RegExp) {
  await combobox.focus()
  await page.keyboard.press('Enter')
  await page.getByRole('option', typeof option === 'string' ? { name: option, exact: true } : { name: option }).click()
}

async function pickYear(page: Page) {
  await pick(page, page.getByRole('combobox', { name: '年度' }), String(year))
  await expect(page).toHaveURL(new RegExp(`year=${year}`))
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
}

test.describe.serial('last year’s grading by the association committee', () => {
  const shared: { unit?: Summary } = {}

  test('the committee adopts the proposals, a rule’s bounds are refused inline, the grade and place follow', async ({ page, request }) => {
    const problems = watchPage(page)
    const list = (await get(request, who.assoc, `/evaluations/branches?year=${year}`)).items as Summary[]
    expect(list.length, 'the demo county has party branches and centres to grade').toBeGreaterThan(0)
    // A unit the committee has not graded, else (the demo graded them all) one graded again.
    const unit = list.find((u) => u.total === undefined || u.total === null) ?? list[list.length - 1]
    shared.unit = unit
    const before = (await get(request, who.assoc, `/evaluations/branches/${unit.unit_id}/${year}`)) as View
    expect(before.may_assess).toBe(true)

    await signIn(page, who.assoc)
    await openList(page)
    await checkA11y(page, 'branch grading (this year)')
    await pickYear(page)
    const rows = page.getByTestId('evaluations').locator('tbody tr')
    await expect(rows).toHaveCount(list.length)
    await expect(page.getByTestId('grade-counts')).toContainText('较好')
    await checkA11y(page, 'branch grading')
    await shot(page, 'evaluations')

    // The county ranking prints from the server, with the token.
    const printed = page.waitForEvent('popup')
    await page.getByRole('button', { name: '打印排名' }).click()
    const tab = await printed
    await tab.waitForLoadState()
    await expect(tab.locator('body')).toContainText(String(year))
    await tab.close()
    const saved = page.waitForEvent('download')
    await page.getByRole('button', { name: '下载 Excel' }).click()
    expect((await saved).suggestedFilename()).toBe(`考评定级-${year}.xlsx`)

    await page.getByRole('link', { name: unit.unit_name, exact: true }).click()
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${unit.unit_name} · ${year} 年考评定级`)
    await expect(page.getByTestId('scores').locator('tbody tr').first()).toBeVisible()
    // Branch staff write the self-assessment; the committee only grades.
    await expect(page.getByRole('button', { name: '自评', exact: true })).toHaveCount(0)
    await checkA11y(page, 'a unit’s grading')
    await shot(page, 'evaluation')

    const dialog = page.getByRole('dialog')
    const proposed = before.proposals.findings.length
    if (proposed + before.proposals.conditions.length > 0) {
      await page.getByTestId('proposals').getByRole('button', { name: '采纳建议' }).click()
      await expect(dialog).toBeVisible()
      // Each proposed deduction is a line of the form, with the records' evidence.
      if (proposed) await expect(dialog.getByRole('group', { name: /^第 \d+ 项$/ }).nth(proposed - 1)).toBeVisible()
    } else {
      await page.getByRole('button', { name: before.assessment ? '重新考评定级' : '考评定级', exact: true }).click()
      await expect(dialog).toBeVisible()
    }
    await checkA11y(page, 'the grading form')
    await shot(page, 'evaluation-form')

    // One more finding: 落实上级党组织工作部署不到位 takes 1 to 3 points; 5 is refused next to the points.
    const n = await dialog.getByRole('group', { name: /^第 \d+ 项$/ }).count()
    await dialog.getByRole('button', { name: '添加扣（加）分项' }).click()
    const line = dialog.getByTestId(`finding-${n}`)
    await pick(page, line.getByRole('combobox', { name: `扣（加）分项（第 ${n + 1} 项）` }), /落实上级党组织工作部署不到位/)
    await expect(line.getByLabel('分值')).toHaveValue('1')
    await line.getByLabel('分值').fill('5')
    await line.getByLabel('依据').fill('年度重点工作未按期完成')
    await dialog.getByRole('button', { name: '提交' }).click()
    const error = line.locator('.el-form-item', { has: page.getByLabel('分值') }).locator('.el-form-item__error')
    await expect(error).toContainText(`findings[${n}].points`)
    await expect(error).toContainText('该项每次扣（加）')
    await checkA11y(page, 'the grading form refused')

    // Within the bounds it is taken: the total, the grade and a place in the county.
    await line.getByLabel('分值').fill('1.5')
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect(dialog).toBeHidden()
    await expect(page.getByTestId('state')).toHaveText('已考评定级')
    const after = (await get(request, who.assoc, `/evaluations/branches/${unit.unit_id}/${year}`)) as View
    expect(after.version).toBeGreaterThan(before.version)
    expect(after.assessment).toBeTruthy()
    await expect(page.getByTestId('total')).toContainText(String(after.assessment!.total))
    await expect(page.getByTestId('grade')).toHaveText(after.assessment!.grade)
    expect(['好', '较好', '一般', '较差']).toContain(after.assessment!.grade)
    await expect(page.getByTestId('rank')).toHaveText(`第${after.rank}名/共${after.ranked}个`)
    await expect(page.getByRole('button', { name: '重新考评定级' })).toBeVisible()
    await checkA11y(page, 'a graded unit')

    // Back on the list, the unit is ranked with its total and grade.
    await page.getByRole('link', { name: /返回考评定级/ }).click()
    await expect(page).toHaveURL(new RegExp(`year=${year}`))
    const row = page.getByTestId('evaluations').locator('tbody tr').filter({ hasText: unit.unit_name })
    await expect(row.getByTestId('assessment')).toContainText(after.assessment!.grade)
    await expect(row.getByTestId('rank')).toHaveText(String(after.rank))
    expect(problems).toEqual([])
  })

  test('graded again with If-Match: the form starts from the grading recorded', async ({ page, request }) => {
    const problems = watchPage(page)
    const unit = shared.unit!
    const before = (await get(request, who.assoc, `/evaluations/branches/${unit.unit_id}/${year}`)) as View
    await signIn(page, who.assoc)
    await page.goto(`/evaluations/${unit.unit_id}/${year}`)
    await page.getByRole('button', { name: '重新考评定级' }).click()
    const dialog = page.getByRole('dialog')
    const lines = dialog.getByRole('group', { name: /^第 \d+ 项$/ })
    const n = await lines.count()
    expect(n).toBeGreaterThan(0)
    await dialog.getByRole('button', { name: `删除第 ${n} 项` }).click()
    await expect(lines).toHaveCount(n - 1)
    await dialog.getByLabel('说明').fill('复核后删除一项')
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect(dialog).toBeHidden()
    const after = (await get(request, who.assoc, `/evaluations/branches/${unit.unit_id}/${year}`)) as View
    expect(after.version).toBeGreaterThan(before.version)
    await expect(page.getByTestId('total')).toContainText(String(after.assessment!.total))
    await expect(page.getByText('说明：复核后删除一项')).toBeVisible()
    expect(problems).toEqual([])
  })
})

test('branch staff see the list and a unit, but no grading button; they self-assess', async ({ page, request }) => {
  const problems = watchPage(page)
  const list = (await get(request, who.branch, `/evaluations/branches?year=${year}`)).items as Summary[]
  expect(list.length).toBeGreaterThan(0)
  // A unit the committee has not graded: its staff may still assess themselves.
  const unit = list.find((u) => u.total === undefined || u.total === null) ?? list[0]
  const before = (await get(request, who.branch, `/evaluations/branches/${unit.unit_id}/${year}`)) as View & { may_self_assess: boolean }
  expect(before.may_assess).toBe(false)
  await signIn(page, who.branch)
  await openList(page)
  await pickYear(page)
  await expect(page.getByTestId('evaluations').locator('tbody tr')).toHaveCount(list.length)
  await checkA11y(page, 'branch grading (branch staff)')
  await page.getByRole('link', { name: unit.unit_name, exact: true }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${unit.unit_name} · ${year} 年考评定级`)
  await expect(page.getByTestId('scores')).toBeVisible()
  await expect(page.getByRole('button', { name: /考评定级$/ })).toHaveCount(0)
  await checkA11y(page, 'a unit’s grading (branch staff)')
  if (before.may_self_assess) {
    await page.getByRole('button', { name: '自评', exact: true }).click()
    const dialog = page.getByRole('dialog')
    await expect(dialog).toBeVisible()
    if (before.proposals.findings.length + before.proposals.conditions.length > 0) await dialog.getByRole('button', { name: '采纳建议' }).click()
    await dialog.getByLabel('说明').fill('对照记录自评')
    await checkA11y(page, 'the self-assessment form')
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect(dialog).toBeHidden()
    await expect(page.getByTestId('state')).toHaveText('已自评')
    const after = (await get(request, who.branch, `/evaluations/branches/${unit.unit_id}/${year}`)) as View & { self_assessment?: { total: number; grade: string } }
    await expect(page.getByTestId('self-total')).toHaveText(`${after.self_assessment!.total} · ${after.self_assessment!.grade}`)
  }
  expect(problems).toEqual([])
})

test('the county admin reads the rubric and adds a version from the latest', async ({ page }) => {
  const problems = watchPage(page)
  await signIn(page, who.admin)
  await openList(page)
  await page.getByRole('link', { name: '评分标准' }).click()
  await expect(page.getByRole('heading', { name: '评分标准', level: 1 })).toBeVisible()
  await expect(page.getByTestId('rubric-name')).toContainText('支部（党员服务中心）规范化建设考评定级')
  await expect(page.getByTestId('bands')).toContainText('较好')
  await checkA11y(page, 'rubric')
  await shot(page, 'rubric')

  await page.getByRole('button', { name: '新增版本' }).click()
  const dialog = page.getByRole('dialog', { name: '新增版本' })
  await checkA11y(page, 'new rubric version')
  // The grades must descend: 较好 above 好 is refused next to the grades.
  const good = Number(await dialog.getByLabel('好 · 最低分', { exact: true }).inputValue())
  await dialog.getByLabel('较好 · 最低分', { exact: true }).fill(String(good + 1))
  await dialog.getByRole('button', { name: '保存' }).click()
  await expect(dialog.getByRole('group', { name: '等次划分' }).getByText(/^bands：/)).toBeVisible()
  await dialog.getByLabel('较好 · 最低分', { exact: true }).fill(String(good - 10))
  await dialog.getByLabel('名称', { exact: true }).fill('支部（党员服务中心）规范化建设考评定级（修订）')
  await dialog.getByRole('button', { name: '保存' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByRole('status')).toHaveText(/已保存第 \d+ 版/)
  await expect(page.getByTestId('rubric-name')).toContainText('（修订）')
  expect(problems).toEqual([])
})
