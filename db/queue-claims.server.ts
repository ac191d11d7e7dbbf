// Taking players off a queue that triggers fill (the figures' and the qualification queue):
// the first `limit` queued, deleted in the caller's transaction. On PostgreSQL the rows a write
// under way holds (its trigger's no-op update, migration 0029) are passed over, left to a
// later claim once it commits, so a drain waits for no writer and never reads a player before
// a write to it commits; SQLite's one write lock keeps a drain out of any write (decision 0881).
import type { Kysely } from 'kysely'
import { dialectOf } from './dialect.server'
import type { Database } from './schema'

export type PlayerQueue = 'figures_queue' | 'qualification_queue'

/** The queued players this transaction took, in id order; null when none was queued (or all were held). */
export async function claimQueuedPlayers(trx: Kysely<Database>, queue: PlayerQueue, limit: number): Promise<number[] | null> {
  let claim = trx.selectFrom(queue).select('player_id').orderBy('player_id').limit(limit)
  if (dialectOf(trx) === 'postgres') claim = claim.forUpdate().skipLocked()
  const queued = (await claim.execute()).map((q) => q.player_id)
  if (queued.length === 0) return null
  await trx.deleteFrom(queue).where('player_id', 'in', queued).execute()
  return queued
}
