// The figures' and the hand-off flags' refreshers and the clock ranking's sums on their own connection (see
// background-thread.server.ts). On SQLite the connection leaves the write lock free a
// moment after each commit, and waits while the server's thread waits for it (0251), so the
// server's writes (a visit) get in between drain batches.
import { parentPort, workerData } from 'node:worker_threads'
import { checkpointLog, openDatabase, shareLockWaiters } from '../../db/connection.server'
import { startBackgroundLoop } from './background-loop.server'
import { setLogLevel } from '../server/logger.server'
import { runInBackground } from '../server/thread-priority.server'
import type { RefresherThreadData } from './background-thread.server'
import { startClockSums } from './clocks/clock-sums.server'
import { startFigureRefresher } from './figure-rollups/drain.server'
import { startQualificationRefresher } from './qualification.server'

/** How often the log is copied back: the log stays a few seconds' writes long. */
const CHECKPOINT_MS = 2_000

const data = workerData as RefresherThreadData
setLogLevel(data.logLevel)
// At the serving thread's priority, like the import's writer (0711): its transactions hold
// the write lock that visits and loan QR batches wait for, and at nice 10 on a busy machine
// such a transaction waited for a core most of its length (the lock trace: 48 ms held, 2 on a
// core), every waiting request behind it (0791). Its share of a core is bounded instead: the
// figures' drain commits after DRAIN_TRANSACTION_MS (or at once when a request waits), then
// leaves the lock and the core free for gapAfterCommitMs.
runInBackground('wanqi refresh', { yieldToServing: false })
shareLockWaiters(data.lockWaiters)
const { db, sqlite } = openDatabase(data.url, { gapAfterCommitMs: 30, yieldAfterCommit: true, poolSize: 3 })
const loops = [startQualificationRefresher(db, { intervalMs: data.qualificationIntervalMs }), startFigureRefresher(db, { intervalMs: data.figuresIntervalMs }), startClockSums(db)]
// The server's connection leaves the log's checkpoints to this thread (checkpointElsewhere).
if (sqlite) loops.push(startBackgroundLoop('log checkpoint', data.checkpointIntervalMs ?? CHECKPOINT_MS, async () => void checkpointLog(sqlite)))
parentPort!.on('message', (message: { stop?: true }) => {
  if (!message.stop) return
  void Promise.all(loops.map((l) => l.stop()))
    .then(() => db.destroy())
    .then(() => parentPort!.close())
})
