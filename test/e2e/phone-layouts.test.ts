// Issue 23's phone layouts in Chromium at 390×844 against the real server on the demo county:
// /referrals is a card per referral (no table scrolling sideways), so are the desk pages'
// tables (visits, loan codes, the dashboard's lists, clocks), /map puts the map first with its
// filters folded, and /my keeps the officer's sort over a reload.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { wgs84ToGcj02 } from '../../app/domain/gcj02'
import { openBrowserApp } from '../support/browser-app'

const PHONE = { width: 390, height: 844 }

const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none', LOAN_SIM: 'none' } })

describe('phone layouts', () => {
  it('/referrals is a card per referral, each value labelled, nothing scrolling sideways', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'manager', { at: null })
    await page.goto(`${app.url}/referrals`)
    const row = page.locator('tr[data-referral]').first()
    await row.waitFor()
    const wrap = page.locator('.table-wrap').first()
    expect(await wrap.evaluate((w) => w.scrollWidth <= w.clientWidth)).toBe(true)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    // A card: the row a block, its product cell on one line, labelled.
    expect(await row.evaluate((r) => getComputedStyle(r).display)).toBe('block')
    const product = row.locator('td[data-label="Product"]')
    expect(await product.evaluate((td) => getComputedStyle(td, '::before').content)).toBe('"Product"')
    const lineHeight = await product.evaluate((td) => parseFloat(getComputedStyle(td).lineHeight) || 24)
    expect((await product.boundingBox())!.height).toBeLessThan(2 * lineHeight + 8)
  })

  it('the desk pages fit a phone: nothing scrolls sideways, each table a labelled card per row', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'manager', { at: null })
    // [page, whether the demo county gives it rows]; /clocks has none, so its empty state shows.
    const pages: [string, boolean | null][] = [
      ['/visits', false],
      ['/loan-qr', true],
      ['/dashboard/players?figure=visited', true],
      ['/clocks', false],
      ['/clocks/ranking', false],
    ]
    await fitsAsCards(page, pages)
  })

  it('the admin pages, territories and imports fit a phone too, their tables as cards', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'admin', { at: null })
    // [page, whether it has rows (true), says it has none (false), or may be either (null)].
    // No API tokens in the demo county: the tokens page says so instead of an empty table.
    await fitsAsCards(page, [
      ['/admin/users', true],
      ['/admin/org-units', true],
      ['/admin/products', null],
      ['/admin/tokens', false],
      ['/admin/calendar', null],
      ['/admin/areas', null],
      ['/admin/visit-rules', true],
      ['/territories', true],
      ['/imports', null],
      ['/imports/history', null],
    ])
    await page.goto(`${app.url}/admin/tokens`)
    await page.getByTestId('no-tokens').waitFor()
  })

  it('/map shows the map first, the filters folded until asked for', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'manager', { at: null })
    await page.goto(`${app.url}/map`)
    const map = page.locator('.territory-map').first()
    // Polled: the map is laid out again as the page hydrates, and has no box for that moment.
    await expect.poll(async () => (await map.boundingBox())?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(PHONE.height / 2)
    const colour = page.getByLabel('Colour by')
    // checkVisibility: a closed <details> hides its content with content-visibility, still laid out.
    const shown = () => page.getByLabel('Colour by').evaluate((e) => e.checkVisibility())
    expect(await shown()).toBe(false)
    await page.getByText('Filters', { exact: true }).click()
    await colour.selectOption('campaign')
    await page.getByRole('button', { name: 'Filter', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('colour') === 'campaign')
    // Folded again after the filter, saying how many are chosen.
    await page.getByText('Filters (1 chosen)').waitFor()
    expect(await shown()).toBe(false)
  })

  it('/my keeps the sort the officer chose over a reload', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'officer', { at: null })
    await page.goto(`${app.url}/my`)
    const sort = page.getByLabel('Sort', { exact: true })
    await expect.poll(() => sort.inputValue()).toBe('reason')
    // Hydrated before choosing (the map button is drawn by the page's script, which keeps the choice).
    await page.getByRole('button', { name: 'Map', exact: true }).waitFor()
    await sort.selectOption('township')
    await page.reload()
    await expect.poll(() => page.getByLabel('Sort', { exact: true }).inputValue()).toBe('township')
  })

  it('/my hands AMap the position in GCJ-02 and Baidu in BD-09, not the stored WGS-84', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'officer', { at: null })
    await page.goto(`${app.url}/my`)
    const amap = page.locator('a[data-app="amap"]').first()
    const id = Number(await amap.locator('xpath=ancestor::li[@data-player-id]').getAttribute('data-player-id'))
    const at = await seeded.selectFrom('market_players').select(['lat', 'lng']).where('id', '=', id).executeTakeFirstOrThrow()
    const [lng, lat] = wgs84ToGcj02(at.lng!, at.lat!)
    const to = new URL((await amap.getAttribute('href'))!).searchParams.get('to')!
    expect(to.split(',').slice(0, 2)).toEqual([lng.toFixed(6), lat.toFixed(6)])
    const baidu = new URL((await page.locator('a[data-app="baidu"]').first().getAttribute('href'))!)
    expect(baidu.searchParams.get('coord_type')).toBe('bd09ll')
    expect(baidu.searchParams.get('destination')).not.toContain(`${at.lat!.toFixed(6)},${at.lng!.toFixed(6)}`)
  })
})

/** Opens each page and checks that nothing scrolls sideways and each table is a labelled card per row. */
async function fitsAsCards(page: Page, pages: [string, boolean | null][]) {
  for (const [path, hasRows] of pages) {
    await page.goto(`${app.url}${path}`)
    await page.locator('h1').first().waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(PHONE.width)
    const tables = await page.locator('table').evaluateAll((all) =>
      all.map((table) => ({
        cards: table.classList.contains('cards'),
        rows: [...table.querySelectorAll('tbody tr')].map((tr) => getComputedStyle(tr).display),
        labels: [...table.querySelectorAll('tbody tr:first-child td[data-label]')].map((td) => getComputedStyle(td, '::before').content),
      })),
    )
    for (const table of tables) {
      expect(table.cards, path).toBe(true)
      expect(new Set(table.rows), path).toEqual(new Set(table.rows.length ? ['block'] : []))
      for (const label of table.labels) expect(label, path).not.toBe('none')
    }
    const rows = tables.reduce((n, table) => n + table.rows.length, 0)
    if (hasRows === true) expect(rows, path).toBeGreaterThan(0)
    else if (hasRows === false && rows === 0 && path !== '/clocks/ranking') expect(await page.locator('.empty-state').count(), path).toBeGreaterThan(0)
  }
}
