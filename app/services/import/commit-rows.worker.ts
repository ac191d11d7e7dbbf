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
//
// A commit is not free, though: it writes every page the transaction changed to the log,
// and 1,000 new players touch about as many pages of each index whose keys are scattered
// (name, phone and ID number hashes, position, the full-text index), tens of megabytes per
// commit. So while no statement waits for the lock, the transaction goes on over the next
// batch, up to WRITER_TRANSACTION_MS; a waiting write waits for at most the slice of
// WRITER_SLICE_ROWS under way and its commit (decisions 0381, 0741).
//
// The transaction never waits for the file, though (0581): the next batch comes from the
// prepare threads, and on a busy machine it took seconds, with the lock held and a visit
// waiting behind it until its 20 s ran out ("database is locked", a 500). While the next
// batch is not ready, a request waiting for the lock, or the transaction's time running out,
// commits it first. And its batches are WRITER_TRANSACTION_ROWS, each applied a slice at a
// time with a look at the lock's queue after each (0741).
import { setTimeout as sleep } from 'node:timers/promises'
import { parentPort, workerData } from 'node:worker_threads'
import type { ControlledTransaction, Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { lockWanted, openDatabase, shareLockWaiters, transactionDue } from '../../../db/connection.server'
import { AppError } from '../../domain/app-error'
import { createPersonalDataCipher } from '../personal-data.server'
import type { WriterData, WriterMessage } from './commit-workers.server'
import { serialiseError } from './thread-errors.server'
import { applyBatchIn, type ImportCounts } from './apply-batch.server'
import { batchContext, finishCommit, getImportJob } from './import-jobs.server'
import { prepareRows } from './prepare-rows.server'
import { runInBackground } from '../../server/thread-priority.server'
import { analyzedRows, analyzeGrownTable } from '../../../db/dialect.server'

/** Rows per batch on SQLite: the most a waiting visit waits for (0251; 1,000 before 0581). */
const WRITER_TRANSACTION_ROWS = 500
/**
 * Rows applied between two looks at the lock's queue: a request that waits gets the lock after
 * at most these and the commit (0741). A 500-row batch at the writer's cost of a million-row
 * commit (1.7 ms a row) held a visit most of a second; at 0.1 ms a row this is about 13 ms of
 * the writer's core. One of the key lookups' list lengths (apply-batch.server.ts).
 */
const WRITER_SLICE_ROWS = 128
/** While no write waits, a transaction takes the next batch too if it began less than this long ago (0381). */
const WRITER_TRANSACTION_MS = 250
/** The lock left free after each, for writers of other processes (this process's are signalled): about SQLite's busy nap. */
const WRITER_GAP_MS = 10
/** Below this many players a lookup that reads the whole table costs nothing worth an ANALYZE. */
const STATISTICS_FLOOR_ROWS = 200

const port = parentPort!
const data = workerData as WriterData
let stopping = false
port.on('message', (message: { stop?: true }) => {
  if (message.stop) stopping = true
})
const say = (message: WriterMessage) => port.postMessage(message)

async function run() {
  // Named, at the serving thread's priority: it holds the write lock a visit waits for, so
  // starving it would make the visit wait longer (0711). Its readers yield.
  runInBackground('wanqi writer', { yieldToServing: false })
  shareLockWaiters(data.lockWaiters)
  const { db, sqlite } = openDatabase(data.url, { yieldAfterCommit: true })
  // Checkpoint the log after about a gigabyte, not after every batch: a page that several
  // batches touch is copied back once, and the writer waits on the disk less often.
  sqlite?.pragma('wal_autocheckpoint = 262144')
  // A multi-row insert's statement journal (the pages it changed, kept to undo it alone) in
  // memory: past 64 KB SQLite spilled it to a temporary file, a fifth of the writer's time
  // in a million-row commit's profile went to writing it (0741). At most a few megabytes, one
  // statement's pages.
  sqlite?.pragma('temp_store = memory')
  try {
    const job = await getImportJob(db, data.jobId)
    if (!job) throw new AppError('not_found', 'error.notFound')
    const context = batchContext(db, createPersonalDataCipher(data.setup.prepare.dataKey), job, 'commit', data.setup, data.counts)
    const sqliteWriter = sqlite !== undefined && sqlite !== null
    const prepare = sqliteWriter ? { ...data.setup.prepare, batchRows: Math.min(data.setup.prepare.batchRows, WRITER_TRANSACTION_ROWS) } : data.setup.prepare
    const batches = held(prepareRows(prepare, data.fileBytes), data.hold)
    const statistics = sqliteWriter ? await playerStatistics(db) : null
    const insertedBefore = context.counts.inserted
    // The transaction under way, the counts its batches have brought, and when it began.
    let open: { trx: ControlledTransaction<Database>; counts: ImportCounts; since: number } | null = null
    const commit = async () => {
      if (!open) return
      const { trx, counts } = open
      open = null
      await trx.commit().execute()
      // Only a committed batch counts (and is resumed after).
      Object.assign(context.counts, counts)
      say({ written: context.counts })
      if (sqliteWriter) await sleep(WRITER_GAP_MS)
      await statistics?.grew(context.counts.inserted - insertedBefore)
    }
    const transactionMs = data.transactionMs ?? WRITER_TRANSACTION_MS
    try {
      for (;;) {
        const next = batches.next()
        if (open) {
          // The next batch may be a while (the prepare threads are behind): the transaction
          // waits for it only until a request wants the lock or its time is up (0581).
          const wanted = lockWanted(Math.max(0, open.since + transactionMs - performance.now()))
          if ((await Promise.race([next.then(() => 'batch' as const), wanted.then(() => 'lock' as const)])) === 'lock') await commit()
        }
        const { value: batch, done } = await next
        if (done) break
        // On SQLite a batch goes in a slice at a time, and a request that waits for the lock
        // gets it after the slice under way (0741), not after the batch.
        const sliceRows = sqliteWriter ? WRITER_SLICE_ROWS : batch.length
        for (let i = 0; i < batch.length; i += sliceRows) {
          open ??= { trx: await db.startTransaction().execute(), counts: context.counts, since: performance.now() }
          open.counts = await applyBatchIn(context, open.trx, batch.slice(i, i + sliceRows), open.counts)
          // PostgreSQL locks rows, not the database: its (larger) batches commit one by one.
          const goOn = sqliteWriter && !transactionDue(open.since, transactionMs)
          if (!goOn) await commit()
        }
        // Messages (a stop) are heard between batches.
        await new Promise((resolve) => setImmediate(resolve))
        if (stopping) {
          await commit()
          await batches.return(undefined)
          say({ end: 'stopped' })
          return
        }
      }
      await commit()
    } finally {
      // A batch that failed: nothing of the transaction under way is kept.
      const left = open as { trx: ControlledTransaction<Database> } | null
      if (left) await left.trx.rollback().execute()
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

/**
 * SQLite: keeps the planner's idea of the players' table within a factor of two of what it
 * holds while the commit fills it (0741). Figures taken when the table was small (a server
 * starting beside 50 players analyzes it) made the planner read the whole table for each
 * batch's key lookups rather than use their indexes (a list ordered by id costs no sort),
 * so each batch cost more than the last: 1.7 ms of the writer's core a row at a million.
 * A table never analyzed is left alone: the planner then assumes a large one.
 */
async function playerStatistics(db: Kysely<Database>) {
  let planned = await analyzedRows(db, 'market_players')
  if (planned === null) return null
  const before = Number((await db.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  return {
    /** After a commit: `inserted` players added since the start. */
    async grew(inserted: number) {
      const rows = before + inserted
      if (rows <= 2 * Math.max(planned!, STATISTICS_FLOOR_ROWS)) return
      await analyzeGrownTable(db, 'market_players')
      planned = rows
    },
  }
}

/** WriterData.hold: [HOLD_OPEN] set by the test to let the batches go on, [HOLD_HELD] set here once they are held. */
const HOLD_OPEN = 0
const HOLD_HELD = 1

/**
 * Tests: the batches, the second one held until the test opens the gate (`WriterData.hold`),
 * as a prepare thread far behind the writer holds it on a busy machine.
 */
async function* held<T>(batches: AsyncGenerator<T>, hold: SharedArrayBuffer | undefined): AsyncGenerator<T> {
  if (!hold) return yield* batches
  const gate = new Int32Array(hold)
  let n = 0
  try {
    for await (const batch of batches) {
      if (++n === 2) {
        Atomics.store(gate, HOLD_HELD, 1)
        while (Atomics.load(gate, HOLD_OPEN) === 0) {
          const wait = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: unknown } }).waitAsync(gate, HOLD_OPEN, 0)
          if (wait.async) await wait.value
        }
      }
      yield batch
    }
  } finally {
    await batches.return(undefined)
  }
}

run().catch((error: unknown) => say({ error: serialiseError(error) }))

