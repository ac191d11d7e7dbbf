// The loan QR code's public page on a weak signal (issue 25: "under 50 KB and usable in 2 s
// on slow 3G"): Chromium at 390×844, nothing cached, opened from a code as a firm's phone
// would (no account). Timed from asking for the page until the form shows, and until the
// proof of work the submit needs is done (the firm types meanwhile), beside no throttling
// in the same run; with the bytes on the wire.
// `npm run bench -- qr-page [--duration N]` (N: runs per profile, default 3). The server
// seeds the demo county itself (about a minute) into a throwaway database.
import crypto from 'node:crypto'
import Database from 'better-sqlite3'
import type { Browser, CDPSession } from 'playwright-core'
import { launchBrowser, startAppProcess, type AppProcess } from '../support/browser'
import { ensureBuild, type Benchmark } from './harness'
import { PHONE, SLOW_3G_NOTE, eachProfile, median, throttle } from './weak-signal'

const WAIT = 180_000

interface Result {
  formMs: number
  readyMs: number
  bytes: number
}

/** An officer's live code, as a manager issuing one would leave it (the bench's own database). */
function issueCode(app: AppProcess): string {
  const db = new Database(app.databaseFile)
  try {
    const officer = db.prepare("SELECT id, org_unit_id FROM users WHERE username = 'officer'").get() as { id: number; org_unit_id: number }
    const admin = db.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: number }
    const token = crypto.randomBytes(18).toString('base64url')
    db.prepare('INSERT INTO loan_qr_codes (token, org_unit_id, officer_id, created_at, created_by) VALUES (?, ?, ?, ?, ?)').run(token, officer.org_unit_id, officer.id, new Date().toISOString(), admin.id)
    return token
  } finally {
    db.close()
  }
}

async function run(browser: Browser, url: string, throttled: boolean): Promise<Result> {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN' })
  try {
    const page = await context.newPage()
    const cdp: CDPSession = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    let bytes = 0
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (bytes += e.encodedDataLength))
    if (throttled) await throttle(cdp, true)
    // Times taken inside the page, not by asking it from here (the asking is slow on a busy machine).
    await page.addInitScript(() => {
      const timer = setInterval(() => {
        if ((document.querySelector('#qr-form input[name="nonce"]') as HTMLInputElement | null)?.value) {
          ;(window as unknown as { powDoneAt: number }).powDoneAt = performance.now()
          clearInterval(timer)
        }
      }, 5)
    })
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: WAIT })
    await page.waitForFunction(() => (window as unknown as { powDoneAt?: number }).powDoneAt !== undefined, undefined, { timeout: WAIT })
    // The form is plain HTML: usable once parsed (domInteractive), before any script.
    const { formMs, readyMs } = await page.evaluate(() => ({
      formMs: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domInteractive,
      readyMs: (window as unknown as { powDoneAt: number }).powDoneAt,
    }))
    await throttle(cdp, false)
    return { formMs, readyMs, bytes }
  } finally {
    await context.close()
  }
}

export const benchmark: Benchmark = {
  name: 'qr-page',
  async run({ durationSeconds, log }) {
    ensureBuild(log)
    const runs = Math.max(1, Math.min(durationSeconds, 10))
    log('starting the app on a fresh demo county (it seeds itself)')
    const app = await startAppProcess({ env: { MAP_TILES: 'none' } })
    const browser = await launchBrowser()
    try {
      const url = `${app.url}/q/${issueCode(app)}`
      const rows = (await eachProfile(runs, log, (throttled) => run(browser, url, throttled))).map(({ label, results }) => [
        label,
        String(runs),
        (median(results.map((r) => r.formMs)) / 1000).toFixed(2),
        (median(results.map((r) => r.readyMs)) / 1000).toFixed(2),
        (median(results.map((r) => r.bytes)) / 1024).toFixed(1),
      ])
      return {
        title: 'The loan QR code’s public page, first open with nothing cached (390×844 Chromium)',
        columns: [
          { label: 'profile', align: 'left' },
          { label: 'runs', align: 'right' },
          { label: 'form parsed s (median)', align: 'right' },
          { label: 'proof of work done s (median)', align: 'right' },
          { label: 'KB on the wire', align: 'right' },
        ],
        rows,
        notes: [
          SLOW_3G_NOTE,
          'the proof of work (SHA-256, decision 0191) runs while the firm types; the submit waits for it',
        ],
      }
    } finally {
      await browser.close()
      await app.stop()
    }
  },
}
