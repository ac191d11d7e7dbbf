// `npm run photos:thumbnails [-- --limit N]`
// Makes the small copies lists show for the visit photos that have none (stored before the
// phone sent its own, decision 0601), from the stored photo, on the storage the
// configuration names (the folder, or the S3-compatible store): decision 0631. A process of
// its own, one photo at a time, so the app's servers are not slowed and memory stays bounded.
// Progress on stderr; one JSON object on stdout ({"seen","made","problems":[{"photoId",
// "storageKey","reason","message"}]}). Run again, it does only what is left. Exit 0 when
// every photo read got its thumbnail, 3 when some could not (reported, left as they were).
import { parseArgs } from 'node:util'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { loadConfig } from '../server/config.server'
import { setLogLevel } from '../server/logger.server'
import { createStorage } from '../services/storage/storage.server'
import { backfillPhotoThumbnails } from '../services/visit-photos/backfill-photo-thumbnails.server'
import { runCommand } from './run-command.server'

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { limit: { type: 'string' } } })
  const limit = values.limit === undefined ? undefined : Number(values.limit)
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    console.error('usage: npm run photos:thumbnails [-- --limit N]')
    return 2
  }
  const config = loadConfig()
  setLogLevel('warn')
  const { db } = openDatabase(config.databaseUrl)
  try {
    await migrateToLatest(db)
    const storage = createStorage(config.storage)
    process.stderr.write(`photos:thumbnails: photos without a thumbnail, on ${storage.kind} storage\n`)
    const result = await backfillPhotoThumbnails(db, storage, {
      limit,
      onPhoto: (done) => {
        if (done.seen % 100 === 0) process.stderr.write(`photos:thumbnails: ${done.seen} read, ${done.made} made\n`)
      },
    })
    for (const p of result.problems) process.stderr.write(`photos:thumbnails: photo ${p.photoId} (${p.storageKey}): ${p.reason}: ${p.message}\n`)
    process.stderr.write(`photos:thumbnails: ${result.made} made, ${result.problems.length} could not be, of ${result.seen}\n`)
    process.stdout.write(JSON.stringify(result) + '\n')
    return result.problems.length ? 3 : 0
  } finally {
    await db.destroy()
  }
}

runCommand('photos:thumbnails', main)
