// "All unassigned households in 城关镇 → this officer": the players in scope that a registry
// filter matches, found inside the assignment's own transaction.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { findPlayerIdsMatching, type PlayerFilter } from '../players/list-players.server'
import { assignPlayers } from './assign-players.server'

export async function assignPlayersByFilter(
  db: Kysely<Database>,
  caller: Caller,
  input: { filter: PlayerFilter; officerId: number; limit: number },
): Promise<{ moved: number }> {
  return assignPlayers(db, caller, {
    // One more than the limit, so that assignPlayers refuses a filter that matches too many.
    matching: (trx: Db) => findPlayerIdsMatching(trx, caller, { filter: input.filter, limit: input.limit + 1 }),
    officerId: input.officerId,
    reason: 'territory.reason.filter',
  })
}
