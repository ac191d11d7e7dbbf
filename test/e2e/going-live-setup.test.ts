// Going live from an empty database, in a real browser: the bank set up through the link
// the server printed, the administrator's forced password change, the org tree and 50 staff
// imported from files, and one of them signing in with the one-time password and being
// made to choose their own.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { BrowserSession, launchBrowser, startAppProcess, type AppProcess } from '../support/browser'

let app: AppProcess
let browser: Browser
let session: BrowserSession
let dir: string

beforeAll(async () => {
  app = await startAppProcess({ env: { WANQI_SEED: 'none', LOAN_SIM: 'none', MAP_TILES: 'none' } })
  browser = await launchBrowser()
  session = new BrowserSession(browser, app)
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-e2e-golive-'))
})

afterAll(async () => {
  await browser?.close()
  await app?.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

afterEach(async () => {
  expect(await session.finish(), 'errors in the browser').toEqual([])
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

it('sets the bank up, imports its org tree and staff, and a new officer must choose a password', async () => {
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
  await expect.poll(() => page.getByRole('link', { name: 'Download as CSV' }).count()).toBe(1)

  // The users page finds them.
  await page.goto(`${app.url}/admin/users?q=lk00`)
  await page.getByText('9 users').waitFor()

  // The officer signs in with the one-time password and must choose their own first.
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
  await officerPage.getByText('That is a common password or a simple run').waitFor()
  await chooseOwnPassword(officerPage, officerPassword, 'peach trees along the canal')
  await officerPage.goto(`${app.url}/my`)
  await heading(officerPage, 'My list')
})
