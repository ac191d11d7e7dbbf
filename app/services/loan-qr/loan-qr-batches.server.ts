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
//
// A batch runs in the serving thread's idle moments (decision 0641): it starts once no other
// request is being answered (server/foreground.server.ts), or after LOAN_QR_YIELD_MAX_MS
// however busy the server is, and stops taking tries after LOAN_QR_BATCH_MS, so an officer's
// query waits at most about that for the connection. What the server can take is then what
// its thread has left, measured as it goes: a try that waited LOAN_QR_WAIT_MAX_MS for its
// batch is answered busy (503), nothing of it written, in place of thresholds on the loop's
// delay guessed in advance.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import { foregroundIdle } from '../../server/foreground.server'

type Work<T> = (trx: Transaction<Database>) => Promise<T>
interface Job {
  work: Work<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  /** When it was queued (performance.now()). */
  queuedAt: number
}

/** The most tries one transaction takes. */
export const LOAN_QR_BATCH_MAX = 25
/** A batch takes no more tries once it has run this long, ms: the officers' queries wait for at most about this. */
export const LOAN_QR_BATCH_MS = 15
/** The longest a batch waits for the requests being answered before it runs anyway, ms. */
export const LOAN_QR_YIELD_MAX_MS = 100
/** A try that waited this long for its batch is answered busy, nothing of it written, ms. */
export const LOAN_QR_WAIT_MAX_MS = 2_000

/** A try the server had no time for: answered 503 with Retry-After, nothing of it written. */
export class LoanQrBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('the server is too busy for this loan QR try now')
  }
}

interface Writer {
  queue: Job[]
  writing: boolean
  batches: number
  tries: number
  shed: number
  yieldMaxMs: number
  waitMaxMs: number
}

const writers = new WeakMap<Kysely<Database>, Writer>()

function writerOf(db: Kysely<Database>): Writer {
  let writer = writers.get(db)
  if (!writer) writers.set(db, (writer = { queue: [], writing: false, batches: 0, tries: 0, shed: 0, yieldMaxMs: LOAN_QR_YIELD_MAX_MS, waitMaxMs: LOAN_QR_WAIT_MAX_MS }))
  return writer
}

/** Other waits than LOAN_QR_YIELD_MAX_MS and LOAN_QR_WAIT_MAX_MS for one database's tries (tests). */
export function setLoanQrBatchWaits(db: Kysely<Database>, waits: { yieldMaxMs?: number; waitMaxMs?: number }): void {
  const w = writerOf(db)
  w.yieldMaxMs = waits.yieldMaxMs ?? LOAN_QR_YIELD_MAX_MS
  w.waitMaxMs = waits.waitMaxMs ?? LOAN_QR_WAIT_MAX_MS
}

/** Runs `work` in the next batch's transaction; answers what it answered once that committed, or LoanQrBusyError. */
export function inLoanQrBatch<T>(db: Kysely<Database>, work: Work<T>): Promise<T> {
  const w = writerOf(db)
  const answer = new Promise<T>((resolve, reject) => w.queue.push({ work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject, queuedAt: performance.now() }))
  if (!w.writing) void drain(db, w)
  return answer
}

/** How many batches and tries this server wrote, and how many tries it answered busy (the bench reports them). */
export function loanQrBatchCounts(db: Kysely<Database>): { batches: number; tries: number; shed: number } {
  const w = writers.get(db)
  return { batches: w?.batches ?? 0, tries: w?.tries ?? 0, shed: w?.shed ?? 0 }
}

/** Answers busy the tries that waited too long (the oldest are first in the queue). */
function shedStale(w: Writer) {
  const now = performance.now()
  while (w.queue.length > 0 && now - w.queue[0]!.queuedAt > w.waitMaxMs) {
    const job = w.queue.shift()!
    w.shed++
    job.reject(new LoanQrBusyError(Math.min(10, Math.max(1, Math.ceil(w.waitMaxMs / 1000)))))
  }
}

async function drain(db: Kysely<Database>, w: Writer): Promise<void> {
  w.writing = true
  try {
    // Tries already on their way in this turn join the first batch.
    await new Promise((resolve) => setImmediate(resolve))
    while (w.queue.length > 0) {
      // The requests being answered first: the batch runs when the thread has nothing else to do.
      await foregroundIdle(w.yieldMaxMs)
      shedStale(w)
      if (w.queue.length === 0) break
      const batch = w.queue.splice(0, LOAN_QR_BATCH_MAX)
      let ran = 0
      let answers: unknown[] | null = null
      try {
        answers = await db.transaction().execute(async (trx) => {
          const started = performance.now()
          const out: unknown[] = []
          for (const job of batch) {
            if (ran > 0 && performance.now() - started > LOAN_QR_BATCH_MS) break
            ran++
            out.push(await job.work(trx))
          }
          return out
        })
      } catch {
        // One try failed: nothing of the batch was written; each that ran is written alone, and its own error (if any) is its answer.
        w.queue.unshift(...batch.slice(ran))
        w.batches++
        w.tries += ran
        for (const job of batch.slice(0, ran)) {
          try {
            job.resolve(await db.transaction().execute(job.work))
          } catch (error) {
            job.reject(error)
          }
        }
        continue
      }
      // The tries the batch had no time for go first in the next one.
      w.queue.unshift(...batch.slice(ran))
      w.batches++
      w.tries += ran
      batch.slice(0, ran).forEach((job, i) => job.resolve(answers![i]))
    }
  } finally {
    w.writing = false
  }
}
