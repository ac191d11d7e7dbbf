// The province of PRODUCT.md "Scale" (1,000,000 market players, 2,000 officers, 300
// outlets) as a SQLite file, seeded once and cached in db/bench/ (git-ignored): seeding
// takes minutes, mostly hashing 2,300 passwords and generating the players. The file name
// carries the number of migrations, so a new migration makes a new one: the older file
// migrated and what the seed derives counted again (minutes). After a change to the seed
// generators, or a migration that adds seeded data, delete db/bench/ to seed anew.
import fs from 'node:fs'
import path from 'node:path'
import { openDatabase, type DatabaseHandle } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { migrations } from '../../db/migrations/index'
import { seedDatabase, seedDerived } from '../../db/seed/index'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { openTempSqlite, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'

const ROOT = path.resolve(import.meta.dirname, '../..')
const CACHE_DIR = path.join(ROOT, 'db/bench')

/** The path of the cached province database, seeding it first when there is none. */
export async function provinceDatabaseFile(log: (message: string) => void): Promise<string> {
  const file = path.join(CACHE_DIR, `province-${Object.keys(migrations).length}.sqlite`)
  if (fs.existsSync(file)) return file

  fs.mkdirSync(CACHE_DIR, { recursive: true })
  const older = fs
    .readdirSync(CACHE_DIR)
    .map((name) => /^province-(\d+)\.sqlite$/.exec(name))
    .filter((m) => m !== null && Number(m[1]) < Object.keys(migrations).length)
    .sort((a, b) => Number(b![1]) - Number(a![1]))[0]
  if (older) {
    const source = path.join(CACHE_DIR, older[0])
    log(`carrying ${path.relative(ROOT, source)} forward to ${path.relative(ROOT, file)}: migrating, then counting what is derived`)
    await build(file, source, async (db, started) => {
      await migrateToLatest(db)
      await seedDerived(db, (message) => log(`${message} (${((performance.now() - started) / 1000).toFixed(0)} s)`))
    })
    // Right while migrations since add only derived data, as 0008 (the figures' sums) does;
    // one that adds seeded data must not be carried (delete db/bench/).
    fs.rmSync(source)
    return file
  }
  log(`no ${path.relative(ROOT, file)} yet: seeding the province (1,000,000 players; a few minutes, once)`)
  await build(file, null, async (db, started) => {
    await migrateToLatest(db)
    const summary = await seedDatabase(db, {
      scale: 'province',
      seed: 1,
      pii: createPersonalDataCipher(TEST_DATA_KEY),
      log: (message) => log(`seed: ${message} (${((performance.now() - started) / 1000).toFixed(0)} s)`),
    })
    log(`seeded ${summary.players.toLocaleString('en')} players, ${summary.users.toLocaleString('en')} users in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  })
  return file
}

/**
 * Builds the cache file under another name (from a copy of `source`, or empty) and renames
 * it when complete, so an interrupted build is never taken for a cache.
 */
async function build(file: string, source: string | null, work: (db: DatabaseHandle['db'], started: number) => Promise<void>) {
  const building = `${file}.building-${process.pid}`
  if (source) fs.copyFileSync(source, building)
  const started = performance.now()
  const handle = openDatabase(`file:${building}`)
  try {
    await work(handle.db, started)
    handle.sqlite!.pragma('wal_checkpoint(TRUNCATE)')
  } catch (error) {
    await handle.db.destroy()
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(building + suffix, { force: true })
    throw error
  }
  await handle.db.destroy()
  fs.renameSync(building, file)
}

/**
 * A copy of the province database in a temporary folder, opened as the app opens it: for
 * benchmarks that write (a sign-in writes a session), so the cache stays as seeded.
 */
export async function openProvinceCopy(log: (message: string) => void): Promise<TestDatabase> {
  const source = await provinceDatabaseFile(log)
  log(`copying ${path.relative(ROOT, source)} (${(fs.statSync(source).size / 1024 ** 2).toFixed(0)} MB) to a temporary folder`)
  return openTempSqlite('wanqi-bench-', source)
}
