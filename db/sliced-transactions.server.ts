// A background job's writes in short write transactions (decisions 0791, 0841): on SQLite a
// transaction goes on step after step until transactionDue says a request waits for the
// write lock or the budget is up; elsewhere (PostgreSQL's row locks keep no one waiting)
// each step is its own transaction. The refreshers' qualification pass and queue, and the
// map cells' rebuild, write this way.
import type { Kysely, Transaction } from 'kysely'
import { sqliteHandleOf, transactionDue } from './connection.server'
import type { Database } from './schema'

export interface SlicedTransactions {
  /** SQLite: how long a transaction goes on before it commits after its step, ms. */
  transactionMs: number
  /** After each step, inside its transaction (tests). */
  onSlice?: () => Promise<void>
  /** After each commit (a gap for the others' writes; tests count them). */
  onCommit?: () => void | Promise<void>
}

/** Runs `step` (true while there may be more to do) in write transactions until it answers false. */
export async function inSlicedTransactions(db: Kysely<Database>, step: (trx: Transaction<Database>) => Promise<boolean>, options: SlicedTransactions): Promise<void> {
  const sliced = sqliteHandleOf(db) !== undefined
  for (let more = true; more; ) {
    more = await db.transaction().execute(async (trx) => {
      const since = performance.now()
      for (;;) {
        const left = await step(trx)
        await options.onSlice?.()
        if (!left) return false
        if (!sliced || transactionDue(since, options.transactionMs)) return true
      }
    })
    await options.onCommit?.()
  }
}
