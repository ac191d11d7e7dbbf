// The officer's list on a weak signal: Chromium at 390×844 with the DevTools slow-3G figures
// (400 ms latency, 400 kbit/s each way) and the CPU slowed 4×, signed in as the officer, timed
// from asking for /my until the list is usable, beside the same with no throttling in the same
// run. "Usable" is the cards painted: the server draws the first screens of cards whose links
// are plain links (call, navigate, the player, 记录走访 opening the visit form's own page, which
// works without scripts) and whose sort form the server applies, so the officer works before
// the scripts arrive (test/e2e/my-list-first-screen.test.ts checks it with the scripts refused).
// "Hydrated" (the page's scripts running: the map button drawn) is timed too. "First open" starts with no cached files (HTTP
// cache, service worker and its cache cleared); "again" is the next open, files kept.
// `npm run bench -- slow3g [--duration N]` (N: runs per row, default 3). The server seeds
// the demo county itself (about a minute) into a throwaway database.
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Browser, Page } from 'playwright-core'
import { DEMO_PASSWORD } from '../../db/seed/index'
import { precompressDirectory } from '../../app/http/precompressed.server'
import { launchBrowser, startAppProcess, type AppProcess } from '../support/browser'
import { pageWeight } from '../support/page-weight'
import { ensureBuild, type Benchmark } from './harness'
import { PHONE, SLOW_3G_NOTE, eachProfile, median, throttle } from './weak-signal'

interface Opened {
  /** Milliseconds from asking for /my to its cards painted (a card in the page and a first paint). */
  shown: number
  /** … to the page hydrated (the Map button exists only then). */
  hydrated: number
}

async function openList(page: Page, url: string): Promise<Opened> {
  await page.goto(`${url}/my`, { waitUntil: 'commit', timeout: 120_000 })
  // Polled on animation frames, which run only once the page can be drawn (its stylesheets in).
  const shown = await page.waitForFunction(
    () => (document.querySelector('li[data-player-id]') !== null && performance.getEntriesByName('first-contentful-paint').length > 0 ? performance.now() : 0),
    undefined,
    { timeout: 120_000, polling: 'raf' },
  )
  await page.waitForFunction(() => document.querySelector('button[aria-pressed]') !== null, undefined, { timeout: 120_000 })
  return { shown: (await shown.jsonValue()) as number, hydrated: await page.evaluate(() => performance.now()) }
}

async function run(browser: Browser, app: AppProcess, throttled: boolean): Promise<{ first: Opened; again: Opened; bytes: number }> {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })
  const origin = new URL(app.url).origin
  await context.route((u) => u.origin !== origin, (route) => route.abort())
  try {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    // Signed in at full speed; then nothing kept but the session cookie.
    await page.goto(`${app.url}/login`)
    await page.locator('input[name="username"]').fill('officer')
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    await page.locator('form[method="post"] button[type="submit"]').last().click()
    await page.waitForURL(`${app.url}/`)
    await page.goto('about:blank')
    await cdp.send('Network.clearBrowserCache')
    await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'service_workers,cache_storage' })
    let bytes = 0
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (bytes += e.encodedDataLength))
    await throttle(cdp, throttled)
    const first = await openList(page, app.url)
    const firstBytes = bytes
    const again = await openList(page, app.url)
    await throttle(cdp, false)
    return { first, again, bytes: firstBytes }
  } finally {
    await context.close()
  }
}

export const benchmark: Benchmark = {
  name: 'slow3g',
  async run({ durationSeconds, log }) {
    ensureBuild(log)
    // As `npm run build` deploys it: scripts and stylesheets brotli-compressed beside themselves.
    const packed = await precompressDirectory(path.join(import.meta.dirname, '../../public/build'))
    log(`precompressed ${packed.files} built files`)
    const runs = Math.max(1, Math.min(durationSeconds, 10))
    log('starting the app on a fresh demo county (it seeds itself)')
    const app = await startAppProcess({ env: { MAP_TILES: 'none' } })
    const browser = await launchBrowser()
    try {
      // The JavaScript /my loads before it works (gzipped), as the budget test counts it.
      const cookieJar = await signInCookie(app.url)
      const html = await (await fetch(`${app.url}/my`, { headers: { Cookie: cookieJar } })).text()
      const weight = await pageWeight(app.url, html)
      const seconds = (values: number[]) => (median(values) / 1000).toFixed(2)
      const rows = (await eachProfile(runs, log, (throttled) => run(browser, app, throttled))).map(({ label, results }) => [
        label,
        String(runs),
        seconds(results.map((r) => r.first.shown)),
        seconds(results.map((r) => r.first.hydrated)),
        seconds(results.map((r) => r.again.shown)),
        seconds(results.map((r) => r.again.hydrated)),
        (median(results.map((r) => r.bytes)) / 1024).toFixed(0),
      ])
      return {
        title: 'The officer’s list usable (cards painted, links working) and hydrated, 390×844 Chromium (medians, s)',
        columns: [
          { label: 'profile', align: 'left' },
          { label: 'runs', align: 'right' },
          { label: 'first open: usable', align: 'right' },
          { label: 'hydrated', align: 'right' },
          { label: 'again: usable', align: 'right' },
          { label: 'hydrated', align: 'right' },
          { label: 'first open KB on the wire', align: 'right' },
        ],
        rows,
        notes: [
          SLOW_3G_NOTE,
          `/my loads ${(weight.gzipBytes / 1024).toFixed(1)} KB of gzipped JavaScript before it works (${weight.modules.length} modules)`,
          `/my's HTML: ${(html.length / 1024).toFixed(0)} KB, ${(gzipSync(html).length / 1024).toFixed(1)} KB gzipped (${(html.match(/data-player-id=/g) ?? []).length} cards drawn by the server)`,
        ],
      }
    } finally {
      await browser.close()
      await app.stop()
    }
  },
}

/** The officer's session cookie, signed in through the real form. */
async function signInCookie(url: string): Promise<string> {
  const body = new URLSearchParams({ username: 'officer', password: DEMO_PASSWORD })
  const response = await fetch(`${url}/login`, { method: 'POST', body, redirect: 'manual' })
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0])
  if (response.status !== 302 || cookies.length === 0) throw new Error(`signing in answered ${response.status}`)
  return cookies.join('; ')
}
