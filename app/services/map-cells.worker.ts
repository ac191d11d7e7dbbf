// Rebuilds the map's pre-counted cells through a connection of its own (see
// map-cells.server.ts), so that counting a province's players never holds up the pages.
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase, shareLockWaiters } from '../../db/connection.server'
import { rebuildStaleMapCells } from './map-cells.server'
import { runInBackground } from '../server/thread-priority.server'

const data = workerData as { url: string; lockWaiters: SharedArrayBuffer }
// A background connection: it stands aside for the server's waiting writes and waits for
// the lock as long as it takes (0581). Before, it competed with a waiting visit for the lock
// and its own waits gave up after 20 s ("database is locked") behind an import.
shareLockWaiters(data.lockWaiters)
// Below the serving thread: a rebuild keeps a core busy for seconds (0711).
runInBackground('wanqi map cells')
const { db } = openDatabase(data.url, { yieldAfterCommit: true })
rebuildStaleMapCells(db)
  .then((result) => parentPort!.postMessage({ result }))
  .catch((error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
  .finally(() => db.destroy())
