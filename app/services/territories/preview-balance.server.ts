// Before a balancing move runs: which players it would move (how many, a few names), from
// whom to whom. The same pick the move itself makes; nothing written.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Caller } from '../caller.server'
import { listUsers } from '../users/list-users.server'
import { pickPlayersToMove } from '../workload/pick-players-to-move.server'

/** How many names the preview shows. */
const SHOWN = 5

export async function previewBalance(
  db: Kysely<Database>,
  caller: Pick<Caller, 'scope'>,
  input: { fromOfficerId: number; toOfficerId: number; players: number },
): Promise<{ count: number; from: string; to: string; names: string[] } | null> {
  const officers = await listUsers(db, caller.scope, { role: 'officer', active: true })
  const from = officers.find((o) => o.id === input.fromOfficerId)
  const to = officers.find((o) => o.id === input.toOfficerId)
  if (!from || !to || from.id === to.id) return null
  const ids = await pickPlayersToMove(db, { fromOfficerId: from.id, toOfficerId: to.id, count: input.players })
  const names = ids.length
    ? (await db.selectFrom('market_players').select(['id', 'name']).where('id', 'in', ids.slice(0, SHOWN)).execute())
        .sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id))
        .map((p) => p.name)
    : []
  return { count: ids.length, from: from.name, to: to.name, names }
}
