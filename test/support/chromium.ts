// Debian's Chromium as the browser tests start it: one per run (test/support/browser-server.ts)
// that every browser file connects to, or one of a caller's own (launchBrowser outside Vitest).
import fs from 'node:fs'
import { chromium, type LaunchOptions } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

export function chromiumOptions(): LaunchOptions {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install the Debian package \`chromium\` (node test/support/ensure-chromium.mjs does it as root)`)
  }
  return {
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags Chromium dials out on start and, on a
    // closed network, its connections are refused.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  }
}

export { chromium }
