// `npm run db:restore -- FILE`: replaces DATABASE_URL (default db/wanqi.sqlite) with a backup
// made by `npm run db:backup`. Stop the server first; a database in use is refused.
import { resolveDatabaseUrl } from '../../app/server/config.server'
import { formatBytes, restoreDatabase } from '../backup.server'

const USAGE = 'usage: npm run db:restore -- FILE   (replaces DATABASE_URL, default db/wanqi.sqlite, with the backup FILE; stop the server first)'

const args = process.argv.slice(2)
if (args.length !== 1 || args[0]!.startsWith('-')) {
  console.error(USAGE)
  process.exit(1)
}
const file = args[0]!

const started = Date.now()
try {
  const summary = await restoreDatabase(resolveDatabaseUrl(process.env.DATABASE_URL), file, { onStep: (message) => console.error(`restore: ${message}`) })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const pending = summary.pendingMigrations > 0 ? `; ${summary.pendingMigrations} newer migrations will run at the next start (or npm run db:migrate)` : ''
  const replaced = summary.replaced ? `; the previous database is kept as ${summary.replaced}` : ''
  console.log(`restored ${file} (${formatBytes(summary.bytes)}, ${summary.migrations} migrations) into ${summary.location} in ${seconds} s${pending}${replaced}`)
  process.exit(0)
} catch (error) {
  console.error(`restore failed: ${(error as Error).message}`)
  process.exit(1)
}
