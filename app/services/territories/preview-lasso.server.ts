// Before a lasso assigns: how many players the caller's scope holds inside it, as the
// assignment itself would find them. Nothing written.
import { AppError } from '../../domain/app-error'
import { bboxOf, pointInGeometry } from '../../domain/geometry'
import { validateGeometry } from '../../domain/geometry-validation'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { scoped } from '../scope.server'
import type { Scope } from '../../domain/scope'

/** The ids of the players in the scope inside a drawn lasso (checked first: a bad shape is a 400). */
export async function playersInLasso(db: Db, scope: Scope, geometry: unknown): Promise<number[]> {
  const checked = validateGeometry(geometry)
  if (!checked.ok) throw new AppError('bad_request', checked.message.key, checked.message.params ?? {})
  const box = bboxOf(checked.geometry)
  const rows = await db
    .selectFrom('market_players')
    .select(['id', 'lat', 'lng'])
    .where('lat', '>=', box.south)
    .where('lat', '<=', box.north)
    .where('lng', '>=', box.west)
    .where('lng', '<=', box.east)
    .where(scoped(scope))
    .execute()
  return rows.filter((r) => pointInGeometry(checked.geometry, r.lng!, r.lat!)).map((r) => r.id)
}

export async function previewLasso(db: Db, caller: Pick<Caller, 'scope'>, input: { geometry: unknown }): Promise<{ inside: number }> {
  return { inside: (await playersInLasso(db, caller.scope, input.geometry)).length }
}
