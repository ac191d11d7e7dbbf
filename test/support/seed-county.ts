// Seeds the demo county (as the server seeds an empty database on its first start) into a
// new SQLite file, for test/support/seeded-template.ts: `node --import tsx seed-county.ts FILE`.
// The file appears only when whole: the seed goes into FILE.part, renamed at the end.
import fs from 'node:fs'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { seedDatabase } from '../../db/seed/index'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { TEST_DATA_KEY } from './test-constants'

const file = process.argv[2]
const part = `${file}.part`
const { db } = openDatabase(`file:${part}`)
await migrateToLatest(db)
// The same seed the server draws (app/cli/serve.server.ts), so the browser tests see the demo county.
await seedDatabase(db, { scale: 'county', seed: 1, pii: createPersonalDataCipher(TEST_DATA_KEY) })
await db.destroy()
fs.renameSync(part, file)
