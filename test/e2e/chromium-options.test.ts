// The browser the tests drive, as test/support/chromium.ts starts it: no WebUI page for the
// address bar's suggestions in any context (about 0.6 CPU-s a context, decision 0731), and
// none of the features playwright-core disables switched back on by the list that does it
// (Chromium keeps only the last --disable-features it is given); and the contexts the tests
// open (BrowserSession) keep Chromium's HTTP cache, with no request interception, while
// other hosts than this machine's fail at once (decision 0751).
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, BrowserServer } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BrowserSession, type AppProcess } from '../support/browser'
import { chromium, chromiumOptions } from '../support/chromium'

let server: BrowserServer
let browser: Browser

beforeAll(async () => {
  // A Chromium of this file's own, started as the run's is: its process (and so its command
  // line) is at hand.
  server = await chromium.launchServer(chromiumOptions())
  browser = await chromium.connect(server.wsEndpoint())
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const disabledFeatureLists = (pid: number) =>
  fs
    .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((arg) => arg.startsWith('--disable-features='))
    .map((arg) => arg.slice('--disable-features='.length).split(',').filter(Boolean))

describe('the tests’ Chromium', () => {
  it('keeps every feature Playwright disables disabled, in the one list Chromium reads', () => {
    const pid = server.process().pid
    expect(pid).toBeDefined()
    const lists = disabledFeatureLists(pid!)
    // Playwright's own list first, ours last: the last is the one that counts.
    expect(lists.length).toBeGreaterThanOrEqual(2)
    const kept = lists.at(-1)!
    for (const earlier of lists.slice(0, -1)) expect(kept).toEqual(expect.arrayContaining(earlier))
    expect(kept).toEqual(expect.arrayContaining(['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup']))
  })

  it('opens a context and a page with no omnibox WebUI page beside it', async () => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      await page.setContent('<h1>万企</h1>')
      const cdp = await browser.newBrowserCDPSession()
      const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { type: string; url: string }[] }
      await cdp.detach()
      // The page itself is there; no chrome:// page of the browser's own UI.
      expect(targetInfos.filter((target) => target.type === 'page').length).toBeGreaterThanOrEqual(1)
      expect(targetInfos.filter((target) => target.url.startsWith('chrome://'))).toEqual([])
    } finally {
      await context.close()
    }
  })
})

describe('a test’s context (BrowserSession)', () => {
  /** A page and a script that may be cached for an hour, on localhost; counts the script's fetches. */
  async function cacheableSite() {
    const fetched = { script: 0 }
    const site = http.createServer((request, response) => {
      if (request.url === '/script.js') {
        fetched.script++
        response.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'public, max-age=3600' })
        response.end('document.body.dataset.ran = "yes"')
        return
      }
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' })
      response.end('<!doctype html><title>万企</title><body><script src="/script.js"></script></body>')
    })
    await new Promise<void>((resolve) => site.listen(0, resolve))
    const url = `http://localhost:${(site.address() as AddressInfo).port}`
    const app: AppProcess = { url, databaseFile: '', output: () => '', stop: async () => undefined }
    return { fetched, url, session: new BrowserSession(browser, app), close: () => new Promise((resolve) => site.close(resolve)) }
  }

  it('fetches a cacheable script once for two page loads: the HTTP cache is on, no request is intercepted', async () => {
    const site = await cacheableSite()
    try {
      const { page } = await site.session.newPage()
      for (let i = 0; i < 2; i++) {
        await page.goto(`${site.url}/`)
        await page.locator('body[data-ran="yes"]').waitFor({ state: 'attached' })
      }
      expect(site.fetched.script).toBe(1)
    } finally {
      expect(await site.session.finish()).toEqual([])
      await site.close()
    }
  })

  it('fails a request to any other host at once, as the closed network would (map tiles)', async () => {
    const site = await cacheableSite()
    try {
      const { page } = await site.session.newPage()
      await page.goto(`${site.url}/`)
      const outcome = await page.evaluate(() =>
        fetch('https://tile.openstreetmap.org/0/0/0.png', { mode: 'no-cors' }).then(
          () => 'loaded',
          (error: Error) => `failed: ${error.name}`,
        ),
      )
      expect(outcome).toBe('failed: TypeError')
    } finally {
      await site.session.finish()
      await site.close()
    }
  })
})
