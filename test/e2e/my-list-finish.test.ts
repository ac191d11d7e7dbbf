// The officer's list on a 390×844 phone (issue 23, item 12 and the field phone's weight):
// the pages hydrate with only their language's field messages (the rest refused), the small
// map says what its colours mean, a saved visit is confirmed on screen, and once the outbox
// has sent it the counts follow without a reload.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { todayInChina } from '../../app/domain/china-time'
import { openBrowserApp } from '../support/browser-app'
import { DEMO_PASSWORD } from '../../db/seed/index'

const PHONE = { width: 390, height: 844 }
// A message key shown as itself ("my.count.never_visited"): a message the page did not have.
const RAW_KEY = /\b(app|nav|common|login|error|my|visit|photo|outbox|clocks|player|candidateStatus|registry|figure|product)\.[a-zA-Z_]+/

const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none' } })

/** A player on the officer's list never visited, with an exact position. */
async function neverVisited(username: string) {
  const officer = await seeded.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()
  const players = await seeded
    .selectFrom('market_players')
    .select(['id', 'name', 'lat', 'lng'])
    .where('assigned_officer_id', '=', officer.id)
    .where('last_visited_at', 'is', null)
    .where('position_approximate', '=', 0)
    .where('lat', 'is not', null)
    .where((eb) => eb.or([eb('next_follow_up_on', 'is', null), eb('next_follow_up_on', '>', todayInChina())]))
    .orderBy('id')
    .execute()
  expect(players.length).toBeGreaterThan(1)
  return players
}

async function hydrated(page: Page) {
  // The sort list is React's once the page hydrated: choosing a sort keeps it on the phone.
  await page.waitForFunction(() => document.querySelector('button[aria-pressed]') !== null)
}

describe('the officer’s list, finished', () => {
  it('hydrates /login, /my and the visit form with the field messages alone, in Chinese', async () => {
    const { context, page } = await session.newPage({ viewport: PHONE, chinese: true })
    let refused = 0
    await context.route(/\/messages\/[^/]+\/rest-/, (route) => {
      refused += 1
      return route.abort()
    })
    const asked: string[] = []
    page.on('request', (r) => {
      if (r.url().includes('/messages/')) asked.push(new URL(r.url()).pathname)
    })
    await page.goto(`${app.url}/login`)
    await page.getByLabel('用户名').fill('officer')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.waitForURL(`${app.url}/`)
    await page.goto(`${app.url}/my`)
    await page.getByRole('heading', { name: '我的清单' }).waitFor()
    await hydrated(page)
    const [player] = await neverVisited('officer')
    await page.locator(`li[data-player-id="${player.id}"]`).getByRole('link', { name: '登记走访' }).click()
    await page.locator('form.visit-form').getByRole('button', { name: '保存走访' }).waitFor()
    await page.getByRole('button', { name: '地图' }).click()
    await page.getByTestId('my-map-legend').waitFor()
    expect(await page.locator('main, body').first().innerText()).not.toMatch(RAW_KEY)
    // Only Chinese was asked for; the rest was asked for (after the page worked) and refused.
    expect(asked.length).toBeGreaterThan(0)
    expect(asked.every((p) => p.startsWith('/messages/zh-CN/'))).toBe(true)
    expect(refused).toBeGreaterThan(0)
  })

  it('shows a legend with the map, confirms a saved visit on screen, and updates the counts once it is sent', async () => {
    const [player] = await neverVisited('officer')
    const { page } = await session.newPage({ viewport: PHONE, geolocation: { latitude: player.lat! + 0.0001, longitude: player.lng!, accuracy: 10 } })
    await session.signInByPost(page, 'officer', { at: null })
    await page.goto(`${app.url}/my`)
    await page.getByRole('heading', { name: 'My list' }).waitFor()
    await hydrated(page)

    await page.getByRole('button', { name: 'Map' }).click()
    const legend = page.getByTestId('my-map-legend')
    await legend.getByText('Never visited').waitFor()
    await legend.getByText('approximate position').waitFor()
    await page.locator('.my-list-map .leaflet-interactive').first().waitFor()

    const counts = page.getByTestId('my-counts')
    const before = Number(/(\d+) never visited/.exec(await counts.innerText())?.[1])
    expect(before).toBeGreaterThan(1)

    // The card sits far down the list: the form opens at the top, and so does the confirmation.
    await page.locator(`li[data-player-id="${player.id}"]`).getByRole('link', { name: 'Log visit' }).click()
    const form = page.locator('form.visit-form')
    await form.getByTestId('check-in').getByText(/Position within about/).waitFor()
    await form.getByLabel('Outcome').selectOption('no_need')
    await form.getByRole('button', { name: 'Save visit' }).click()
    const saved = page.getByTestId('my-saved')
    await saved.getByText(`Visit to ${player.name} saved.`).waitFor()
    expect(await saved.getAttribute('aria-live')).toBe('polite')
    await expect
      .poll(() => saved.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight }))
      .toBe(true)

    // Sent by the outbox, the visit takes the player off the list: the count follows, no reload.
    await page.getByTestId('sent-visits').getByText(player.name).waitFor()
    await expect.poll(async () => Number(/(\d+) never visited/.exec(await counts.innerText())?.[1]), { timeout: 60_000 }).toBe(before - 1)
    await page.locator(`li[data-player-id="${player.id}"]`).waitFor({ state: 'detached' })
  })
})
