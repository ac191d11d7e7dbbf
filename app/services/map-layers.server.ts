// What the map draws under the players: township boundaries near the user's scope, and how
// well each township and territory is covered by valid visits.
import { sql, type ExpressionBuilder } from 'kysely'
import type { Database } from '../../db/schema'
import { coverageRatio } from '../domain/map-colours'
import type { Scope } from '../domain/scope'
import type { Db } from './audit.server'
import { scoped } from './scope.server'

/**
 * Townships with a boundary, limited to those the scope's players lie in and those its
 * territories take in (everything for a bank-wide scope), so an outlet's map does not carry
 * the whole province.
 */
export async function listTownshipBoundaries(db: Db, scope: Scope, options: { alsoCodes?: string[]; limit?: number } = {}) {
  let q = db
    .selectFrom('areas')
    .select(['code', 'name', 'boundary', 'boundary_generated'])
    .where('level', '=', 'township')
    .where('boundary', 'is not', null)
    .orderBy('code')
    .limit(options.limit ?? 2_000)
  if (scope.kind !== 'all') {
    const also = options.alsoCodes ?? []
    q = q.where((eb) =>
      eb.or([
        eb(
          'code',
          'in',
          eb.selectFrom('market_players').select('market_players.township_code').distinct().where(scoped(scope)).where('market_players.township_code', 'is not', null),
        ),
        ...(also.length ? [eb('code', 'in', also)] : []),
      ]),
    )
  }
  const rows = await q.execute()
  return rows.map((r) => ({ code: r.code, name: r.name, boundary: r.boundary!, generated: r.boundary_generated === 1 }))
}

export interface AreaCoverage {
  assigned: number
  /** Assigned players with at least one valid visit (decision 0361). */
  visited: number
  /** visited ÷ assigned; null when nobody is assigned. */
  coverage: number | null
}

/**
 * Coverage of each township and each territory in scope: of the players with an officer,
 * how many have at least one valid visit. For shading the map; coverage counts valid visits
 * as the figures do (PRODUCT.md "Figures", decision 0361), so an invalid visit leaves its
 * player unshaded.
 */
export async function coverageOfAreas(db: Db, scope: Scope) {
  const assigned = db.selectFrom('market_players').where(scoped(scope)).where('market_players.assigned_officer_id', 'is not', null)
  // A player never visited is passed over by its own column; the others are probed through
  // the visits' player index, and the probe stops at the first valid visit.
  const hasValidVisit = (eb: ExpressionBuilder<Database, 'market_players'>) =>
    eb.and([
      eb('market_players.last_visited_at', 'is not', null),
      eb.exists(eb.selectFrom('visits').select(sql.lit(1).as('one')).whereRef('visits.player_id', '=', 'market_players.id').where('visits.valid', '=', 1)),
    ])
  const counts = (eb: ExpressionBuilder<Database, 'market_players'>) => [
    eb.fn.countAll<number>().as('assigned'),
    eb.fn.sum<number>(eb.case().when(hasValidVisit(eb)).then(1).else(0).end()).as('visited'),
  ]
  const [townships, territories] = await Promise.all([
    assigned
      .select('market_players.township_code as key')
      .select(counts)
      .where('market_players.township_code', 'is not', null)
      .groupBy('market_players.township_code')
      .execute(),
    assigned
      .select('market_players.territory_id as key')
      .select(counts)
      .where('market_players.territory_id', 'is not', null)
      .groupBy('market_players.territory_id')
      .execute(),
  ])
  const shape = (r: { assigned: unknown; visited: unknown }): AreaCoverage => {
    const a = Number(r.assigned)
    const v = Number(r.visited)
    return { assigned: a, visited: v, coverage: coverageRatio(v, a) }
  }
  return {
    townships: Object.fromEntries(townships.map((r) => [String(r.key), shape(r)])),
    territories: Object.fromEntries(territories.map((r) => [String(r.key), shape(r)])),
  }
}
