// One market player as its page shows it: the player, if the caller's scope holds them, and
// what surrounds them (org unit, officer, township, assignments, which list said what).
import type { MarketPlayer } from '../../../db/schema'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { scoped } from '../scope.server'

/** One player the scope may see, or undefined: out of scope looks like not there. */
export async function getPlayer(db: Db, caller: Pick<Caller, 'scope'>, input: { id: number }): Promise<MarketPlayer | undefined> {
  return db.selectFrom('market_players').selectAll().where('id', '=', input.id).where(scoped(caller.scope)).executeTakeFirst()
}

/** Everything the player's page shows besides the player: org unit, officer, township,
 * assignment history and which list said what. */
export async function getPlayerContext(db: Db, player: MarketPlayer) {
  const [orgUnit, officer, township, assignments, sources] = await Promise.all([
    db.selectFrom('org_units').select(['id', 'name', 'code']).where('id', '=', player.org_unit_id).executeTakeFirst(),
    player.assigned_officer_id
      ? db.selectFrom('users').select(['id', 'name', 'username']).where('id', '=', player.assigned_officer_id).executeTakeFirst()
      : undefined,
    // The township, or the division a code coarser than a township names (a USCC's county).
    player.township_code || player.area_code
      ? db.selectFrom('areas').select(['code', 'name']).where('code', '=', (player.township_code ?? player.area_code)!).executeTakeFirst()
      : undefined,
    db
      .selectFrom('player_assignments')
      .leftJoin('users as officer', 'officer.id', 'player_assignments.officer_id')
      .leftJoin('users as by', 'by.id', 'player_assignments.assigned_by')
      .select([
        'player_assignments.id',
        'player_assignments.assigned_at as at',
        'player_assignments.reason',
        'officer.name as officerName',
        'by.name as byName',
      ])
      .where('player_assignments.player_id', '=', player.id)
      .orderBy('player_assignments.id', 'desc')
      .limit(50)
      .execute(),
    db
      .selectFrom('player_sources')
      .select(['id', 'source', 'import_job_id as importJobId', 'row', 'at', 'said'])
      .where('player_id', '=', player.id)
      .orderBy('id', 'desc')
      .limit(50)
      .execute(),
  ])
  return { orgUnit, officer, township, assignments, sources }
}
