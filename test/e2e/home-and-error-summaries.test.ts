// Each role's home page (issue 23 item 13) in Chromium on a 390×844 phone against the real
// server on the demo county: the officer's today, the manager's officers as cards, hq's two
// regulator figures with their trends; nothing scrolls sideways, and each leads on. And the
// smaller forms' errors summed up at their button, the first field focused (item 3).
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { openBrowserApp } from '../support/browser-app'

const PHONE = { width: 390, height: 844 }

const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none', LOAN_SIM: 'none' } })

const fitsThePhone = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)

describe('home pages on a phone', () => {
  it('an officer sees today: the plan, what is due and done, and opens the list from it', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'officer')
    const today = page.getByTestId('officer-today')
    await today.waitFor()
    const officer = await seeded.selectFrom('users').select('id').where('username', '=', 'officer').executeTakeFirstOrThrow()
    const assigned = await seeded.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).where('assigned_officer_id', '=', officer.id).executeTakeFirstOrThrow()
    expect(await today.getByText(`You look after ${Number(assigned.n).toLocaleString('en')} market players.`).isVisible()).toBe(true)
    for (const tile of ['overdue', 'due-today', 'not-visited', 'visits-today']) expect(await page.getByTestId(`today-${tile}`).isVisible()).toBe(true)
    // The first stop is on screen without scrolling sideways, a tap from its player.
    const plan = page.getByTestId('today-plan').getByRole('listitem')
    expect(await plan.count()).toBeGreaterThan(0)
    expect(await plan.count()).toBeLessThanOrEqual(5)
    expect(await fitsThePhone(page)).toBe(true)
    await page.getByRole('link', { name: /^Open my list/ }).click()
    await page.waitForURL(`${app.url}/my?sort=reason`)
  })

  it('a manager sees their officers as cards with workload and today’s visits', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'manager')
    const rows = page.getByTestId('officer-row')
    await rows.first().waitFor()
    const manager = await seeded.selectFrom('users').select('org_unit_id').where('username', '=', 'manager').executeTakeFirstOrThrow()
    const officers = await seeded.selectFrom('users').select('name').where('role', '=', 'officer').where('active', '=', 1).where('org_unit_id', '=', manager.org_unit_id).execute()
    expect(await rows.count()).toBe(officers.length)
    // A card per officer (its figures two by two), each figure labelled by its column.
    const first = rows.first()
    expect(await first.evaluate((r) => getComputedStyle(r).display)).toBe('grid')
    expect(await page.locator('.home-officers thead').evaluate((h) => h.getBoundingClientRect().height)).toBeLessThanOrEqual(1)
    expect(await first.locator('td[data-label="Overdue"]').evaluate((td) => getComputedStyle(td, '::before').content)).toBe('"Overdue"')
    expect(await fitsThePhone(page)).toBe(true)
    const name = (await first.locator('strong').textContent())!
    expect(officers.map((o) => o.name)).toContain(name)
    await first.getByRole('link', { name: 'visits' }).click()
    await page.waitForURL(/\/visits\?officer=\d+$/)
  })

  it('hq sees the two regulator figures with six months of trend, and the way to the dashboard', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'hq')
    const figures = page.getByTestId('regulator-figures')
    await figures.waitFor()
    for (const id of ['first-lender-conversions', 'credit-loan-share']) {
      const figure = page.getByTestId(id)
      expect(await figure.locator('.figure-value').textContent()).toMatch(/^[\d,.]+%?$|^—$/)
      // Six months drawn, each labelled under its point.
      expect(await figure.locator('svg .trend-label').count()).toBe(6)
      const box = (await figure.locator('svg').boundingBox())!
      expect(box.width).toBeGreaterThan(200)
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width)
    }
    expect(await page.getByTestId('credit-loan-share').locator('.figure-value').textContent()).toMatch(/%$/)
    expect(await fitsThePhone(page)).toBe(true)
    await page.getByRole('link', { name: 'Open the dashboard' }).click()
    await page.waitForURL(`${app.url}/dashboard?period=year`)
  })
})

describe('error summaries at the button', () => {
  /** The name of the focused field, once the summary has moved the focus. */
  const focusedName = (page: Page) => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name ?? null)
  const onScreen = async (page: Page, selector: string) => {
    const box = (await page.locator(selector).boundingBox())!
    return box.y >= 0 && box.y + box.height <= PHONE.height
  }

  it('a wrong password is summed up beside the sign-in button and the first field focused', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await page.goto(`${app.url}/login`)
    await page.getByLabel('Username').fill('officer')
    await page.getByLabel('Password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    const summary = page.getByTestId('form-error-summary')
    await summary.waitFor()
    expect(await summary.getByRole('listitem').allTextContents()).toEqual(['The username or password is not correct.'])
    await expect.poll(() => focusedName(page)).toBe('username')
    expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBe('true')
    expect(await onScreen(page, '[data-testid="form-error-summary"]')).toBe(true)
  })

  it('a bad centre on the divisions page is summed up at its button, the field in error focused', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'admin', { at: null })
    await page.goto(`${app.url}/admin/areas`)
    const form = page.locator('form', { has: page.locator('input[name="intent"][value="centre"]') })
    await form.locator('input[name="lat"]').fill('north')
    await form.locator('input[name="lng"]').fill('114.5')
    await form.getByRole('button').click()
    const summary = page.locator('form', { has: page.locator('input[name="intent"][value="centre"]') }).getByTestId('form-error-summary')
    await summary.waitFor()
    expect(await summary.getByRole('link').count()).toBe(1)
    await expect.poll(() => focusedName(page)).toBe('lat')
    expect(await onScreen(page, 'input[name="lat"]')).toBe(true)
    // One summary: the page's other forms were not sent.
    expect(await page.getByTestId('form-error-summary').count()).toBe(1)
  })
})
