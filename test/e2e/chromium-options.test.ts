// The browser the tests drive, as test/support/chromium.ts starts it: no WebUI page for the
// address bar's suggestions in any context (about 0.6 CPU-s a context, decision 0731), and
// none of the features playwright-core disables switched back on by the list that does it
// (Chromium keeps only the last --disable-features it is given).
import fs from 'node:fs'
import type { Browser, BrowserServer } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
