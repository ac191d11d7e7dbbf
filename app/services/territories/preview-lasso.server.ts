// Before a lasso assigns: how many players the caller's scope holds inside it, as the
// assignment itself would find them. Nothing written.
import { AppError } from '../../domain/app-error'
import { bboxOf, pointInGeometry } from '../../domain/geometry'
import { validateGeometry } from '../../domain/geometry-validation'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { scoped } from '../scope.server'

export async function previewLasso(db: Db, caller: Pick<Caller, 'scope'>, input: { geometry: unknown }): Promise<{ inside: number }> {
  const checked = validateGeometry(input.geometry)
  if (!checked.ok) throw new AppError('bad_request', checked.message.key, checked.message.params ?? {})
  const box = bboxOf(checked.geometry)
  const rows = await db
    .selectFrom('market_players')
    .select(['id', 'lat', 'lng'])
    .where('lat', '>=', box.south)
    .where('lat', '<=', box.north)
    .where('lng', '>=', box.west)
    .where('lng', '<=', box.east)
    .where(scoped(caller.scope))
    .execute()
  return { inside: rows.filter((r) => pointInGeometry(checked.geometry, r.lng!, r.lat!)).length }
}
