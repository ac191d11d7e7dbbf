// The officer's day as a route, in Chromium on a 390×844 phone with a mocked position, against
// the real server and the demo county: from /my to the route page, stops ticked, the round
// ordered from where the officer stands with its total and each leg, drawn numbered on the
// map, the first stop handed to the navigation app; a stop moved by hand is kept across a
// reload, and with no network the page reloads from the service worker's copy, plans again
// (from the first stop when the position is refused) and opens from the cached list's link.
// A 51st stop is refused, saying so.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { todayInChina } from '../../app/domain/china-time'
import { MAX_ROUTE_STOPS, planRoute, roundMetres } from '../../app/domain/route-plan'
import { DEMO_PASSWORD } from '../../db/seed/index'
import { keptOffline } from '../support/browser'
import { openBrowserApp } from '../support/browser-app'
import { WAIT_MS } from '../support/test-constants'

const PHONE = { width: 390, height: 844 }

const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none' } })

/** Today's list of the officer as the server makes it, the players with a position. */
async function placedOnList(username: string) {
  const officer = await seeded.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()
  const today = todayInChina()
  const players = await seeded
    .selectFrom('market_players')
    .select(['id', 'name', 'lat', 'lng', 'next_follow_up_on', 'last_visited_at', 'last_outcome'])
    .where('assigned_officer_id', '=', officer.id)
    .where('lat', 'is not', null)
    .where('lng', 'is not', null)
    .orderBy('id')
    .execute()
  return players
    .filter((p) => (p.next_follow_up_on !== null && p.next_follow_up_on <= today) || p.last_visited_at === null || p.last_outcome === null)
    .map((p) => ({ id: p.id, name: p.name, lat: p.lat!, lng: p.lng! }))
}

const formatMetres = (metres: number) => (metres >= 1000 ? `${(metres / 1000).toFixed(1)} km` : `${Math.round(metres)} m`)
const shownOrder = async (page: Page) => (await page.locator('[data-route-stop]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-route-stop')))))

describe("the officer's day as a route on a phone", () => {
  it('plans the ticked stops from where the officer stands, keeps a reorder across reloads, and plans again offline', async () => {
    const placed = await placedOnList('officer')
    expect(placed.length).toBeGreaterThan(6)
    const stops = placed.slice(0, 6)
    const at = { lat: stops[0].lat + 0.01, lng: stops[0].lng + 0.01 }
    const { context, page } = await session.newPage({ viewport: PHONE, geolocation: { latitude: at.lat, longitude: at.lng, accuracy: 15 } })
    await session.signIn(page, 'officer')
    await page.goto(`${app.url}/my`)
    await page.getByRole('link', { name: 'Plan my route' }).click()
    await page.waitForURL(`${app.url}/my/route`)
    await page.getByRole('heading', { name: 'Today’s route' }).waitFor()

    for (const s of stops) await page.locator(`input[data-stop-id="${s.id}"]`).check()
    await expect.poll(() => page.getByTestId('route-chosen').textContent()).toBe('Choose stops (6 of 50 chosen)')
    await page.getByRole('button', { name: 'Plan the route' }).click()
    await page.getByTestId('route-total').waitFor()
    expect(await page.getByTestId('route-start').textContent()).toBe('Starting from where you stand (within about 15 m).')

    // The order and distance are the planner's, from the mocked position.
    const planned = planRoute(at, stops)
    const expected = planned.order.map((i) => stops[i].id)
    expect(await shownOrder(page)).toEqual(expected)
    expect(await page.getByTestId('route-total').textContent()).toBe(`About ${formatMetres(planned.metres)} in all (back to the start included), 6 stops`)
    expect(await page.getByTestId('route-leg').count()).toBe(6)
    // On the map, numbered 1 to 6, and the round as one line; no tiles at all.
    await expect.poll(() => page.locator('.route-map .route-stop-icon').allTextContents()).toEqual(['1', '2', '3', '4', '5', '6'])
    await expect.poll(() => page.locator('.route-map path.leaflet-interactive').count()).toBeGreaterThan(0)
    // The first stop goes to the phone's navigation (Android: a geo: URI in WGS-84).
    const first = stops.find((s) => s.id === expected[0])!
    expect(await page.getByTestId('route-navigate').getAttribute('href')).toBe(`geo:${first.lat.toFixed(6)},${first.lng.toFixed(6)}?q=${first.lat.toFixed(6)},${first.lng.toFixed(6)}(${encodeURIComponent(first.name)})`)

    // Moved by hand: the first stop goes second; the total follows the new order.
    await page.getByRole('button', { name: `Move ${first.name} down` }).click()
    const moved = [expected[1], expected[0], ...expected.slice(2)]
    await expect.poll(() => shownOrder(page)).toEqual(moved)
    await page.getByText('Order changed by hand').waitFor()
    const movedMetres = roundMetres(at, moved.map((id) => stops.find((s) => s.id === id)!), moved.map((_, i) => i))
    expect(await page.getByTestId('route-total').textContent()).toContain(`About ${formatMetres(movedMetres)} in all`)

    // A reload keeps the order the officer chose.
    await page.reload()
    await page.getByTestId('route-total').waitFor()
    expect(await shownOrder(page)).toEqual(moved)

    // No network: the page comes from the service worker, keeps the order, and plans again;
    // with the position refused, from the first stop ticked, saying so.
    await expect.poll(() => keptOffline(page, ['/my/route', '/my/route.data']), { timeout: WAIT_MS }).toBe(true)
    await context.setOffline(true)
    await context.clearPermissions()
    const reloaded = await page.reload()
    expect(reloaded?.fromServiceWorker()).toBe(true)
    await page.getByTestId('route-total').waitFor()
    expect(await shownOrder(page)).toEqual(moved)
    await page.getByRole('button', { name: 'Plan again from here' }).click()
    await expect.poll(() => page.getByTestId('route-start').textContent()).toBe(`Your position is not available: starting from the first stop, ${stops[0].name}.`)
    const fromFirst = planRoute(stops[0], stops.slice(1))
    const replanned = [stops[0].id, ...fromFirst.order.map((i) => stops[i + 1].id)]
    await expect.poll(() => shownOrder(page)).toEqual(replanned)
    expect(await page.getByTestId('route-total').textContent()).toContain(`About ${formatMetres(fromFirst.metres)} in all`)
    await expect.poll(() => page.locator('.route-map .route-stop-icon').count()).toBe(6)
    // Still offline, from the cached list to the route by its link: the route's data was kept too.
    await page.goto(`${app.url}/my`)
    await page.getByRole('heading', { name: 'My list' }).waitFor()
    await page.getByRole('link', { name: 'Plan my route' }).click()
    await page.getByRole('heading', { name: 'Today’s route' }).waitFor()
    await expect.poll(() => shownOrder(page)).toEqual(replanned)
    await context.setOffline(false)
  })

  it(`takes up to ${MAX_ROUTE_STOPS} stops and refuses one more, saying so`, async () => {
    const placed = await placedOnList('officer2')
    expect(placed.length).toBeGreaterThan(MAX_ROUTE_STOPS)
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signIn(page, 'officer2')
    await page.goto(`${app.url}/my/route`)
    await page.getByRole('heading', { name: 'Today’s route' }).waitFor()
    await page.getByRole('button', { name: 'Plan the route' }).waitFor() // hydrated
    for (const s of placed.slice(0, MAX_ROUTE_STOPS)) await page.locator(`input[data-stop-id="${s.id}"]`).check()
    await page.locator(`input[data-stop-id="${placed[MAX_ROUTE_STOPS].id}"]`).click()
    expect(await page.getByTestId('route-refused').textContent()).toBe('At most 50 stops: untick some before choosing others.')
    expect(await page.locator(`input[data-stop-id="${placed[MAX_ROUTE_STOPS].id}"]`).isChecked()).toBe(false)
    expect(await page.getByTestId('route-chosen').textContent()).toBe('Choose stops (50 of 50 chosen)')
  })

  it('works in Chinese with the field messages alone (the rest refused): no key shows raw', async () => {
    const [stop] = await placedOnList('officer3')
    const { context, page } = await session.newPage({ viewport: PHONE, chinese: true, geolocation: { latitude: stop.lat + 0.001, longitude: stop.lng, accuracy: 20 } })
    await context.route(/\/messages\/[^/]+\/rest-/, (route) => route.abort())
    await page.goto(`${app.url}/login`)
    await page.getByLabel('用户名').fill('officer3')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.waitForURL(`${app.url}/`)
    await page.goto(`${app.url}/my/route`)
    await page.getByRole('heading', { name: '今日路线' }).waitFor()
    await page.locator(`input[data-stop-id="${stop.id}"]`).check()
    await page.getByRole('button', { name: '规划路线' }).click()
    await page.getByTestId('route-total').waitFor()
    expect(await page.getByTestId('route-start').textContent()).toBe('从您当前的位置出发（精度约 20 米）。')
    await page.getByRole('link', { name: '导航到第一站' }).waitFor()
    expect(await page.locator('body').innerText()).not.toMatch(/\b(app|nav|common|my|player)\.[a-zA-Z_.]+/)
    // Unticking the only stop (the chooser folds away once planned) leaves no route, and no error.
    await page.getByTestId('route-chosen').click()
    await page.locator(`input[data-stop-id="${stop.id}"]`).uncheck()
    await page.getByTestId('route-total').waitFor({ state: 'detached' })
    expect(await page.getByTestId('route-chosen').textContent()).toBe('选择站点（已选 0/50）')
  })
})
