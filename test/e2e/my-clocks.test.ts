// The clocks on the officer's list in Chromium on a 390-wide phone, against the real server:
// each card shows its player's nearest clock (working days left, or overdue), the list sorts
// by the clock and filters to the overdue ones.
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../db/schema'
import { openBrowserApp } from '../support/browser-app'

// The leads are written straight into the server's database (the seeded connection only reads).
let writer: Kysely<Database>

const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none', LOAN_SIM: 'none' } })

beforeAll(async () => {
  writer = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(app.databaseFile, { fileMustExist: true, timeout: 10_000 }) }) })
})

afterAll(async () => {
  await writer?.destroy()
})

const DAY = 86_400_000

/** A never-visited loan QR lead of the officer's, with its clocks due `dueInDays` from now. */
async function lead(officerId: number, orgUnitId: number, name: string, dueInDays: number): Promise<number> {
  const now = Date.now()
  const at = (ms: number) => new Date(ms).toISOString()
  const started = now + (dueInDays - 3) * DAY
  const inserted = await writer
    .insertInto('market_players')
    .values({
      kind: 'enterprise', name, name_initials: 'x', source: 'other', org_unit_id: orgUnitId, assigned_officer_id: officerId,
      candidate_status: 'candidate', candidate_reasons: '[]', channel: 'loan_qr', channel_at: at(started), created_at: at(started), updated_at: at(started),
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow()
  const contactDue = at(now + dueInDays * DAY)
  await writer
    .insertInto('player_clocks')
    .values({ player_id: inserted.id, channel: 'loan_qr', started_at: at(started), accept_due_at: null, contact_due_at: contactDue, decide_due_at: at(now + (dueInDays + 4) * DAY), next_due_at: contactDue })
    .execute()
  return inserted.id
}

describe("the clocks on the officer's list", () => {
  it('shows each card its nearest clock, sorts by it and filters to the overdue', async () => {
    const officer = await seeded.selectFrom('users').select(['id', 'org_unit_id']).where('username', '=', 'officer').executeTakeFirstOrThrow()
    const late = await lead(officer.id, officer.org_unit_id!, '时限逾期测试有限公司', -10)
    const soon = await lead(officer.id, officer.org_unit_id!, '时限未到测试有限公司', 20)

    const { page } = await session.newPage({ viewport: { width: 390, height: 844 } })
    await session.signInByPost(page, 'officer', { at: null })
    await page.goto(`${app.url}/my?all=1`)
    const card = (id: number) => page.locator(`li[data-player-id="${id}"]`)
    await expect.poll(() => card(late).getByTestId('my-clock').textContent()).toMatch(/^Contact clock: overdue by \d+ working days$/)
    await expect.poll(() => card(soon).getByTestId('my-clock').textContent()).toMatch(/^Contact clock: \d+ working days left$/)
    expect(Number(/\d+/.exec((await card(late).getByTestId('my-clock').textContent())!)![0])).toBeGreaterThanOrEqual(5)

    // Sorted by the clock: the overdue lead first, the other after every clock due before it.
    await page.getByLabel('Sort').selectOption({ label: 'By channel clock (first due first)' })
    await expect.poll(() => page.locator('ol.my-items > li').first().getAttribute('data-player-id')).toBe(String(late))
    const order = await page.locator('ol.my-items > li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-player-id'))))
    expect(order.indexOf(soon)).toBeGreaterThan(order.indexOf(late))

    // Overdue only: the lead whose clock still runs is gone, every card left is overdue.
    await page.getByLabel('Overdue clocks only').check()
    await expect.poll(() => card(soon).count()).toBe(0)
    await expect.poll(() => card(late).count()).toBe(1)
    const badges = await page.locator('ol.my-items > li').evaluateAll((lis) => lis.map((li) => li.querySelector('[data-testid="my-clock"]')?.textContent ?? ''))
    expect(badges.every((b) => /overdue|ran out/.test(b))).toBe(true)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  })
})
