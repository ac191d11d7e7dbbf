// The writer thread (see commit-workers.server.ts): its own connection, the rows prepared
// by prepareRows, each batch applied as the server's thread would apply it.
//
// On SQLite the batch's transaction holds the one write lock, and a write on the server's
// thread (a visit, a session's last-seen time) that finds it taken waits in SQLite's busy
// handler, which sleeps synchronously: the whole event loop waits with it. A 20,000-row
// batch held the lock for 2–3 s, and back-to-back batches let a waiting writer in only by
// luck, so /livez waited up to 16.7 s during a 300,000-row commit. Batches are therefore
// at most WRITER_TRANSACTION_ROWS (a few hundred milliseconds of lock), and after each commit
// the connection waits while any statement of this process waits for the lock (the shared
// counter of db/connection.server.ts, decision 0251), so a waiting visit gets the next turn
// however late its thread wakes; a short gap remains for writers of other processes.
import { setTimeout as sleep } from 'node:timers/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase, shareLockWaiters } from '../../../db/connection.server'
import { AppError } from '../../domain/app-error'
import { createPersonalDataCipher } from '../personal-data.server'
import type { WriterData, WriterMessage } from './commit-workers.server'
import { serialiseError } from './thread-errors.server'
import { applyImportBatch, batchContext, finishCommit, getImportJob } from './import-jobs.server'
import { prepareRows } from './prepare-rows.server'

/** Rows per write transaction on SQLite: the longest a waiting visit waits (0251). */
const WRITER_TRANSACTION_ROWS = 1_000
/** The lock left free after each, for writers of other processes (this process's are signalled): about SQLite's busy nap. */
const WRITER_GAP_MS = 10

const port = parentPort!
const data = workerData as WriterData
let stopping = false
port.on('message', (message: { stop?: true }) => {
  if (message.stop) stopping = true
})
const say = (message: WriterMessage) => port.postMessage(message)

async function run() {
  shareLockWaiters(data.lockWaiters)
  const { db, sqlite } = openDatabase(data.url, { yieldAfterCommit: true })
  // Checkpoint the log after about a gigabyte, not after every batch: a page that several
  // batches touch is copied back once, and the writer waits on the disk less often.
  sqlite?.pragma('wal_autocheckpoint = 262144')
  try {
    const job = await getImportJob(db, data.jobId)
    if (!job) throw new AppError('not_found', 'error.notFound')
    const context = batchContext(db, createPersonalDataCipher(data.setup.prepare.dataKey), job, 'commit', data.setup, data.counts)
    const sqliteWriter = sqlite !== undefined && sqlite !== null
    const prepare = sqliteWriter ? { ...data.setup.prepare, batchRows: Math.min(data.setup.prepare.batchRows, WRITER_TRANSACTION_ROWS) } : data.setup.prepare
    const batches = prepareRows(prepare, data.fileBytes)
    for await (const batch of batches) {
      await applyImportBatch(context, batch)
      say({ written: context.counts })
      if (sqliteWriter) await sleep(WRITER_GAP_MS)
      // Messages (a stop) are heard between batches.
      await new Promise((resolve) => setImmediate(resolve))
      if (stopping) {
        await batches.return(undefined)
        say({ end: 'stopped' })
        return
      }
    }
    // The placement and the statistics on this connection too, not the server's (0171).
    await finishCommit(db, job, async () => {
      if (sqliteWriter) await sleep(WRITER_GAP_MS)
    })
    say({ end: 'done' })
  } finally {
    await db.destroy()
  }
}

run().catch((error: unknown) => say({ error: serialiseError(error) }))
