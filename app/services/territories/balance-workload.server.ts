// Moving some of one officer's players to another, as the workload table suggests. Both
// officers must be active ones the caller's scope holds.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Caller } from '../caller.server'
import { assignPlayers } from './assign-players.server'
import { listUsers } from '../users/list-users.server'
import { pickPlayersToMove } from '../workload/pick-players-to-move.server'

/** The players moved and the officers' names, or null when either officer is not one the scope holds. */
export async function balanceWorkload(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  input: { fromOfficerId: number; toOfficerId: number; players: number },
): Promise<{ moved: number; from: string; to: string } | null> {
  const officers = await listUsers(db, caller.scope, { role: 'officer', active: true })
  const from = officers.find((o) => o.id === input.fromOfficerId)
  const to = officers.find((o) => o.id === input.toOfficerId)
  if (!from || !to) return null
  const ids = await pickPlayersToMove(db, { fromOfficerId: input.fromOfficerId, toOfficerId: input.toOfficerId, count: input.players })
  const result = await assignPlayers(db, caller, { playerIds: ids, officerId: input.toOfficerId, reason: 'territory.reason.balancing' })
  return { moved: result.moved, from: from.name, to: to.name }
}
