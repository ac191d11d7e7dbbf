// The territories the caller's scope holds, with their officer and how many players each holds.
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { territoriesInScope } from './get-territory.server'

export async function listTerritories(db: Db, caller: Pick<Caller, 'scope'>) {
  const rows = await db
    .selectFrom('territories')
    .innerJoin('org_units', 'org_units.id', 'territories.org_unit_id')
    .leftJoin('users', 'users.id', 'territories.officer_id')
    .select([
      'territories.id',
      'territories.name',
      'territories.geometry',
      'territories.township_codes as townshipCodes',
      'territories.officer_id as officerId',
      'territories.org_unit_id as orgUnitId',
      'org_units.name as orgName',
      'users.name as officerName',
    ])
    .where('territories.deleted_at', 'is', null)
    .where(territoriesInScope(caller.scope))
    .orderBy('org_units.path')
    .orderBy('territories.name')
    .execute()
  const counts = await countTerritoryPlayers(db, rows.map((r) => r.id))
  return rows.map((r) => ({ ...r, players: counts.get(r.id)?.players ?? 0, byHand: counts.get(r.id)?.byHand ?? 0 }))
}

/**
 * How many players each territory holds, and how many of them keep an officer chosen by
 * hand (or set before territories existed) rather than the territory's: why a territory
 * can hold more players than moved with it.
 */
export async function countTerritoryPlayers(db: Db, territoryIds: number[]) {
  const counts = await db
    .selectFrom('market_players')
    .select([
      'territory_id',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) =>
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.or([eb('assignment_source', '=', 'direct'), eb.and([eb('assignment_source', 'is', null), eb('assigned_officer_id', 'is not', null)])]))
              .then(1)
              .else(0)
              .end(),
          )
          .as('byHand'),
    ])
    .where('territory_id', 'in', territoryIds.length ? territoryIds : [-1])
    .groupBy('territory_id')
    .execute()
  return new Map(counts.map((c) => [c.territory_id, { players: Number(c.n), byHand: Number(c.byHand ?? 0) }]))
}
