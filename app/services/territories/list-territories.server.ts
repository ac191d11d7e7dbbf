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
  const counts = await db
    .selectFrom('market_players')
    .select(['territory_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('territory_id', 'in', rows.length ? rows.map((r) => r.id) : [-1])
    .groupBy('territory_id')
    .execute()
  const byTerritory = new Map(counts.map((c) => [c.territory_id, Number(c.n)]))
  return rows.map((r) => ({ ...r, players: byTerritory.get(r.id) ?? 0 }))
}
