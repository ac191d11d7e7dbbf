// A hand-off in Chromium against the real server and its stand-in loan system (started by
// the server, as `npm start` does): an officer logs a visit with a need for a never-borrowed
// grade-B enterprise, sees it qualify for the tax credit loan up to 1,000,000 yuan, hands it
// off and watches it move to disbursed as the stand-in reports; a grade-C player is refused
// with the reason.
import type { Kysely } from 'kysely'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../db/schema'
import { BrowserSession, launchBrowser, openSeededDatabase, startAppProcess, type AppProcess } from '../support/browser'

let app: AppProcess
let browser: Browser
let seeded: Kysely<Database>
let session: BrowserSession

beforeAll(async () => {
  app = await startAppProcess({ env: { MAP_TILES: 'none', LOAN_SIM_STEP_MS: '300', LOAN_SIM_DECLINE_RATE: '0' } })
  browser = await launchBrowser()
  seeded = openSeededDatabase(app)
  session = new BrowserSession(browser, app)
})

afterAll(async () => {
  await session?.finish()
  await seeded?.destroy()
  await browser?.close()
  await app?.stop()
})

afterEach(async () => {
  expect(await session.finish(), 'errors in the browser').toEqual([])
})

/** One of `officer`'s enterprises: never borrowed, active, registered before 2025, of this grade. */
async function enterpriseOf(grade: 'B' | 'C') {
  const officer = await seeded.selectFrom('users').select('id').where('username', '=', 'officer').executeTakeFirstOrThrow()
  return seeded
    .selectFrom('market_players')
    .select(['id', 'name'])
    .where('assigned_officer_id', '=', officer.id)
    .where('kind', '=', 'enterprise')
    .where('tax_grade', '=', grade)
    .where('loan_history', '=', 'none')
    .where('registration_status', '=', 'active')
    .where('registered_on', '<', '2025-01-01')
    .where('campaign_status', 'in', ['not_visited', 'visited', 'need_found', 'no_need'])
    .orderBy('id')
    .executeTakeFirstOrThrow()
}

async function logNeedByPhone(page: Page, playerId: number, amount: string) {
  await page.goto(`${app.url}/players/${playerId}/visit`)
  const form = page.locator('form.visit-form')
  await form.getByLabel('Phone').check()
  await form.getByLabel('Has a financing need').check()
  await form.getByLabel('Amount (10k yuan)').fill(amount)
  await form.getByLabel('Term (months)').fill('12')
  await form.getByLabel('Outcome').selectOption('refer')
  await form.getByRole('button', { name: 'Save visit' }).click()
  await page.waitForURL(/\/my\?queued=1/)
  await page.getByTestId('sent-visits').waitFor({ timeout: 20_000 })
}

describe('the hand-off', () => {
  it('a grade-B first lender qualifies up to 1,000,000, is handed off and reaches disbursed; grade C is refused with the reason', async () => {
    const b = await enterpriseOf('B')
    const c = await enterpriseOf('C')
    const { page } = await session.newPage({ viewport: { width: 390, height: 844 } })
    await session.signIn(page, 'officer')

    await logNeedByPhone(page, b.id, '80')
    await page.goto(`${app.url}/players/${b.id}`)
    const tax = page.locator('li[data-product="tax_credit"]')
    await expect(tax.textContent()).resolves.toContain('qualifies: 800,000 yuan (limit 1,000,000 yuan)')
    await tax.getByText('Hand off to the loan system').click()
    await tax.getByRole('button', { name: /Refer for the/ }).click()
    await page.waitForURL(/\/referrals\/\d+\?handedOff=1/)
    await page.getByText('Handed off; on its way to the loan system.').waitFor()
    // The stand-in takes it and reports a stage every 0.3 s; the page shows them on reload.
    const referralId = Number(new URL(page.url()).pathname.split('/').pop())
    for (let i = 0; i < 60; i++) {
      const row = await seeded.selectFrom('referrals').select('stage').where('id', '=', referralId).executeTakeFirstOrThrow()
      if (row.stage === 'disbursed') break
      await page.waitForTimeout(250)
    }
    await page.reload()
    const history = await page.getByTestId('stage-history').textContent()
    expect(history).toContain('Referred')
    expect(history).toContain('Accepted')
    expect(history).toContain('Disbursed')
    expect(history!.indexOf('Accepted')).toBeLessThan(history!.indexOf('Disbursed'))

    await logNeedByPhone(page, c.id, '20')
    await page.goto(`${app.url}/players/${c.id}`)
    const refused = page.locator('li[data-product="tax_credit"]')
    await expect(refused.textContent()).resolves.toContain('tax grade C: the 税易贷 needs A, B, M')
    expect(await refused.getByText('Hand off to the loan system').count()).toBe(0)
  })
})
