// `npm run db:backup -- FILE`: a consistent copy of DATABASE_URL (default db/wanqi.sqlite)
// written while the server keeps running.
import fs from 'node:fs'
import { resolveDatabaseUrl } from '../../app/server/config.server'
import { backupDatabase, formatBytes } from '../backup.server'
import { openDatabase } from '../connection.server'

const USAGE = 'usage: npm run db:backup -- FILE   (copies DATABASE_URL, default db/wanqi.sqlite, to FILE while the server runs)'

const args = process.argv.slice(2)
if (args.length !== 1 || args[0]!.startsWith('-')) {
  console.error(USAGE)
  process.exit(1)
}
const file = args[0]!
const url = resolveDatabaseUrl(process.env.DATABASE_URL)
const sqliteFile = url.startsWith('file:') ? url.slice('file:'.length) : null
if (sqliteFile !== null && !fs.existsSync(sqliteFile)) {
  console.error(`backup failed: there is no database at ${sqliteFile} (check DATABASE_URL)`)
  process.exit(1)
}

const started = Date.now()
const handle = openDatabase(url)
let failed = false
try {
  const summary = await backupDatabase(handle, file, ({ bytes, expectedBytes }) => {
    const share = expectedBytes ? ` of about ${formatBytes(expectedBytes)} (${Math.min(99, Math.floor((100 * bytes) / expectedBytes))}%)` : ''
    console.error(`backup: ${formatBytes(bytes)}${share} written`)
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(`backed up ${summary.location} to ${summary.file} (${formatBytes(summary.bytes)}) in ${seconds} s`)
} catch (error) {
  failed = true
  console.error(`backup failed: ${(error as Error).message}`)
} finally {
  await handle.db.destroy()
}
process.exit(failed ? 1 : 0)
