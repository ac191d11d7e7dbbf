// Seeds a province of `players` players into `file` for background-holds.ts (once; reused).
import fs from 'node:fs'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { seedDatabase, seedDerived } from '../../db/seed/index'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { TEST_DATA_KEY } from '../support/test-constants'

export async function seedProvince(file: string, players: number, log: (m: string) => void): Promise<void> {
  if (fs.existsSync(file)) return
  const partial = `${file}.partial`
  fs.rmSync(partial, { force: true })
  const { db } = openDatabase(partial)
  const started = performance.now()
  await migrateToLatest(db)
  await seedDatabase(db, { scale: 'province', seed: 1, players, pii: createPersonalDataCipher(TEST_DATA_KEY), log: (m) => log(`seed: ${m} (${((performance.now() - started) / 1000).toFixed(0)} s)`) })
  await seedDerived(db, log)
  await db.destroy()
  fs.renameSync(partial, file)
}

if (import.meta.url === `file://${process.argv[1]}`) await seedProvince(process.argv[2]!, Number(process.argv[3] ?? 100_000), console.log)
