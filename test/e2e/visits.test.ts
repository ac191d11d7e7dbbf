// An officer's day in Chromium on a phone-sized window with a mocked position, against the
// real server and the demo county: the list sorted by distance, a visit with a need logged
// at the door, then the connection lost — two more visits logged (one far from its
// player, with a reason), the page reloaded with no network, still showing what waits —
// and when the connection returns, all three stored exactly once. Then, on its own, a
// manager sees a far check-in flagged.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { distanceMetres } from '../../app/domain/visit'
import { todayInChina } from '../../app/domain/china-time'
import { keptOffline } from '../support/browser'
import { openBrowserApp } from '../support/browser-app'
import { WAIT_MS } from '../support/test-constants'

const PHONE = { width: 390, height: 844 }

const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none' } })

/** The officer's list as the server would make it today: players with an exact position. */
async function listOf(username: string) {
  const officer = await seeded.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()
  const today = todayInChina()
  const players = await seeded
    .selectFrom('market_players')
    .select(['id', 'name', 'lat', 'lng', 'position_approximate', 'next_follow_up_on', 'last_visited_at', 'last_outcome'])
    .where('assigned_officer_id', '=', officer.id)
    .execute()
  const onList = players.filter((p) => (p.next_follow_up_on !== null && p.next_follow_up_on <= today) || p.last_visited_at === null || p.last_outcome === null)
  return { officerId: officer.id, onList }
}

async function logVisit(page: Page, playerId: number, fill: (form: ReturnType<Page['locator']>) => Promise<void>) {
  await page.locator(`li[data-player-id="${playerId}"]`).getByRole('link', { name: 'Log visit' }).click()
  const form = page.locator('form.visit-form')
  await form.waitFor()
  await form.getByTestId('check-in').getByText(/Position within about/).waitFor()
  await fill(form)
  await form.getByRole('button', { name: 'Save visit' }).click()
  await form.waitFor({ state: 'detached', timeout: WAIT_MS }).catch(async (e) => {
    throw new Error(`the form stayed open: ${await form.innerText()}\n${e}`)
  })
}

async function waitForCached(page: Page, path: string) {
  await expect.poll(() => keptOffline(page, [path]), { timeout: WAIT_MS }).toBe(true)
}

async function storedVisits(officerId: number, since: string) {
  return seeded.selectFrom('visits').select(['id', 'player_id', 'has_need', 'check_in_flag', 'far_reason']).where('officer_id', '=', officerId).where('recorded_at', '>=', since).execute()
}

describe("an officer's day on a phone", () => {
  // Each test opens its own pages; their contexts close when it ends.
  it('signs in, sees the list by distance, logs a visit with a need; offline logs two more (one far), reloads, and online again all three are stored once', async () => {
    // Signs in and sees the list sorted by distance from where they stand.
    const { officerId, onList } = await listOf('officer')
    const placed = onList.filter((p) => p.lat !== null && p.lng !== null && p.position_approximate === 0)
    expect(placed.length).toBeGreaterThan(3)
    // Stand right at one of the players.
    const here = placed[Math.floor(placed.length / 2)]
    const at = { lat: here.lat! + 0.0002, lng: here.lng! }
    const byDistance = [...placed].sort((a, b) => distanceMetres(at, { lat: a.lat!, lng: a.lng! }) - distanceMetres(at, { lat: b.lat!, lng: b.lng! }))
    const chosen = byDistance.slice(0, 3).map((p) => ({ id: p.id, name: p.name, lat: p.lat!, lng: p.lng! }))
    const since = new Date().toISOString()

    const { context, page } = await session.newPage({ viewport: PHONE, geolocation: { latitude: at.lat, longitude: at.lng, accuracy: 12 } })
    await session.signIn(page, 'officer')
    await page.goto(`${app.url}/my`)
    await page.getByRole('heading', { name: 'My list' }).waitFor()
    await page.getByLabel('Sort').selectOption('distance')
    await page.getByTestId('my-position').waitFor()
    await expect.poll(() => page.locator('li[data-player-id]').first().getAttribute('data-player-id')).toBe(String(chosen[0].id))
    // Distances shown go up the list, among the players with a position.
    const shown = await page.locator('li[data-player-id] .distance').allTextContents()
    const metres = shown.map((s) => (s.endsWith(' km') ? parseFloat(s) * 1000 : parseFloat(s)))
    expect(metres.length).toBeGreaterThan(3)
    expect([...metres].sort((a, b) => a - b)).toEqual(metres)
    // The small map draws the list and the officer's own position, with no tiles at all.
    await page.getByRole('button', { name: 'Map' }).click()
    // Counted until drawn: the small map redraws as it frames the points.
    await expect.poll(() => page.locator('.my-list-map .leaflet-interactive').count()).toBeGreaterThan(3)

    // Logs a visit with a need at the door; it is stored at once.
    const countsBefore = await page.getByTestId('my-counts').textContent()
    await logVisit(page, chosen[0].id, async (form) => {
      await expect(form.getByTestId('check-in').textContent()).resolves.toMatch(/live · \d+ m from the player/)
      await form.getByLabel('Has a financing need').check()
      await form.getByLabel('Amount (10k yuan)').fill('50')
      await form.getByLabel('Term (months)').fill('12')
      await form.getByLabel('Outcome').selectOption('refer')
    })
    await page.getByTestId('sent-visits').getByText(chosen[0].name).waitFor()
    // Once sent, the list and its counts come again from the server; going offline waits for that.
    await expect.poll(() => page.getByTestId('my-counts').textContent()).not.toBe(countsBefore)
    const stored1 = await storedVisits(officerId, since)
    expect(stored1).toHaveLength(1)
    expect(stored1[0]).toMatchObject({ player_id: chosen[0].id, has_need: 1, check_in_flag: null })

    // Offline: two more (one far, with a reason); a reload with no network still shows them waiting.
    await waitForCached(page, '/my')
    await context.setOffline(true)
    // Walk to the second player's door.
    await context.setGeolocation({ latitude: chosen[1].lat + 0.0001, longitude: chosen[1].lng, accuracy: 10 })
    await logVisit(page, chosen[1].id, async (form) => {
      await form.getByLabel('Outcome').selectOption('no_need')
    })
    // The third is met 3 km from its door.
    await context.setGeolocation({ latitude: chosen[2].lat + 0.027, longitude: chosen[2].lng, accuracy: 20 })
    await logVisit(page, chosen[2].id, async (form) => {
      await form.getByTestId('far-warning').waitFor()
      await form.getByLabel('Why you are not at the player').fill('Owner asked to meet at the market')
      await form.getByLabel('Outcome').selectOption('follow_up')
    })
    await page.getByTestId('outbox-badge').getByText('2 to send').waitFor()
    await page.getByTestId('outbox-badge').getByText('Offline').waitFor()

    const reloaded = await page.reload()
    // The page came from the service worker's copy: there is no network.
    expect(reloaded?.fromServiceWorker()).toBe(true)
    expect(reloaded?.headers()['x-wanqi-from-cache']).toBe('1')
    await page.getByRole('heading', { name: 'My list' }).waitFor()
    await page.getByTestId('outbox-badge').getByText('2 to send').waitFor()
    const waiting = await page.locator('#outbox').textContent()
    expect(waiting).toContain(chosen[1].name)
    expect(waiting).toContain(chosen[2].name)
    expect(await storedVisits(officerId, since)).toHaveLength(1)

    // Online again: all three stored, each once.
    await context.setOffline(false)
    await page.getByTestId('outbox-badge').waitFor({ state: 'detached', timeout: WAIT_MS })
    const stored = await storedVisits(officerId, since)
    expect(stored.map((v) => v.player_id).sort()).toEqual(chosen.map((c) => c.id).sort())
    expect(new Set(stored.map((v) => v.id)).size).toBe(3)
    const far = stored.find((v) => v.player_id === chosen[2].id)!
    expect(far).toMatchObject({ check_in_flag: 'far', far_reason: 'Owner asked to meet at the market' })
  })

  it('the manager sees a far check-in flagged in the day\'s visits', async () => {
    // The officer sends a visit met 3 km from a player's door, as the outbox does.
    const { onList } = await listOf('officer2')
    const player = onList.find((p) => p.lat !== null && p.lng !== null && p.position_approximate === 0)!
    const { page: officer } = await session.newPage({ viewport: PHONE })
    await session.signIn(officer, 'officer2')
    const status = await officer.evaluate(
      (values) => fetch('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(values) }).then((r) => r.status),
      { id: `far-${Date.now()}`, playerId: player.id, checkInLat: player.lat! + 0.027, checkInLng: player.lng!, checkInAccuracy: 20, checkInFix: 'live', farReason: 'Owner asked to meet at the market', outcome: 'no_need' },
    )
    expect(status).toBe(201)

    const { page: manager } = await session.newPage({ viewport: PHONE })
    await session.signIn(manager, 'manager')
    await manager.goto(`${app.url}/visits?flagged=1`)
    const row = manager.locator('tr', { hasText: player.name })
    await row.waitFor()
    expect(await row.textContent()).toContain('Beyond radius')
    expect(await row.textContent()).toContain('Owner asked to meet at the market')

    // The map shades the branch's townships by coverage, with no tiles.
    await manager.goto(`${app.url}/map?colour=coverage`)
    await manager.getByTestId('coverage-legend').waitFor()
    // Read until drawn: the shapes come in their own request and the map redraws them.
    const fills = () => manager.locator('path.coverage-shade').evaluateAll((paths) => paths.map((p) => p.getAttribute('fill')))
    await expect.poll(fills).toSatisfy((shown: (string | null)[]) => shown.length > 0 && shown.every((f) => f && f !== '#cbd5e1'))
  })
})
