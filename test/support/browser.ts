// The real app, started the way an operator starts it (a child process running
// app/cli/serve.server.ts), on a copy of the demo county seeded once per run
// (test/support/seeded-template.ts), and Debian's Chromium to drive it.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, BrowserContext, Download, Page } from 'playwright-core'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Database } from '../../db/schema'
import { DEMO_PASSWORD } from '../../db/seed/demo-password'
import { freePorts, spawnServer, waitFor, type ServerProcess } from './server-process'
import { TEST_DATA_KEY, WAIT_MS } from './test-constants'
import { chromium, chromiumOptions } from './chromium'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export { CHROMIUM } from './chromium'

export interface AppProcess {
  url: string
  /** The SQLite file the app serves, so a test can look up what the seed made. */
  databaseFile: string
  /** What the server printed so far (its start-up banner among it). */
  output(): string
  stop(): Promise<void>
}

// Hang guards: a start takes seconds alone, and over 90 s at load 30 (the server-process guard is 180 s too).
const START_TIMEOUT_MS = 180_000
const PAGE_TIMEOUT_MS = WAIT_MS

/**
 * Starts the server on a free port against a database of its own holding the demo county:
 * a copy of `county` if given (scripts/screenshots.ts seeds its own), else of the one seeded
 * for the run's browser tests.
 */
export async function startAppProcess(options: { env?: Record<string, string>; county?: string } = {}): Promise<AppProcess> {
  const build = path.join(ROOT, 'build/index.js')
  if (!fs.existsSync(build)) throw new Error('build/index.js is missing: run `npx remix build` first (npm test does it)')
  // An empty database (going live) is asked for with WANQI_SEED=none: no county copied in.
  const county = options.env?.WANQI_SEED === 'none' ? undefined : (options.county ?? (await seededCounty()))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-e2e-'))
  const databaseFile = path.join(dir, 'db.sqlite')
  // Without a county seeded for the run, the server seeds the empty database itself.
  if (county) fs.copyFileSync(county, databaseFile)
  const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true })
  // A port found free may be taken by another process before the server binds it (many
  // servers start side by side in a run): the server then exits with EADDRINUSE, and is
  // started again on other ports.
  let port = 0
  let server: ServerProcess | undefined
  for (let attempt = 1; !server; attempt++) {
    const [appPort, loanSimPort] = await freePorts(2)
    port = appPort
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Vitest sets NODE_ENV=test; the server runs the production build as deployed.
      NODE_ENV: 'production',
      PORT: String(appPort),
      LOAN_SIM_PORT: String(loanSimPort),
      DATABASE_URL: `file:${databaseFile}`,
      // The key the county's personal data was encrypted with.
      DATA_KEY: TEST_DATA_KEY,
      WANQI_SECRETS_FILE: path.join(dir, 'secrets.json'),
      // Uploaded lists stay with the throwaway database, not in the checkout's db/uploads.
      UPLOAD_DIR: path.join(dir, 'uploads'),
      LOG_LEVEL: 'warn',
      ...options.env,
    }
    try {
      server = await spawnServer(env, { startTimeoutMs: START_TIMEOUT_MS, nodeArgs: serverNodeArgs() })
    } catch (error) {
      if (attempt < 3 && error instanceof Error && error.message.includes('EADDRINUSE')) continue
      cleanUp()
      throw error
    }
  }
  const started = server
  return {
    url: `http://localhost:${port}`,
    databaseFile,
    output: () => started.output(),
    async stop() {
      await started.stop()
      cleanUp()
    },
  }
}

/**
 * Node's own flags for every browser file's server, from `WANQI_E2E_SERVER_NODE_ARGS` (space-separated),
 * to look inside: `WANQI_E2E_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` profiles each
 * server (NODE_OPTIONS does not take `--cpu-prof`; decision 0751).
 */
function serverNodeArgs(): string[] | undefined {
  const args = process.env.WANQI_E2E_SERVER_NODE_ARGS?.trim()
  return args ? args.split(/\s+/) : undefined
}

/** The county seeded for this run, once it is whole (undefined outside the e2e project). */
async function seededCounty(): Promise<string | undefined> {
  if (!process.env.VITEST) return undefined
  const { inject } = await import('vitest')
  const seeded = inject('seededCounty')
  if (!seeded) return undefined
  return waitFor(
    'the demo county seeded for the browser tests',
    async () => {
      if (fs.existsSync(seeded.file)) return seeded.file
      const log = fs.existsSync(seeded.log) ? fs.readFileSync(seeded.log, 'utf8') : ''
      if (log.includes('the seed ended with code')) throw new Error(`seeding the demo county failed:\n${log}`)
      return undefined
    },
    { timeoutMs: 540_000, everyMs: 250 },
  )
}

/**
 * The run's Chromium (test/support/browser-server.ts) when the project started one, connected
 * to; else one of the caller's own. `close()` on either ends this caller's use of it.
 */
export async function launchBrowser(): Promise<Browser> {
  if (process.env.VITEST) {
    const { inject } = await import('vitest')
    const endpoint = inject('browserEndpoint')
    if (endpoint) return chromium.connect(endpoint, { timeout: WAIT_MS })
  }
  return chromium.launch(chromiumOptions())
}

let downloads: string | undefined

/**
 * A finished download saved to a temporary file, its path returned: `download.path()` is not
 * there on a browser connected to the run's Chromium, `saveAs` is. The files go when the
 * test file's process ends.
 */
export async function downloadedFile(download: Download): Promise<string> {
  if (!downloads) {
    const dir = (downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-downloads-')))
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  }
  const file = path.join(fs.mkdtempSync(path.join(downloads, 'd-')), download.suggestedFilename())
  await download.saveAs(file)
  return file
}

/** The `wanqi_lang` cookie as the app writes it (a Remix cookie: base64 of the JSON value). */
export function localeCookieValue(locale: 'en' | 'zh-CN'): string {
  return encodeURIComponent(Buffer.from(JSON.stringify(locale), 'utf8').toString('base64'))
}

/** A fresh context that speaks English to the app. */
export async function englishContext(browser: Browser, url: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options)
  context.setDefaultTimeout(PAGE_TIMEOUT_MS)
  await context.addCookies([{ name: 'wanqi_lang', value: localeCookieValue('en'), url }])
  return context
}

export interface PageOptions {
  /** Chinese (the default language) instead of English. */
  chinese?: boolean
  /** A phone-sized window, with touch. */
  viewport?: { width: number; height: number }
  /** Where the browser says it is (the geolocation permission is granted). */
  geolocation?: { latitude: number; longitude: number; accuracy?: number }
  /** The browser's own language and time zone (a date input's format follows the former), as a phone in China has them. */
  locale?: string
  timezoneId?: string
}

/**
 * Browser contexts for one test file: each page is watched for script errors and
 * console.error (a failed 4xx load is expected, not an error). Requests off the app's host
 * (map tiles) fail at once: Chromium resolves no name but localhost (chromium.ts).
 */
export class BrowserSession {
  private contexts: BrowserContext[] = []
  private errors: string[] = []

  private readonly browser: () => Browser

  /** `browser` may be a function, for a session made before Chromium is started (test/support/browser-app.ts). */
  constructor(
    browser: Browser | (() => Browser),
    private readonly app: AppProcess,
  ) {
    this.browser = typeof browser === 'function' ? browser : () => browser
  }

  async newPage(options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
    const contextOptions = {
      ...(options.viewport ? { viewport: options.viewport, isMobile: true, hasTouch: true } : {}),
      ...(options.geolocation ? { geolocation: options.geolocation, permissions: ['geolocation'] } : {}),
      ...(options.locale ? { locale: options.locale } : {}),
      ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    }
    const context = options.chinese
      ? await this.browser().newContext(contextOptions)
      : await englishContext(this.browser(), this.app.url, contextOptions)
    // Playwright's 30 s per action or navigation is a hang guard; on a machine shared with
    // other work a page can legitimately take longer, so the guard is wider.
    context.setDefaultTimeout(PAGE_TIMEOUT_MS)
    // Other hosts (map tiles) are not asked: Chromium resolves no name but localhost
    // (HOST_RESOLVER_RULES in chromium.ts), so no request interception slows every request.
    this.contexts.push(context)
    return { context, page: this.watch(await context.newPage()) }
  }

  /** Records the page's script errors and console errors (a failed 4xx load is expected). */
  watch(page: Page): Page {
    page.on('pageerror', (error) => this.errors.push(`pageerror: ${error.message}`))
    page.on('console', (message) => {
      // Remix logs a navigation or revalidation that a newer one superseded as an aborted
      // fetch ("signal is aborted without reason"): the router's doing, not a page error.
      const superseded = message.text().startsWith('AbortError: signal is aborted without reason')
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource') && !superseded) {
        this.errors.push(`console.error: ${message.text()}`)
      }
    })
    return page
  }

  /** Signs in from /login (English labels) and waits for the home page. */
  async signIn(page: Page, username: string, password = DEMO_PASSWORD) {
    await page.goto(`${this.app.url}/login`)
    await page.getByLabel('Username').fill(username)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(`${this.app.url}/`)
    await page.locator('#whoami').waitFor()
  }

  /**
   * Signs in without the form: the sign-in form's own fields posted to /login from the page's
   * context (its cookie jar keeps the session cookie the answer sets, the browser's user agent
   * sent), then `at` opened: the home page by default, waited for; another path, its load
   * waited for; or `null`, nothing (the test's next `goto` is the first page). A page load and
   * a hydration less than `signIn`, two when `at` is the page the test goes to anyway
   * (docs/decisions/0751-browser-files-without-request-interception.md). The form itself is
   * sign-in.test.ts's; the offline flows sign in through it (see the decision).
   */
  async signInByPost(page: Page, username: string, options: { password?: string; at?: string | null } = {}) {
    const response = await page.context().request.post(`${this.app.url}/login`, {
      form: { username, password: options.password ?? DEMO_PASSWORD, redirectTo: '/' },
      maxRedirects: 0,
    })
    if (response.status() !== 302) throw new Error(`signing in ${username} by POST answered ${response.status()}: ${(await response.text()).slice(0, 200)}`)
    const at = options.at === undefined ? '/' : options.at
    if (at === null) return
    await page.goto(`${this.app.url}${at}`)
    if (at === '/') await page.locator('#whoami').waitFor()
  }

  /** Signs in through the Chinese /login form (a page from `newPage({ chinese: true })`, or one with JavaScript off). */
  async signInChinese(page: Page, username: string, password = DEMO_PASSWORD) {
    await page.goto(`${this.app.url}/login`)
    await page.getByLabel('用户名').fill(username)
    await page.getByLabel('密码').fill(password)
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.locator('#whoami').waitFor()
  }

  /**
   * Each open page's address, visibility and focus, and whether it draws animation frames
   * (Playwright's actions wait for frames to call an element stable): one line a page.
   */
  async describePages(): Promise<string[]> {
    const pages = this.contexts.flatMap((context) => context.pages())
    return Promise.all(pages.map(async (page) => `  ${page.url()}: ${await pageState(page)}`))
  }

  /** Closes this test's contexts and returns the errors its pages saw. */
  async finish(): Promise<string[]> {
    await Promise.all(this.contexts.splice(0).map((c) => c.close().catch(() => undefined)))
    return this.errors.splice(0)
  }
}

/**
 * Whether the page's main thread answers (checked on the page's own timer), its visibility and
 * focus, and whether it draws three animation frames (checked on each frame); 5 s hang guards.
 */
async function pageState(page: Page): Promise<string> {
  const state = await page
    .waitForFunction(
      () => {
        const w = window as { __framesSeen?: number }
        w.__framesSeen = 0
        return `${document.visibilityState}, ${document.hasFocus() ? 'focused' : 'not focused'}`
      },
      undefined,
      { polling: 100, timeout: 5_000 },
    )
    .then((answer) => answer.jsonValue(), () => null)
  if (state === null) return 'no answer in 5 s (its main thread busy, or the page gone)'
  const frames = await page
    .waitForFunction(
      () => {
        const w = window as { __framesSeen?: number }
        w.__framesSeen = (w.__framesSeen ?? 0) + 1
        return w.__framesSeen >= 3
      },
      undefined,
      { polling: 'raf', timeout: 5_000 },
    )
    .then(() => 'drawing frames', () => 'no frame drawn in 5 s')
  return `${state}, ${frames}`
}

/**
 * Whether the service worker controls `page` and keeps every one of `paths`, to be polled:
 * `await expect.poll(() => keptOffline(page, ['/my'])).toBe(true)`. Playwright's
 * `waitForFunction` cannot wait for this: it takes an async check's promise for "true" at
 * once (its predicate is not awaited), so it never waited for the Cache API at all.
 */
export function keptOffline(page: Page, paths: string[]): Promise<boolean> {
  return page.evaluate(async (wanted) => {
    if (!navigator.serviceWorker.controller) return false
    for (const wantedPath of wanted) if ((await caches.match(wantedPath)) === undefined) return false
    return true
  }, paths)
}

/** The app process's database, read-only: what the seed drew, so assertions need not hard-code it. */
export function openSeededDatabase(app: AppProcess): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: new SQLite(app.databaseFile, { readonly: true, fileMustExist: true }) }),
  })
}
