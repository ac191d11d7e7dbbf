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
    ],
  }
}

export { chromium }
