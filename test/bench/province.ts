// The province of PRODUCT.md "Scale" (1,000,000 market players, 2,000 officers, 300
// outlets) as a SQLite file, seeded once and cached in db/bench/ (git-ignored): seeding
// takes minutes, mostly hashing 2,300 passwords and generating the players. The file name
// carries the number of migrations, so a new migration builds a new one; after a change to
// the seed generators, delete db/bench/ to rebuild.
import fs from 'node:fs'
import path from 'node:path'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { migrations } from '../../db/migrations/index'
import { seedDatabase } from '../../db/seed/index'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { openTempSqlite, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-server'

const ROOT = path.resolve(import.meta.dirname, '../..')
const CACHE_DIR = path.join(ROOT, 'db/bench')

/** The path of the cached province database, seeding it first when there is none. */
export async function provinceDatabaseFile(log: (message: string) => void): Promise<string> {
  const file = path.join(CACHE_DIR, `province-${Object.keys(migrations).length}.sqlite`)
  if (fs.existsSync(file)) return file

  fs.mkdirSync(CACHE_DIR, { recursive: true })
  // Built under another name and renamed when complete, so an interrupted build is never
  // taken for a cache.
  const building = `${file}.building-${process.pid}`
  log(`no ${path.relative(ROOT, file)} yet: seeding the province (1,000,000 players; a few minutes, once)`)
  const started = performance.now()
  const handle = openDatabase(`file:${building}`)
  try {
    await migrateToLatest(handle.db)
    const summary = await seedDatabase(handle.db, {
      scale: 'province',
      seed: 1,
      pii: createPersonalDataCipher(TEST_DATA_KEY),
      log: (message) => log(`seed: ${message} (${((performance.now() - started) / 1000).toFixed(0)} s)`),
    })
    handle.sqlite!.pragma('wal_checkpoint(TRUNCATE)')
    log(`seeded ${summary.players.toLocaleString('en')} players, ${summary.users.toLocaleString('en')} users in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  } catch (error) {
    await handle.db.destroy()
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(building + suffix, { force: true })
    throw error
  }
  await handle.db.destroy()
  fs.renameSync(building, file)
  return file
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
