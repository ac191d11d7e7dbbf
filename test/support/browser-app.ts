// The opening every browser test file shares: the app started on its own copy of the demo
// county (or an empty database), Chromium, a session watching the pages for errors, and the
// app's database opened read-only; each test ends with no error in its pages, and the file
// closes all of it after its last test. Called at a file's top level:
//
//   const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none' } })
//
// What it returns is usable from the first hook on: `app` reads through to the process once
// it has started, `seeded` opens the database file on its first query.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import type { Database } from '../../db/schema'
import { BrowserSession, launchBrowser, startAppProcess, type AppProcess } from './browser'

export interface BrowserApp {
  app: AppProcess
  session: BrowserSession
  /** The app's database, read-only: what the seed drew, so assertions need not hard-code it. */
  seeded: Kysely<Database>
  /** The folder the app keeps its files in (photos, consents), with `storage` set. */
  storageDir: () => string
}

export interface BrowserAppOptions {
  /** The server's environment on top of startAppProcess's; a function is asked in the file's first hook. */
  env?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>)
  /** A throwaway STORAGE_DIR for the app, named after this, removed once the app has stopped. */
  storage?: string
}

export function openBrowserApp(options: BrowserAppOptions = {}): BrowserApp {
  let started: AppProcess | undefined
  let browser: Browser | undefined
  let storage: string | undefined
  const running = () => {
    if (!started) throw new Error('the app is not started yet: use it inside a hook or a test')
    return started
  }
  const app: AppProcess = {
    get url() {
      return running().url
    },
    get databaseFile() {
      return running().databaseFile
    },
    output: () => running().output(),
    stop: () => running().stop(),
  }
  const session = new BrowserSession(() => {
    if (!browser) throw new Error('Chromium is not started yet: use it inside a hook or a test')
    return browser
  }, app)
  const seeded = new Kysely<Database>({
    dialect: new SqliteDialect({ database: async () => new SQLite(running().databaseFile, { readonly: true, fileMustExist: true }) }),
  })

  beforeAll(async () => {
    const env = { ...(typeof options.env === 'function' ? await options.env() : options.env) }
    if (options.storage) env.STORAGE_DIR = storage = fs.mkdtempSync(path.join(os.tmpdir(), `wanqi-e2e-${options.storage}-`))
    started = await startAppProcess({ env })
    browser = await launchBrowser()
  })
  afterEach(async (context) => {
    // A failed test says what state its pages were in (a click that waited for frames that never came).
    if (context.task.result?.state === 'fail') console.warn(`${context.task.name}: its pages when it failed:\n${(await session.describePages()).join('\n')}`)
    expect(await session.finish(), 'errors in the browser').toEqual([])
  })
  afterAll(async () => {
    await session.finish()
    await seeded.destroy()
    await browser?.close()
    await started?.stop()
    if (storage) fs.rmSync(storage, { recursive: true, force: true })
  })
  const storageDir = () => {
    if (!storage) throw new Error(options.storage ? 'the app is not started yet: use it inside a hook or a test' : 'openBrowserApp was not asked for storage')
    return storage
  }
  return { app, session, seeded, storageDir }
}
