// The loan QR tries that reach the database, written a batch at a time: every try that
// arrives while a batch is being written waits for the next one, and each batch is one
// transaction (issue 25: 100 submissions a second without slowing the officers' pages).
// Measured in process, an accepted lead cost about 27 ms of the serving thread on a loaded
// machine, of which the commit alone 4 ms (the WAL frames of the player's table, its indexes
// and its triggers' tables): one commit per batch writes those pages once, and the officers'
// queries wait for at most one batch, not a queue of tries. Each try still runs its own
// statements, checks and limits in order, so a batch commits exactly what the tries one by
// one would have; if one try fails (two firms sending the same new USCC at once), the batch
// is rolled back whole and every try in it is written again alone, as before.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/schema'

type Work<T> = (trx: Transaction<Database>) => Promise<T>
interface Job {
  work: Work<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** The most tries one transaction takes: the officers' queries wait for at most one batch. */
export const LOAN_QR_BATCH_MAX = 25

interface Writer {
  queue: Job[]
  writing: boolean
  batches: number
  tries: number
}

const writers = new WeakMap<Kysely<Database>, Writer>()

/** Runs `work` in the next batch's transaction; answers what it answered once that committed. */
export function inLoanQrBatch<T>(db: Kysely<Database>, work: Work<T>): Promise<T> {
  let writer = writers.get(db)
  if (!writer) writers.set(db, (writer = { queue: [], writing: false, batches: 0, tries: 0 }))
  const w = writer
  const answer = new Promise<T>((resolve, reject) => w.queue.push({ work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject }))
  if (!w.writing) void drain(db, w)
  return answer
}

/** How many batches and tries this server wrote (the bench reports the tries per batch). */
export function loanQrBatchCounts(db: Kysely<Database>): { batches: number; tries: number } {
  const w = writers.get(db)
  return { batches: w?.batches ?? 0, tries: w?.tries ?? 0 }
}

async function drain(db: Kysely<Database>, w: Writer): Promise<void> {
  w.writing = true
  try {
    // Tries already on their way in this turn join the first batch.
    await new Promise((resolve) => setImmediate(resolve))
    while (w.queue.length > 0) {
      const batch = w.queue.splice(0, LOAN_QR_BATCH_MAX)
      w.batches++
      w.tries += batch.length
      let answers: unknown[] | null = null
      try {
        answers = await db.transaction().execute(async (trx) => {
          const out: unknown[] = []
          for (const job of batch) out.push(await job.work(trx))
          return out
        })
      } catch {
        // One try failed: nothing of the batch was written; each is written alone, and its own error (if any) is its answer.
        for (const job of batch) {
          try {
            job.resolve(await db.transaction().execute(job.work))
          } catch (error) {
            job.reject(error)
          }
        }
        continue
      }
      batch.forEach((job, i) => job.resolve(answers![i]))
    }
  } finally {
    w.writing = false
  }
}
