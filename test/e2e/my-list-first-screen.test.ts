// The officer's list is usable before its scripts arrive (issue 23, slow 3G): the server draws
// the first screens of cards whose links work as plain links, applies the sort form itself,
// and "Log visit" opens the visit form's own page; once the page runs it draws the rest of the
// first hundred and the sort applies at once; the service worker does not fetch the list again
// for each page. Chromium at 390×844 on the demo county.
import { describe, expect, it } from 'vitest'
import { FIRST_SCREEN } from '../../app/routes/my'
import { keptOffline } from '../support/browser'
import { openBrowserApp } from '../support/browser-app'

const PHONE = { width: 390, height: 844 }

const { app, session } = openBrowserApp({ env: { MAP_TILES: 'none' } })

describe('the officer’s list before its scripts', () => {
  it('shows the first screens of cards, sorts through the server and opens the visit form, with no script run', async () => {
    const { context, page } = await session.newPage({ viewport: PHONE })
    await session.signIn(page, 'officer')
    // The signal too weak for the scripts: none of them arrives.
    await context.route((url) => url.pathname.endsWith('.js'), (route) => route.abort())
    await page.goto(`${app.url}/my`)
    const cards = page.locator('ol.my-items > li[data-player-id]')
    await expect.poll(() => cards.count()).toBe(FIRST_SCREEN)
    // The rest of the list is a link away (the server draws it all when asked).
    await expect.poll(() => page.locator('a[href*="all=1"]').count()).toBe(1)

    await page.getByLabel('Sort', { exact: true }).selectOption('township')
    await page.getByRole('button', { name: 'Apply', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('sort') === 'township')
    expect(await page.getByLabel('Sort', { exact: true }).inputValue()).toBe('township')
    // Drawn in township order by the server: the names' collation never goes backwards.
    const townships = await cards.evaluateAll((lis) => lis.map((li) => li.querySelector('p.muted')?.textContent?.split(' · ')[0] ?? ''))
    const sorted = [...townships].sort((a, b) => a.localeCompare(b, 'zh-CN'))
    expect(townships).toEqual(sorted)

    const first = cards.first()
    const id = await first.getAttribute('data-player-id')
    await first.getByRole('link', { name: 'Log visit' }).click()
    await page.waitForURL(`${app.url}/players/${id}/visit`)
    await page.getByRole('button', { name: 'Save visit' }).waitFor()
  })

  it('keeps the list on the phone without fetching it again for every page', async () => {
    const { context, page } = await session.newPage({ viewport: PHONE })
    await session.signIn(page, 'officer')
    await page.goto(`${app.url}/my`)
    await page.getByRole('button', { name: 'Map', exact: true }).waitFor()
    // The service worker controls the page and keeps the list (the page asks it once it runs;
    // it asks for /my first, then /my.data). Until both hold, a download of the list under
    // way is the page's own ask, not a second one.
    await expect.poll(() => keptOffline(page, ['/my', '/my.data'])).toBe(true)
    const fetched: string[] = []
    const seen: string[] = []
    context.on('request', (request) => {
      const path = new URL(request.url()).pathname
      if (!request.serviceWorker()) return
      seen.push(path)
      if (path === '/my' || path === '/my.data') fetched.push(path)
    })
    // What every page asks of the worker, with a file it does not hold yet last: once that is
    // kept, the worker has been through the list's two entries before it.
    await page.evaluate(async () => {
      await (await caches.open('wanqi-v1')).delete('/favicon.svg')
      navigator.serviceWorker.controller!.postMessage({ type: 'cache', urls: ['/my', '/my.data', '/favicon.svg'] })
    })
    await expect.poll(() => keptOffline(page, ['/favicon.svg'])).toBe(true)
    // The worker's requests reach this listener (the marker's among them, in the worker's
    // order: after any of the list's), and none of them was the list's.
    await expect.poll(() => seen).toContain('/favicon.svg')
    expect(fetched).toEqual([])
  })

  it('draws the rest of the first hundred once the page runs, its sort applied without a button', async () => {
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signIn(page, 'officer')
    await page.goto(`${app.url}/my`)
    await page.getByRole('button', { name: 'Map', exact: true }).waitFor()
    await expect.poll(() => page.locator('ol.my-items > li[data-player-id]').count()).toBe(100)
    expect(await page.getByRole('button', { name: 'Apply', exact: true }).count()).toBe(0)
  })
})
