// Seeds the demo county (as the server seeds an empty database on its first start) into a
// new SQLite file, for test/support/seeded-template.ts: `node --import tsx seed-county.ts FILE`.
// The file appears only when whole: the seed goes into FILE.part, renamed at the end.
import fs from 'node:fs'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { seedDatabase } from '../../db/seed/index'
import { rebuildMapCells } from '../../app/services/map-cells.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { setPasswordCostForTests } from '../../app/services/password.server'
import { TEST_DATA_KEY } from './test-constants'

// For the browser tests (seeded-template.ts runs this under NODE_ENV=test), the demo users'
// password hashed at the integration tests' low cost (cheap-passwords.ts): every sign-in of
// a browser test verifies the stored hash at its stored cost, about 100 ms of the server's
// CPU at the full cost and 2 ms at this one, the same code path. Screenshots keep the full cost.
if (process.env.NODE_ENV === 'test') setPasswordCostForTests({ N: 2 ** 10, r: 8, p: 1 })

const file = process.argv[2]
const part = `${file}.part`
const { db } = openDatabase(`file:${part}`)
await migrateToLatest(db)
// The same seed the server draws (app/cli/serve.server.ts), so the browser tests see the demo county.
await seedDatabase(db, { scale: 'county', seed: 1, pii: createPersonalDataCipher(TEST_DATA_KEY) })
// The map's cells built once here, not by every browser file's server on its start (its
// refresher finds them ready): about half a CPU-second a file.
await rebuildMapCells(db)
await db.destroy()
fs.renameSync(part, file)
