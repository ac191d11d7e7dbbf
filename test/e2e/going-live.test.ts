// Going live from an empty database, in a real browser, as one journey: the bank set up
// through the link the server printed, the administrator's forced password change, 兰考县's
// real divisions loaded, the org tree and 50 staff imported from files; an imported manager
// (forced to choose a password) makes a township territory for an imported officer and
// imports the real 兰考 list; its players land in real townships, placed by their addresses,
// and the township's go to that officer, who finds them in their own list.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { localeCookieValue, openSeededDatabase } from '../support/browser'
import { openBrowserApp } from '../support/browser-app'
import { realList } from '../support/real-lists'
import { WAIT_MS } from '../support/test-constants'

const LANKAO_LIST = realList('henan2019_lankao410225.csv')
/** 谷营镇, a real township of 兰考县 (GB/T 2260) that the list's addresses name. */
const GUYING = { code: '410225105', name: '谷营镇' }

let dir: string

const { app, session } = openBrowserApp({ env: { WANQI_SEED: 'none', LOAN_SIM: 'none', MAP_TILES: 'none' } })

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-e2e-golive-'))
})

afterAll(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

async function heading(page: Page, text: string) {
  await page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor()
}

async function signIn(page: Page, username: string, password: string) {
  await page.goto(`${app.url}/login`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

async function chooseOwnPassword(page: Page, current: string, chosen: string) {
  await heading(page, 'Change password')
  await page.getByLabel('Current password').fill(current)
  await page.getByLabel('New password', { exact: true }).fill(chosen)
  await page.getByLabel('New password again').fill(chosen)
  await page.getByRole('button', { name: 'Change password', exact: true }).click()
  await page.waitForURL(`${app.url}/`)
  await page.locator('#whoami').waitFor()
}

it('a bank goes live: set up, divisions, staff, a township territory and the real 兰考 list placed and assigned', async () => {
  const { page } = await session.newPage()

  // Nothing works before set-up: the home page leads to how to begin, and the banner has the link.
  await page.goto(app.url)
  await heading(page, 'Set up the bank')
  expect(page.url()).toBe(`${app.url}/setup`)
  await expect.poll(() => page.getByText('npm run setup').count()).toBeGreaterThan(0)
  expect(app.output()).not.toContain('wanqi-demo')
  const link = /(http:\/\/localhost:\d+\/setup\?token=[\w-]+)/.exec(app.output())?.[1]
  expect(link, app.output()).toBeDefined()

  await page.goto(link!)
  await page.getByLabel('Bank (head office) name').fill('兰考农商银行')
  await page.getByLabel('Head office code').fill('LK')
  await page.getByLabel("Administrator's username").fill('it.admin')
  await page.getByLabel("Administrator's name").fill('王管理')
  await page.getByRole('button', { name: 'Set up', exact: true }).click()
  const initial = (await page.locator('#initial-password').textContent())!.trim()
  expect(initial).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/)

  // The administrator signs in with it and is held on the password page until they choose one.
  await signIn(page, 'it.admin', initial)
  await page.waitForURL(`${app.url}/account/password`)
  await page.goto(`${app.url}/admin/users`)
  await page.waitForURL(`${app.url}/account/password`)
  await chooseOwnPassword(page, initial, 'the yellow river bends at lankao')
  expect(app.output()).not.toContain('Sign in with any of these')

  // The county the bank serves, with its real townships, from the nav's "Divisions".
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Divisions', exact: true }).click()
  await page.getByLabel('Division codes or names').fill('410225')
  await page.getByRole('button', { name: 'Load', exact: true }).click()
  await expect.poll(() => page.locator('p.notice').textContent()).toContain('Loaded 兰考县（410225）')
  await page.locator(`[data-testid="townships"] tr[data-code="${GUYING.code}"]`, { hasText: GUYING.name }).waitFor()

  // The org tree, previewed and then imported.
  const orgFile = path.join(dir, '机构.csv')
  fs.writeFileSync(
    orgFile,
    ['机构代码,机构名称,上级机构代码,层级', 'LK-KF,开封分行,LK,分行', 'LK-KF-LK,兰考支行,LK-KF,支行', 'LK-KF-LK-01,城关网点,LK-KF-LK,网点', 'LK-KF-LK-02,堌阳网点,LK-KF-LK,网点'].join('\r\n'),
  )
  await page.goto(`${app.url}/admin/import/org`)
  await heading(page, 'Import the organisation')
  await page.getByLabel('File (CSV or XLSX)').setInputFiles(orgFile)
  await page.getByRole('button', { name: 'Preview', exact: true }).click()
  await page.getByText('Checked; nothing written yet').waitFor()
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await page.getByText('Imported.').waitFor()
  await page.getByText('4 rows: 4 to create, 0 to update, 0 unchanged.').waitFor()

  // Fifty staff, with their one-time passwords shown once.
  const staffFile = path.join(dir, '员工.csv')
  const staff = Array.from({ length: 50 }, (_, i) => {
    const n = String(i + 1).padStart(3, '0')
    return `LK${n},员工${n},${i < 2 ? '网点负责人' : '客户经理'},LK-KF-LK-0${(i % 2) + 1},13900001${n}`
  })
  fs.writeFileSync(staffFile, ['工号,姓名,角色,所属机构,手机号', ...staff].join('\r\n'))
  await page.goto(`${app.url}/admin/import/staff`)
  await heading(page, 'Import staff')
  await page.getByLabel('File (CSV or XLSX)').setInputFiles(staffFile)
  await page.getByRole('button', { name: 'Preview', exact: true }).click()
  await page.getByText('50 rows: 50 to create, 0 to update, 0 unchanged.').waitFor()
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await page.getByText('Imported.').waitFor()
  const rows = page.locator('#initial-passwords tbody tr')
  await expect.poll(() => rows.count()).toBe(50)
  const officer = rows.filter({ hasText: 'lk007' })
  const officerPassword = (await officer.locator('code').textContent())!.trim()
  expect(officerPassword).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/)
  const managerPassword = (await rows.filter({ hasText: 'lk001' }).locator('code').textContent())!.trim()
  await expect.poll(() => page.getByRole('link', { name: 'Download as CSV' }).count()).toBe(1)

  // The users page finds them.
  await page.goto(`${app.url}/admin/users?q=lk00`)
  await page.getByText('9 users').waitFor()

  // The manager of 城关网点 (an imported 网点负责人) must choose a password first too.
  const managerPage = (await session.newPage()).page
  await signIn(managerPage, 'lk001', managerPassword)
  await managerPage.waitForURL(`${app.url}/account/password`)
  await chooseOwnPassword(managerPage, managerPassword, 'a manager of the east canal')

  // A territory by township, 谷营镇, for officer lk007 of the same outlet.
  await managerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Territories', exact: true }).click()
  const form = managerPage.locator('section[aria-labelledby="territory-new"]')
  await form.locator('input[name="name"]').fill('谷营片区')
  await form.locator('select[name="officerId"]').selectOption({ label: '员工007 (lk007)' })
  await form.getByLabel(GUYING.name, { exact: true }).check()
  await form.getByRole('button', { name: 'Create territory' }).click()
  await managerPage.getByText('Territory “谷营片区” created; 0 players changed officer.').waitFor()

  // The real list, as the county's registry publishes it: no area column.
  await managerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Imports', exact: true }).click()
  await managerPage.getByLabel('Source').selectOption({ label: 'Market-supervision list' })
  await managerPage.getByLabel('File', { exact: true }).setInputFiles(LANKAO_LIST)
  await managerPage.getByRole('button', { name: 'Upload and preview' }).click()
  const summary = managerPage.locator('section[aria-labelledby="summary"]')
  await summary.getByRole('heading', { name: 'Preview (nothing written yet)', exact: true }).waitFor({ timeout: WAIT_MS })
  // Its registry's own headers (注册资金, 经营范围, 所在省份, 地区) are reported in the preview, not read.
  await expect.poll(() => managerPage.locator('tr[data-testid^="column-"]', { hasText: '所在省份' }).textContent()).toContain('not recognised: not read')
  await managerPage.getByRole('button', { name: 'Import', exact: true }).click()
  await summary.getByRole('heading', { name: 'Result', exact: true }).waitFor({ timeout: WAIT_MS })
  const imported = Number((await summary.locator('dl.counts > div', { has: managerPage.locator('dt', { hasText: /^New$/ }) }).locator('dd').textContent())!.replace(/,/g, ''))
  expect(imported).toBeGreaterThan(100)

  // Its players stand in real 兰考 townships, those of 谷营镇 with the territory's officer.
  await managerPage.goto(`${app.url}/players?township=${GUYING.code}`)
  const cards = managerPage.locator('li.player-card')
  await cards.first().waitFor()
  const inGuying = await cards.count()
  expect(inGuying).toBeGreaterThan(3)
  for (const text of await cards.locator('.muted').allTextContents()) {
    expect(text).toContain(GUYING.name)
    expect(text).toContain('员工007')
  }
  // The player's page says how it was placed: by its address (in Chinese, the bank's language).
  const first = cards.first().locator('a.player-name')
  const firstName = (await first.textContent())!.trim()
  await managerPage.context().addCookies([{ name: 'wanqi_lang', value: localeCookieValue('zh-CN'), url: app.url }])
  await first.click()
  await managerPage.getByRole('heading', { level: 1, name: firstName }).waitFor()
  const facts = managerPage.locator('dl.facts')
  await expect.poll(() => facts.textContent()).toContain(`按地址：${GUYING.name} (${GUYING.code})`)
  expect(await facts.textContent()).toContain('员工007')

  // What the pages showed is what is stored: every 谷营镇 player in the territory, with lk007.
  const db = openSeededDatabase(app)
  try {
    const officer = await db.selectFrom('users').select('id').where('username', '=', 'lk007').executeTakeFirstOrThrow()
    const territory = await db.selectFrom('territories').select('id').where('name', '=', '谷营片区').executeTakeFirstOrThrow()
    const placed = await db.selectFrom('market_players').select(['area_basis', 'territory_id', 'assigned_officer_id']).where('township_code', '=', GUYING.code).execute()
    expect(placed).toHaveLength(inGuying)
    expect(new Set(placed.map((p) => `${p.area_basis} ${p.territory_id} ${p.assigned_officer_id}`))).toEqual(new Set([`address ${territory.id} ${officer.id}`]))
    const townships = await db.selectFrom('market_players').select('township_code').distinct().where('township_code', 'is not', null).execute()
    expect(townships.length).toBeGreaterThan(5)
  } finally {
    await db.destroy()
  }

  // The officer signs in with the one-time password, must choose their own first, then finds those players.
  const officerPage = (await session.newPage({ viewport: { width: 390, height: 844 } })).page
  await signIn(officerPage, 'lk007', officerPassword)
  await officerPage.waitForURL(`${app.url}/account/password`)
  await officerPage.getByText('You signed in with a one-time password').waitFor()
  await officerPage.goto(`${app.url}/my`)
  await officerPage.waitForURL(`${app.url}/account/password`)
  // A weak choice is refused beside its field, before anything is sent.
  await officerPage.getByLabel('Current password').fill(officerPassword)
  await officerPage.getByLabel('New password', { exact: true }).fill('1234567890')
  await officerPage.getByLabel('New password again').fill('1234567890')
  await officerPage.getByRole('button', { name: 'Change password', exact: true }).click()
  // The message stands by its field and again, as a link to it, in the summary at the button.
  await officerPage.getByText('That is a common password or a simple run').first().waitFor()
  await chooseOwnPassword(officerPage, officerPassword, 'peach trees along the canal')
  await officerPage.goto(`${app.url}/players`)
  await officerPage.locator('li.player-card').first().waitFor()
  expect(await officerPage.locator('li.player-card').count()).toBe(inGuying)
  // One journey from an empty database: longer than one page's test, on a machine shared with other work.
})
