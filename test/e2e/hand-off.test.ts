// A hand-off in Chromium against the real server and the stand-in loan system, each its own
// HTTP server (the test holds the stand-in, so it can take it down): an officer logs a visit
// with a need for a never-borrowed grade-B enterprise, sees it qualify for the tax credit
// loan up to 1,000,000 yuan, hands it off and watches it move to disbursed as the stand-in
// reports; a grade-C player is refused with the reason. With the stand-in down, a hand-off
// waits in the outbox and arrives once when it is back. The events API refuses bad tokens
// and bodies.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLoanSim, type LoanSim } from '../../app/services/loan-sim.server'
import { openBrowserApp } from '../support/browser-app'
import { freePort } from '../support/server-process'
import { WAIT_MS } from '../support/test-constants'

const SECRET = 'e2e-loan-secret'

let sim: LoanSim
let token: string

let simPort: number

const { app, session, seeded } = openBrowserApp({
  env: async () => {
    // The app delivers to where the stand-in will listen; until it does, referrals wait.
    simPort = await freePort()
    return { MAP_TILES: 'none', LOAN_SYSTEM_URL: `http://127.0.0.1:${simPort}/referrals`, LOAN_SYSTEM_SECRET: SECRET }
  },
})

beforeAll(async () => {
  // The admin makes the stand-in's token on the tokens page, as a bank would for its loan system.
  const { page } = await session.newPage()
  await session.signInByPost(page, 'admin', { at: null })
  await page.goto(`${app.url}/admin/tokens`)
  await page.getByLabel('Name', { exact: true }).fill('stand-in loan system')
  await page.getByRole('button', { name: 'Make a token' }).click()
  token = /wq_[A-Za-z0-9_-]+/.exec((await page.getByTestId('new-token').textContent())!)![0]
  await page.close()
  sim = await startLoanSim({ port: simPort, appUrl: app.url, token, secret: SECRET, stepMs: 300, declineRate: 0 })
})

afterAll(async () => {
  await sim?.stop()
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

async function handOff(page: Page, playerId: number) {
  await page.goto(`${app.url}/players/${playerId}`)
  const tax = page.locator('li[data-product="tax_credit"]')
  // The primary action in plain sight: no disclosure to open first.
  await tax.getByRole('button', { name: 'Refer for Tax credit loan' }).click()
  await page.waitForURL(/\/referrals\/\d+\?handedOff=1/)
  return Number(new URL(page.url()).pathname.split('/').pop())
}

/** Waits for the referral to reach `wanted` (the stand-in reports a stage every 0.3 s). */
async function reachesStage(referralId: number, wanted: string) {
  const stage = async () => (await seeded.selectFrom('referrals').select('stage').where('id', '=', referralId).executeTakeFirstOrThrow()).stage
  await expect.poll(stage, { timeout: WAIT_MS, interval: 250 }).toBe(wanted)
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
  await page.getByTestId('sent-visits').waitFor({ timeout: WAIT_MS })
}

describe('the hand-off', () => {
  it('a grade-B first lender qualifies up to 1,000,000, is handed off and reaches disbursed; grade C is refused with the reason', async () => {
    const b = await enterpriseOf('B')
    const c = await enterpriseOf('C')
    const { page } = await session.newPage({ viewport: { width: 390, height: 844 } })
    await session.signInByPost(page, 'officer', { at: null })

    await logNeedByPhone(page, b.id, '80')
    await page.goto(`${app.url}/players/${b.id}`)
    const tax = page.locator('li[data-product="tax_credit"]')
    await expect(tax.textContent()).resolves.toContain('qualifies: 800,000 yuan (limit 1,000,000 yuan)')
    const referralId = await handOff(page, b.id)
    await page.getByText('Handed off; on its way to the loan system.').waitFor()
    // A stepper of the seven stages, the first current; the deadline to accept shown, no catalogue version.
    const stepper = page.getByTestId('stepper')
    await expect(stepper.locator('li').evaluateAll((steps) => steps.map((s) => s.getAttribute('data-stage')))).resolves.toEqual(['referred', 'accepted', 'account_opened', 'admitted', 'rated', 'approved', 'disbursed'])
    const facts = page.locator('dl').first()
    expect(await facts.textContent()).not.toMatch(/\(v\d+\)/)
    // The stand-in takes it and reports a stage every 0.3 s; the page follows without a reload.
    await reachesStage(referralId, 'disbursed')
    await expect.poll(() => stepper.locator('li[data-stage="disbursed"]').getAttribute('class'), { timeout: WAIT_MS }).toContain('step-done')
    expect(await stepper.locator('.step-done').count()).toBe(7)
    expect(await facts.textContent()).toContain('Disbursed')
    expect(await facts.textContent()).not.toContain('Acceptance due')
    const history = await page.getByTestId('stage-history').textContent()
    expect(history).toContain('Referred')
    expect(history).toContain('Accepted')
    expect(history).toContain('Disbursed')
    expect(history!.indexOf('Accepted')).toBeLessThan(history!.indexOf('Disbursed'))

    await logNeedByPhone(page, c.id, '20')
    await page.goto(`${app.url}/players/${c.id}`)
    const refused = page.locator('li[data-product="tax_credit"]')
    await expect(refused.textContent()).resolves.toContain('tax grade C: Tax credit loan needs A, B, M')
    expect(await refused.getByRole('button', { name: 'Refer for Tax credit loan' }).count()).toBe(0)
  })
})

describe('the stand-in down, and the events API', () => {
  it('a hand-off made while the loan system is down waits in the outbox and arrives once when it is back', async () => {
    const b = await enterpriseOf('B')
    const { page } = await session.newPage({ viewport: { width: 390, height: 844 } })
    await session.signInByPost(page, 'officer', { at: null })
    await logNeedByPhone(page, b.id, '50')
    // Down until the test brings it up, however long the steps between take on a busy machine.
    sim.goDown()
    const referralId = await handOff(page, b.id)
    // Refused connections: the page says it waits to send, with the attempts so far.
    const attempts = async () => (await seeded.selectFrom('outbox').select('attempts').where('referral_id', '=', referralId).executeTakeFirstOrThrow()).attempts
    await expect.poll(attempts, { timeout: WAIT_MS, interval: 100 }).toBeGreaterThan(0)
    await page.reload()
    const waiting = await page.locator("dl").first().textContent()
    expect(waiting).toMatch(/waiting to send · attempts: \d+/)
    expect(sim.received.has(`referral-${referralId}`)).toBe(false)
    // Back up: the next retry delivers it, once, and the stages follow.
    sim.up()
    await expect
      .poll(async () => (await seeded.selectFrom('referrals').select('stage').where('id', '=', referralId).executeTakeFirstOrThrow()).stage, { timeout: WAIT_MS, interval: 250 })
      .not.toBe('referred')
    await page.reload()
    expect(await page.locator('dl').first().textContent()).toContain('delivered')
    expect(sim.received.get(`referral-${referralId}`)!.copies).toBe(1)
  })

  it('the events API refuses a bad token (401) and a malformed body naming the field (400), changing nothing', async () => {
    // A seeded, finished referral: no stand-in is still reporting its stages.
    const referral = await seeded.selectFrom('referrals').select(['id', 'stage']).where('stage', '=', 'disbursed').orderBy('id').executeTakeFirstOrThrow()
    const post = (bearer: string, body: unknown) =>
      fetch(`${app.url}/api/v1/referrals/${referral.id}/events`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) })
    const events = () => seeded.selectFrom('referral_events').select('id').where('referral_id', '=', referral.id).execute()
    const before = (await events()).length
    expect((await post('wq_not-a-token', { stage: 'withdrawn', at: new Date().toISOString() })).status).toBe(401)
    const bad = await post(token, { stage: 'lost in the post', at: 'yesterday' })
    expect(bad.status).toBe(400)
    const answer = (await bad.json()) as { fields?: Record<string, unknown> }
    expect(Object.keys(answer.fields ?? {}).sort()).toEqual(['at', 'stage'])
    expect((await events()).length).toBe(before)
  })
})


describe('the product catalogue', () => {
  it('an admin raises the grade-B limit; the next verdict uses the new version while the referral keeps its own', async () => {
    const referral = await seeded.selectFrom('referrals').innerJoin('market_players', 'market_players.id', 'referrals.player_id').select(['referrals.id', 'referrals.verdict', 'market_players.id as playerId']).where('market_players.tax_grade', '=', 'B').where('referrals.product_code', '=', 'tax_credit').orderBy('referrals.id', 'desc').executeTakeFirstOrThrow()
    const { page } = await session.newPage({ viewport: { width: 390, height: 844 } })
    await session.signInByPost(page, 'admin', { at: null })
    await page.goto(`${app.url}/admin/products`)
    const form = page.locator('section[data-product="tax_credit"]')
    await form.getByLabel('Limit, grade B').fill('150')
    await form.getByRole('button', { name: 'Save as a new version' }).click()
    await page.getByText('Saved “税易贷”, version 2.').waitFor()
    await page.locator('section[data-product="tax_credit"] h2', { hasText: 'tax_credit · version 2' }).waitFor()
    // Every player is judged again in the background, the page following its progress.
    await page.getByText(/Every player's hand-off flag was judged under the current catalogue/).waitFor({ timeout: WAIT_MS })

    await page.goto(`${app.url}/players/${referral.playerId}`)
    await expect(page.locator('li[data-product="tax_credit"]').textContent()).resolves.toContain('limit 1,500,000 yuan')
    const kept = await seeded.selectFrom('referrals').select(['verdict', 'product_version']).where('id', '=', referral.id).executeTakeFirstOrThrow()
    expect(kept.product_version).toBe(1)
    expect(JSON.parse(kept.verdict)).toMatchObject({ limitYuan: 1_000_000 })
  })
})
