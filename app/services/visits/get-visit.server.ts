import type { Visit } from '../../../db/schema'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { storedVisit, visitsScope, type StoredVisit } from './stored-visit.server'

/** One visit with its player and officer, when the caller's scope sees it. */
export async function getVisit(
  db: Db,
  caller: Pick<Caller, 'scope'>,
  input: { id: string },
): Promise<(StoredVisit & { playerName: string; officerName: string }) | undefined> {
  const row = await db
    .selectFrom('visits')
    .innerJoin('market_players', 'market_players.id', 'visits.player_id')
    .innerJoin('users', 'users.id', 'visits.officer_id')
    .selectAll('visits')
    .select(['market_players.name as player_name', 'users.name as officer_name'])
    .where('visits.id', '=', input.id)
    .where(visitsScope(caller.scope))
    .executeTakeFirst()
  if (!row) return undefined
  const { player_name, officer_name, ...visit } = row
  return { ...storedVisit(visit as Visit), playerName: player_name, officerName: officer_name }
}
