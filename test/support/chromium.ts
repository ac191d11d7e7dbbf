// Debian's Chromium as the browser tests start it: one per run (test/support/browser-server.ts)
// that every browser file connects to, or one of a caller's own (launchBrowser outside Vitest).
import fs from 'node:fs'
import { chromium, type LaunchOptions } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

/**
 * The features playwright-core (1.65.1, pinned in package.json) disables with its own
 * `--disable-features`. Chromium keeps only the last `--disable-features` it is given, so a
 * list of ours replaces Playwright's unless it repeats them: after upgrading playwright-core,
 * copy its `disabledFeatures` here again (lib/coreBundle.js).
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
]

/**
 * Every new browser context (one per test, often more) opened a window whose address bar
 * preloads its suggestion popup as two WebUI pages (chrome://omnibox-popup.top-chrome/) in a
 * renderer of their own: about 0.6 CPU-s a context that no test looks at, a third of
 * Chromium's CPU for a context that loads two pages (docs/decisions/0731-chromium-without-omnibox-webui.md).
 */
const OUR_DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup']

/**
 * Every host name but localhost is not found: the tests' pages ask only the app on localhost,
 * and a map's tiles (tile.openstreetmap.org…) fail at once, as they would on this machine's
 * closed network after a DNS wait. This replaced a `context.route` that aborted other
 * origins' requests: with a route Playwright intercepts every request of the context (each
 * one a round trip from Chromium through Playwright's server to the test's process and
 * back) and turns Chromium's HTTP cache off, so every page load fetched and compiled the
 * app's scripts again (docs/decisions/0751-browser-files-without-request-interception.md).
 * IP addresses are not names and are not rewritten.
 */
export const HOST_RESOLVER_RULES = 'MAP * ~NOTFOUND, EXCLUDE localhost'

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
      // Chromium keeps one --disable-features, the last: Playwright's own list, then ours.
      `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OUR_DISABLED_FEATURES].join(',')}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Nothing but this machine's own servers: any other host name fails at once, as the
      // closed network would (map tiles), without a request interception (decision 0751).
      `--host-resolver-rules=${HOST_RESOLVER_RULES}`,
    ],
  }
}

export { chromium }
