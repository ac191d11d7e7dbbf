// What the map draws under the players: township boundaries near the user's scope.
import type { Scope } from '../domain/scope'
import type { Db } from './audit.server'
import { scoped } from './players.server'

/**
 * Townships with a boundary, limited to those the scope's players lie in and those its
 * territories take in (everything for a bank-wide scope), so an outlet's map does not carry
 * the whole province.
 */
export async function listTownshipBoundaries(db: Db, scope: Scope, options: { alsoCodes?: string[]; limit?: number } = {}) {
  let q = db
    .selectFrom('areas')
    .select(['code', 'name', 'boundary'])
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
  return rows.map((r) => ({ code: r.code, name: r.name, boundary: r.boundary! }))
}
