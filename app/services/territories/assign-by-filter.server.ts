// "All unassigned households in 城关镇 → this officer": the players in scope that a registry
// filter matches, found inside the assignment's own transaction.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Caller } from '../caller.server'
import { findPlayerIdsMatching, type PlayerFilter } from '../players/list-players.server'
import { assignPlayers } from './place-players.server'

export async function assignPlayersByFilter(
  db: Kysely<Database>,
  caller: Caller,
  input: { filter: PlayerFilter; officerId: number; limit: number },
): Promise<{ moved: number }> {
  return assignPlayers(
    db,
    caller.actor,
    caller.scope,
    // One more than the limit, so that assignPlayers refuses a filter that matches too many.
    { matching: (trx) => findPlayerIdsMatching(trx, caller, { filter: input.filter, limit: input.limit + 1 }) },
    input.officerId,
    'territory.reason.filter',
  )
}
