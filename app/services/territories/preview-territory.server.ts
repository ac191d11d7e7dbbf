// Before a drawn territory is saved: how many of the unit's players would fall inside it,
// how many would move to its officer with it, and how many keep an officer a manager chose
// by hand (or had before territories existed). Placement's own rules answer, nothing written.
import { AppError } from '../../domain/app-error'
import { bboxOf, type Geometry } from '../../domain/geometry'
import { validateGeometry } from '../../domain/geometry-validation'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { orgUnitInScope } from './check-territory.server'
import { areaFor, keepsOwnOfficer, loadAreas, playersNear, type Area } from './place-players.server'

export interface TerritoryPreview {
  /** Players that would belong to the new territory. */
  inside: number
  /** Of those, the players who would take the territory's officer. */
  follow: number
  /** Of those, the players who keep the officer a manager chose by hand. */
  keepOwn: number
}

export async function previewTerritory(
  db: Db,
  caller: Pick<Caller, 'scope'>,
  input: { orgUnitId: number; geometry: unknown },
): Promise<TerritoryPreview> {
  const unit = await orgUnitInScope(db, caller.scope, input.orgUnitId)
  const checked = validateGeometry(input.geometry)
  if (!checked.ok) throw new AppError('bad_request', checked.message.key, checked.message.params ?? {})
  const box = bboxOf(checked.geometry)
  // The new territory is the youngest of its unit: deeper units' territories and older ones win.
  const existing = await loadAreas(db, unit.path)
  const drawn: Area = { id: -1, orgPath: unit.path, officerId: null, geometry: checked.geometry as Geometry, townships: new Set(), bbox: box }
  const areas = [...existing, drawn].sort((a, b) => b.orgPath.length - a.orgPath.length || (a.id < 0 ? 1 : b.id < 0 ? -1 : a.id - b.id))
  const players = await playersNear(db, unit.path, { boxes: [box], townships: [], territoryIds: [] })
  const preview: TerritoryPreview = { inside: 0, follow: 0, keepOwn: 0 }
  for (const p of players) {
    if (areaFor(areas, p) !== drawn) continue
    preview.inside += 1
    if (keepsOwnOfficer(p)) preview.keepOwn += 1
    else preview.follow += 1
  }
  return preview
}
