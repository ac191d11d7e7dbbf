// One refresher's job of background-holds.ts, in a thread set up as the background thread's
// (background-thread.worker.ts: the serving thread's priority, a 30 ms gap after each commit)
// or the map cells' (map-cells.worker.ts: nice 10).
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase, shareLockWaiters } from '../../db/connection.server'
import { rebuildClockSums } from '../../app/services/clocks/clock-sums.server'
import { rebuildStaleMapCells } from '../../app/services/map-cells.server'
import { drainQualificationQueue, runFullQualification } from '../../app/services/qualification.server'
import { runInBackground } from '../../app/server/thread-priority.server'

const data = workerData as { url: string; lockWaiters: SharedArrayBuffer; job: 'qualification' | 'queue' | 'clocks' | 'map' }
shareLockWaiters(data.lockWaiters)
const map = data.job === 'map'
if (map) runInBackground('wanqi map cells')
else runInBackground('wanqi refresh', { yieldToServing: false })
const { db } = openDatabase(data.url, map ? { yieldAfterCommit: true } : { gapAfterCommitMs: 30, yieldAfterCommit: true, poolSize: 3 })
const started = performance.now()
const run = async (): Promise<unknown> => {
  if (data.job === 'qualification') return runFullQualification(db, { force: true })
  if (data.job === 'queue') return drainQualificationQueue(db)
  if (data.job === 'clocks') return rebuildClockSums(db)
  return rebuildStaleMapCells(db)
}
run()
  .then((result) => parentPort!.postMessage({ result, ms: performance.now() - started }))
  .catch((error: unknown) => parentPort!.postMessage({ error: String(error) }))
  .finally(() => db.destroy())
