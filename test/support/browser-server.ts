// Vitest globalSetup of the browser tests: one Chromium for the run, which every file connects
// to (launchBrowser in test/support/browser.ts) instead of launching its own (~1 s of CPU a
// file, decision 0411). Each file still gets contexts of its own, closed after each test, and
// closing a connected browser only disconnects that file. A connected browser has no local
// download folder: tests read a download through `downloadedFile` (saveAs), not `path()`.
import type { TestProject } from 'vitest/node'
import { chromium, chromiumOptions } from './chromium'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's Chromium, for `chromium.connect`. */
    browserEndpoint: string
  }
}

export default async function setup(project: TestProject) {
  const server = await chromium.launchServer(chromiumOptions())
  project.provide('browserEndpoint', server.wsEndpoint())
  return () => server.close()
}
