// `npm run screenshots`: the product seen as each role sees it, without clicking. Seeds the
// demo county into a throwaway database, starts the built server on it (as an operator
// would), signs in as admin, hq, manager and officer in Debian's Chromium, and saves every
// page of each role's navigation at phone (390×844) and laptop (1366×768) sizes, in Chinese
// and English, under screenshots/ (git-ignored): screenshots/<locale>/<size>/<role>-<page>.png.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { navFor } from '../app/components/navigation'
import type { Role } from '../app/domain/roles'
import { DEMO_PASSWORD } from '../db/seed/demo-password'
import { ROOT, launchBrowser, localeCookieValue, startAppProcess } from '../test/support/browser'

const OUT = path.join(ROOT, 'screenshots')
const ROLES: Role[] = ['officer', 'manager', 'hq', 'admin']
const LOCALES = ['zh-CN', 'en'] as const
const SIZES = { phone: { width: 390, height: 844 }, laptop: { width: 1366, height: 768 } } as const

if (!fs.existsSync(path.join(ROOT, 'build/index.js'))) throw new Error('build/index.js is missing: run `npx remix build` first')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-screenshots-'))
const databaseFile = path.join(dir, 'db.sqlite')
process.stdout.write('screenshots: seeding the demo county (about a minute)\n')
const seeded = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/seed-county.ts', databaseFile], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
if (seeded.status !== 0) throw new Error('seeding the demo county failed')

// Started as the browser tests start it, on a copy of the county just seeded.
const app = await startAppProcess({ county: databaseFile })
const url = app.url
let browser: Browser | undefined
let saved = 0
try {
  browser = await launchBrowser()
  for (const locale of LOCALES) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      for (const role of ROLES) {
        const context = await browser.newContext({ viewport, ...(size === 'phone' ? { isMobile: true, hasTouch: true } : {}) })
        context.setDefaultTimeout(90_000)
        // No network on this machine: map tiles and anything off the app fail at once.
        await context.route((u) => u.origin !== new URL(url).origin, (r) => r.abort())
        await context.addCookies([{ name: 'wanqi_lang', value: localeCookieValue(locale), url }])
        const page = await context.newPage()
        await page.goto(`${url}/login`)
        await page.locator('input[name="username"]').fill(role)
        await page.locator('input[name="password"]').fill(DEMO_PASSWORD)
        await page.locator('main form button[type="submit"]').first().click()
        await page.locator('#whoami').waitFor()
        const folder = path.join(OUT, locale, size)
        fs.mkdirSync(folder, { recursive: true })
        for (const item of navFor(role)) {
          await page.goto(`${url}${item.to}`)
          await page.waitForLoadState('networkidle').catch(() => undefined)
          const name = item.to === '/' ? 'home' : item.to.slice(1).replaceAll('/', '-')
          await page.screenshot({ path: path.join(folder, `${role}-${name}.png`), fullPage: true })
          saved++
        }
        await context.close()
      }
    }
  }
  process.stdout.write(`screenshots: ${saved} pages saved under ${path.relative(process.cwd(), OUT)}/\n`)
} finally {
  await browser?.close()
  await app.stop()
  fs.rmSync(dir, { recursive: true, force: true })
}
