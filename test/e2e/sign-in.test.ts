// Signing in, out and around, in a real browser against the real server and the demo county.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Role } from '../../db/schema'
import { openBrowserApp } from '../support/browser-app'

const PASSWORD = 'wanqi-demo'
const ROLE_LABEL: Record<Role, string> = {
  admin: 'Administrator',
  hq: 'Headquarters',
  manager: 'Outlet manager',
  officer: 'Relationship officer',
}

const { app, session, seeded } = openBrowserApp()

async function newPage(options: { english?: boolean; viewport?: { width: number; height: number } } = {}) {
  return session.newPage({ chinese: options.english === false, viewport: options.viewport })
}

async function fillSignIn(page: Page, username: string, password: string) {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

/** Signs in from /login and waits for the home page. */
async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.goto(`${app.url}/login`)
  await fillSignIn(page, username, password)
  await page.waitForURL(`${app.url}/`)
  await page.locator('#whoami').waitFor()
}

/** Waits for the page's h1 to read `text` (a client-side navigation renders a moment after the URL changes). */
async function heading(page: Page, text: string) {
  await page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor()
  expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual([text])
}

function pathOf(page: Page) {
  const url = new URL(page.url())
  return url.pathname + url.search
}

async function seededUser(username: string) {
  return seeded
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['users.name', 'users.role', 'users.org_unit_id as orgUnitId', 'org_units.name as orgName'])
    .where('users.username', '=', username)
    .executeTakeFirstOrThrow()
}

function section(page: Page, heading: string) {
  return page.locator('section', { has: page.getByRole('heading', { name: heading, exact: true }) })
}

async function rowTexts(table: ReturnType<Page['locator']>) {
  return (await table.locator('tbody tr').allTextContents()).map((t) => t.trim())
}

async function expectHome(page: Page, username: string) {
  const me = await seededUser(username)
  expect(await page.locator('h1#whoami').textContent()).toBe(`Hello, ${me.name}`)
  expect(await page.getByTestId('role-line').textContent()).toBe(`${ROLE_LABEL[me.role]} · ${me.orgName}`)
  return me
}

describe('signing in', () => {
  it('the start-up banner of a seeded demo lists its sign-ins, and no set-up link', async () => {
    // The demo's users exist, so the banner may advertise them (an empty database's must not:
    // see going-live.test.ts).
    expect(app.output()).toContain(`Sign in with any of these (password: ${PASSWORD})`)
    expect(app.output()).toMatch(/^ {2}officer {3}officer of outlet 1/m)
    expect(app.output()).not.toContain('/setup?token=')
  })

  it('an officer signs in and lands on their today', async () => {
    const { page } = await newPage()
    await signIn(page, 'officer')
    const me = await expectHome(page, 'officer')
    expect(me.role).toBe('officer')
    expect(await page.getByTestId('officer-today').getByRole('heading', { name: /^Today · \d{4}-\d{2}-\d{2}$/ }).isVisible()).toBe(true)
    // An officer has no admin pages to go to, and no officers' table.
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0)
    expect(await page.getByTestId('officers-at-work').count()).toBe(0)
  })

  it('a manager signs in and sees the eight officers of outlet 1', async () => {
    const { page } = await newPage()
    await signIn(page, 'manager')
    const me = await expectHome(page, 'manager')
    expect(me.role).toBe('manager')
    const rows = await rowTexts(page.getByTestId('officers-at-work').locator('table'))
    expect(rows).toHaveLength(8)
    for (const row of rows) expect(row).toContain(me.orgName)
    // The officers of the other outlets are not theirs to see.
    const others = await seeded.selectFrom('users').select('name').where('role', '=', 'officer').where('org_unit_id', '!=', me.orgUnitId).execute()
    for (const other of others) expect(rows.some((r) => r.includes(other.name))).toBe(false)
  })

  it('hq signs in and sees the two figures the regulator scores', async () => {
    const { page } = await newPage()
    await signIn(page, 'hq')
    const me = await expectHome(page, 'hq')
    expect(me.role).toBe('hq')
    const figures = page.getByTestId('regulator-figures')
    expect(await figures.getByText('First-lender conversions', { exact: true }).isVisible()).toBe(true)
    expect(await figures.getByText('Credit-loan share', { exact: true }).isVisible()).toBe(true)
  })

  it('admin signs in and has the way to Organisation and Users', async () => {
    const { page } = await newPage()
    await signIn(page, 'admin')
    const me = await expectHome(page, 'admin')
    expect(me.role).toBe('admin')
    const main = page.getByRole('main')
    const organisation = main.getByRole('link', { name: 'Organisation', exact: true })
    const users = main.getByRole('link', { name: 'Users', exact: true })
    expect(await organisation.getAttribute('href')).toBe('/admin/org-units')
    expect(await users.getAttribute('href')).toBe('/admin/users')
    await users.click()
    await page.waitForURL(`${app.url}/admin/users`)
    await heading(page, 'Users')
  })

  it('speaks Chinese by default and remembers the switch to English', async () => {
    const { context, page } = await newPage({ english: false })
    await page.goto(`${app.url}/login`)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('登录')
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')

    await page.getByRole('button', { name: 'English' }).click()
    await heading(page, 'Sign in')
    expect(pathOf(page)).toBe('/login')
    expect(await page.locator('html').getAttribute('lang')).toBe('en')

    await page.reload()
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in')

    const another = session.watch(await context.newPage())
    await another.goto(`${app.url}/login`)
    expect(await another.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in')
    expect(await another.getByLabel('Username').count()).toBe(1)
  })

  it('signing out returns to the sign-in page and ends the session', async () => {
    const { page } = await newPage()
    await signIn(page, 'officer2')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/\/login\?signedOut=1$/)
    await heading(page, 'Sign in')
    expect(await page.getByText('You have signed out.').isVisible()).toBe(true)

    await page.goto(`${app.url}/`)
    expect(pathOf(page)).toBe('/login')
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
  })

  it('signs out in Chinese too', async () => {
    const { page } = await newPage({ english: false })
    await page.goto(`${app.url}/login`)
    await page.getByLabel('用户名').fill('officer3')
    await page.getByLabel('密码').fill(PASSWORD)
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.waitForURL(`${app.url}/`)
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL(/\/login\?signedOut=1$/)
    await heading(page, '登录')
  })

  it('a wrong password and an unknown user name get the same message', async () => {
    const { page } = await newPage()
    await page.goto(`${app.url}/login`)
    await fillSignIn(page, 'officer4', 'not-the-password')
    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect(await alert.getByRole('listitem').allTextContents()).toEqual(['The username or password is not correct.'])
    expect(pathOf(page)).toBe('/login')
    expect(await page.getByLabel('Username').inputValue()).toBe('officer4')

    await page.goto(`${app.url}/login`)
    await fillSignIn(page, 'nobody-at-all', PASSWORD)
    await alert.waitFor()
    expect(await alert.getByRole('listitem').allTextContents()).toEqual(['The username or password is not correct.'])
    expect(pathOf(page)).toBe('/login')
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
  })

  it('a signed-out visit to an admin page signs in and goes on to that page', async () => {
    const { page } = await newPage()
    await page.goto(`${app.url}/admin/users`)
    const url = new URL(page.url())
    expect(url.pathname).toBe('/login')
    expect(url.searchParams.get('redirectTo')).toBe('/admin/users')

    await fillSignIn(page, 'admin', PASSWORD)
    await page.waitForURL(`${app.url}/admin/users`)
    await heading(page, 'Users')
  })

  it('an officer who opens an admin page gets the 403 page', async () => {
    const { page } = await newPage()
    await signIn(page, 'officer5')
    const response = await page.goto(`${app.url}/admin/users`)
    expect(response?.status()).toBe(403)
    expect(await page.getByText('You do not have access to this page.').isVisible()).toBe(true)
    expect(await page.getByRole('heading', { name: 'Users' }).count()).toBe(0)
  })

  it('on a phone the menu opens the navigation and nothing scrolls sideways', async () => {
    const { page } = await newPage({ viewport: { width: 390, height: 844 } })
    const noSidewaysScroll = () =>
      page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }))

    await page.goto(`${app.url}/login`)
    let size = await noSidewaysScroll()
    expect(size.scrollWidth).toBeLessThanOrEqual(size.innerWidth)

    await signIn(page, 'admin')
    const menu = page.locator('summary[aria-label="Menu"]')
    const nav = page.locator('nav[aria-label="Menu"]')
    expect(await menu.isVisible()).toBe(true)
    expect(await nav.isVisible()).toBe(false)
    await menu.click()
    await nav.waitFor({ state: 'visible' })
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Home', 'Visits', 'Dashboard', 'Referrals', 'Market players', 'Map', 'Territories', 'Imports', 'Loan QR', 'Deadlines', 'Organisation', 'Users', 'Divisions', 'Products', 'Credit consent', 'Working days', 'Valid visits', 'API tokens', 'Audit log', 'Change password'])
    // The password link lives in the menu on a phone, so the bar stays one line.
    expect(await page.locator('header.topbar .account-link').isVisible()).toBe(false)
    size = await noSidewaysScroll()
    expect(size.scrollWidth).toBeLessThanOrEqual(size.innerWidth)

    await nav.getByRole('link', { name: 'Users' }).click()
    await page.waitForURL(`${app.url}/admin/users`)
    await heading(page, 'Users')
    size = await noSidewaysScroll()
    expect(size.scrollWidth).toBeLessThanOrEqual(size.innerWidth)

    // A manager's home has their officers' table: cards on a phone, not a page scrolling sideways.
    const { page: managerPage } = await newPage({ viewport: { width: 390, height: 844 } })
    await signIn(managerPage, 'manager2')
    const managerSize = await managerPage.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }))
    expect(managerSize.scrollWidth).toBeLessThanOrEqual(managerSize.innerWidth)
  })

  it('on a wide screen the navigation sits in the bar, with no menu button', async () => {
    const { page } = await newPage({ viewport: { width: 1280, height: 800 } })
    await signIn(page, 'admin')
    const bar = page.locator('nav[aria-label="Main"]')
    expect(await page.locator('summary[aria-label="Menu"]').isVisible()).toBe(false)
    expect(await bar.isVisible()).toBe(true)
    expect(await bar.getByRole('link').allTextContents()).toEqual(['Home', 'Visits', 'Dashboard', 'Referrals', 'Market players', 'Map', 'Territories', 'Imports', 'Loan QR', 'Deadlines', 'Organisation', 'Users', 'Divisions', 'Products', 'Credit consent', 'Working days', 'Valid visits', 'API tokens', 'Audit log'])
    await bar.getByRole('link', { name: 'Organisation' }).click()
    await page.waitForURL(`${app.url}/admin/org-units`)
  })

  it('admin creates an officer who must choose their own password at first sign-in', async () => {
    const outlet2 = await seeded
      .selectFrom('org_units')
      .select(['id', 'name'])
      .where('code', '=', 'ZK-XH-02')
      .executeTakeFirstOrThrow()
    const { page } = await newPage()
    await signIn(page, 'admin')
    await page.goto(`${app.url}/admin/users`)
    const form = section(page, 'New user').locator('form')
    await form.getByLabel('Username', { exact: true }).fill('zhao.liu')
    await form.getByLabel('Name', { exact: true }).fill('Zhao Liu')
    await form.getByLabel('Role').selectOption({ label: 'Relationship officer' })
    await form.getByLabel('Org unit').selectOption(String(outlet2.id))
    await form.getByLabel('Initial password').fill('field-visits-2025')
    await form.getByRole('button', { name: 'New user' }).click()

    const done = page.getByRole('status')
    await done.waitFor()
    expect(await done.textContent()).toBe('Created user zhao.liu.')
    // The list is loaded again after the notice shows: wait for the new row itself.
    const row = page.locator('tbody tr', { has: page.getByRole('link', { name: 'zhao.liu', exact: true }) })
    await row.waitFor()
    expect(await row.locator('td').allTextContents()).toEqual(['zhao.liu', 'Zhao Liu', 'Relationship officer', outlet2.name, 'Active · must set password'])

    // The admin chose the password, so it is one-time: the newcomer chooses their own first.
    const { page: newcomer } = await newPage()
    await newcomer.goto(`${app.url}/login`)
    await fillSignIn(newcomer, 'zhao.liu', 'field-visits-2025')
    await newcomer.waitForURL(`${app.url}/account/password`)
    await newcomer.getByLabel('Current password').fill('field-visits-2025')
    await newcomer.getByLabel('New password', { exact: true }).fill('my own walk through the fields')
    await newcomer.getByLabel('New password again').fill('my own walk through the fields')
    await newcomer.getByRole('button', { name: 'Change password', exact: true }).click()
    await newcomer.waitForURL(`${app.url}/`)
    expect(await newcomer.locator('h1#whoami').textContent()).toBe('Hello, Zhao Liu')
    expect(await newcomer.getByTestId('role-line').textContent()).toBe(`Relationship officer · ${outlet2.name}`)
    await newcomer.getByTestId('officer-today').waitFor()
  })
})
