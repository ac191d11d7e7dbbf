// `npm run db:seed -- --scale county|province [--seed N] [--reset]`
import { parseArgs } from 'node:util'
import { loadConfig } from '../../app/server/config.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { openDatabase } from '../connection.server'
import { migrateToLatest, resetDatabase } from '../migrate.server'
import { seedDatabase, type Scale } from '../seed/index'

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'county' },
    seed: { type: 'string', default: '1' },
    reset: { type: 'boolean', default: false },
  },
})
if (values.scale !== 'county' && values.scale !== 'province') {
  console.error(`--scale must be county or province, got "${values.scale}"`)
  process.exit(2)
}
const seed = Number(values.seed)
if (!Number.isInteger(seed)) {
  console.error(`--seed must be a whole number, got "${values.seed}"`)
  process.exit(2)
}

const config = loadConfig()
const { db, location } = openDatabase(config.databaseUrl)
const started = Date.now()
try {
  if (values.reset) await resetDatabase(db)
  await migrateToLatest(db)
  const summary = await seedDatabase(db, {
    scale: values.scale as Scale,
    seed,
    pii: createPersonalDataCipher(config.dataKey),
    log: (m) => console.error(m),
  })
  console.log(JSON.stringify({ database: location, scale: values.scale, seed, ...summary, seconds: (Date.now() - started) / 1000 }))
} catch (error) {
  console.error(`seed failed: ${(error as Error).message}${values.reset ? '' : ' (use --reset to start from an empty database)'}`)
  process.exitCode = 1
} finally {
  await db.destroy()
}
