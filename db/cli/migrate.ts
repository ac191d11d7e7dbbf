// `npm run db:migrate`: apply pending migrations to DATABASE_URL (default db/wanqi.sqlite).
import { resolveDatabaseUrl } from '../../app/server/config.server'
import { openDatabase } from '../connection.server'
import { countAppliedMigrations, migrateToLatest } from '../migrate.server'

const { db, location } = openDatabase(resolveDatabaseUrl(process.env.DATABASE_URL))
try {
  const result = await migrateToLatest(db)
  for (const r of result.results ?? []) console.log(`${r.status}: ${r.migrationName}`)
  console.log(`${location}: ${await countAppliedMigrations(db)} migrations applied`)
} finally {
  await db.destroy()
}
