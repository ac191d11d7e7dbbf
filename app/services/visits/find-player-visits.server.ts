import type { Visit } from '../../../db/schema'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { storedVisit, visitsScope } from './stored-visit.server'

/** The visits of a player, newest first, as far as the scope sees them. */
export async function findPlayerVisits(db: Db, caller: Pick<Caller, 'scope'>, input: { playerId: number; limit?: number }) {
  const { playerId, limit = 50 } = input
  const rows = await db
    .selectFrom('visits')
    .innerJoin('users', 'users.id', 'visits.officer_id')
    .selectAll('visits')
    .select('users.name as officer_name')
    .where('visits.player_id', '=', playerId)
    .where(visitsScope(caller.scope))
    .orderBy('visits.visited_at', 'desc')
    .limit(limit)
    .execute()
  return rows.map(({ officer_name, ...v }) => ({ ...storedVisit(v as Visit), officerName: officer_name }))
}
