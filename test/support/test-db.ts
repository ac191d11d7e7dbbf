// A fresh, migrated database per test file: a SQLite file in a temporary folder, or a new
// PostgreSQL database on the server TEST_DATABASE_URL names, dropped afterwards. Under the
// integration projects it is a copy of the template migrated once per run
// (test/support/migrated-template.ts); elsewhere (a benchmark) it is migrated here.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { openDatabase, type DatabaseHandle } from '../../db/connection.server'
import { TEST_DATA_KEY } from './test-constants'
import { migrateToLatest } from '../../db/migrate.server'

export interface TestDatabase extends DatabaseHandle {
  url: string
  destroy(): Promise<void>
}

export function testDialect(): 'sqlite' | 'postgres' {
  return process.env.WANQI_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite'
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const template = options.migrate === false ? undefined : await migratedTemplate()
  const handle = testDialect() === 'postgres' ? await createPostgres(template) : openTempSqlite('wanqi-test-', template)
  if (options.migrate !== false && template === undefined) await migrateToLatest(handle.db)
  return handle
}

/** The seeded county the figures and figure roll-up files share (the access matrix takes half of it). */
export const SEEDED_COUNTY = { seed: 5, players: 3000 }

/**
 * A database holding the demo county seeded with `seed` and `players` (personal data under
 * the tests' key), for files that read a seeded county (figures, figure roll-ups, the
 * access matrix). Under the integration projects the seed runs once per run and dialect,
 * in the first file that asks, into a template the others copy (a SQLite file copied;
 * `CREATE DATABASE … TEMPLATE` on PostgreSQL); elsewhere it is seeded here. A file may
 * change its copy freely: nothing it writes reaches the template.
 */
export async function createSeededTestDatabase(options: { seed: number; players: number }): Promise<TestDatabase> {
  const template = await migratedTemplate()
  const seed = async (handle: DatabaseHandle) => {
    // Imported here, not above: most files never seed, and every import is paid per file.
    const [{ seedDatabase }, { createPersonalDataCipher }] = await Promise.all([import('../../db/seed/index'), import('../../app/services/personal-data.server')])
    await seedDatabase(handle.db, { scale: 'county', seed: options.seed, players: options.players, pii: createPersonalDataCipher(TEST_DATA_KEY) })
  }
  if (template === undefined) {
    const handle = await createTestDatabase()
    await seed(handle)
    return handle
  }
  const { inject } = await import('vitest')
  const dir = inject('templateDir')
  const key = `s${options.seed}_p${options.players}`
  const postgres = testDialect() === 'postgres'
  // SQLite: a file beside the migrated one; PostgreSQL: a database named after it.
  const seeded = postgres ? `${template}_${key}` : path.join(dir, `seeded-${key}.sqlite`)
  const ready = path.join(dir, `${key}.ready`)
  const failed = path.join(dir, `${key}.failed`)
  let mine = false
  try {
    // The first file to ask makes it; an exclusive create is the lock.
    fs.closeSync(fs.openSync(path.join(dir, `${key}.lock`), 'wx'))
    mine = true
  } catch (error) {
    // EEXIST: another file is making it, or has made it.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  if (mine) {
    try {
      if (postgres) {
        await adminQuery(`create database ${seeded} template ${template}${await templateCopyStrategy()}`)
        const url = new URL(process.env.TEST_DATABASE_URL!)
        url.pathname = `/${seeded}`
        const handle = openDatabase(url.toString())
        try {
          await seed(handle)
        } finally {
          // A template must have no connection open while it is copied.
          await handle.db.destroy()
        }
      } else {
        const part = `${seeded}.part`
        fs.copyFileSync(template, part)
        const handle = openDatabase(`file:${part}`)
        try {
          await seed(handle)
        } finally {
          // Closing the last connection folds the write-ahead log into the file, so it copies whole.
          await handle.db.destroy()
        }
        fs.renameSync(part, seeded)
      }
      fs.writeFileSync(ready, '')
    } catch (error) {
      fs.writeFileSync(failed, String((error as Error)?.stack ?? error))
      throw error
    }
  } else {
    const { vi } = await import('vitest')
    let failure: string | undefined
    // A hang guard: a 3,000-player seed takes a few seconds alone, minutes on a busy machine.
    await vi.waitFor(
      () => {
        if (fs.existsSync(failed)) failure = fs.readFileSync(failed, 'utf8')
        else if (!fs.existsSync(ready)) throw new Error(`timed out waiting for the ${key} template another file is seeding`)
      },
      { timeout: 280_000, interval: 100 },
    )
    if (failure !== undefined) throw new Error(`seeding the ${key} template failed in another file:\n${failure}`)
  }
  return postgres ? createPostgres(seeded) : openTempSqlite('wanqi-test-', seeded)
}

/** The migrated template the run's globalSetup provides, if there is one. */
async function migratedTemplate(): Promise<string | undefined> {
  if (!process.env.VITEST) return undefined
  const { inject } = await import('vitest')
  return inject('migratedTemplate')
}

/** A SQLite database in a new temporary folder (a copy of `copyFrom`, or empty), removed by destroy(). */
export function openTempSqlite(prefix: string, copyFrom?: string): TestDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const file = path.join(dir, 'test.sqlite')
  if (copyFrom) fs.copyFileSync(copyFrom, file)
  const url = `file:${file}`
  const handle = openDatabase(url)
  return {
    ...handle,
    url,
    async destroy() {
      await handle.db.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * How PostgreSQL copies a template here. FILE_COPY copies its files and checkpoints before and
 * after; the default (WAL_LOG, PostgreSQL 15) reads every page through the buffer cache and
 * writes it to the write-ahead log. On a server with fsync off (.ci/run's, the shared test
 * server's) the checkpoints cost little: 38–41 ms of the server's CPU a copy and drop of the
 * migrated template against 55 ms, 10% less of its CPU over the PostgreSQL project
 * (docs/decisions/0831-ci-postgres-in-memory-file-copy.md). With fsync on, each checkpoint
 * would flush the disk: the default stays.
 */
let copyStrategy: Promise<string> | undefined
function templateCopyStrategy(): Promise<string> {
  copyStrategy ??= adminQuery('show fsync').then(({ rows }) => (rows[0].fsync === 'off' ? ' strategy file_copy' : ''))
  return copyStrategy
}

async function adminQuery(statement: string) {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
  await admin.connect()
  try {
    return await admin.query(statement)
  } finally {
    await admin.end()
  }
}

async function createPostgres(template?: string): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set: the postgres test project needs a PostgreSQL server')
  const name = `wanqi_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(template ? `create database ${name} template ${template}${await templateCopyStrategy()}` : `create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const handle = openDatabase(url.toString())
  return {
    ...handle,
    url: url.toString(),
    async destroy() {
      await handle.db.destroy()
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    },
  }
}
