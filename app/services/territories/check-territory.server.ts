// The checks a territory passes before it is stored: an org unit and officer the caller may
// use, a valid shape or known townships, and no overlap with another territory of the unit.
// Run inside the creating or changing use case's transaction.
import type { Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { bboxOf, type Geometry } from '../../domain/geometry'
import { geometriesOverlap } from '../../domain/geometry-overlap'
import { validateGeometry } from '../../domain/geometry-validation'
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'

type Trx = Transaction<Database>

export interface TerritoryInput {
  orgUnitId: number
  name: string
  /** A drawn area (GeoJSON Polygon or MultiPolygon), as sent by the map. */
  geometry?: unknown
  /** Townships (9-digit codes) the territory takes in whole. */
  townshipCodes?: string[]
  officerId?: number | null
}

/** An org unit the actor's scope holds, with its path. */
export async function orgUnitInScope(db: Db, scope: Scope, orgUnitId: number) {
  const unit = await db.selectFrom('org_units').select(['id', 'path']).where('id', '=', orgUnitId).executeTakeFirst()
  if (!unit || (scope.kind !== 'all' && !unit.path.startsWith(scope.orgPath))) throw new AppError('forbidden', 'error.forbidden')
  return unit
}

/** An active officer inside the territory's org unit subtree. */
export async function checkOfficer(db: Db, officerId: number, orgPath: string) {
  const officer = await db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['users.id', 'users.role', 'users.active', 'org_units.path'])
    .where('users.id', '=', officerId)
    .executeTakeFirst()
  if (!officer || officer.role !== 'officer' || officer.active !== 1 || !officer.path.startsWith(orgPath)) {
    throw new AppError('bad_request', 'territory.officerNotHere')
  }
}

export async function checkInput(trx: Trx, scope: Scope, input: TerritoryInput, selfId: number | null) {
  const unit = await orgUnitInScope(trx, scope, input.orgUnitId)
  let geometry: Geometry | null = null
  if (input.geometry !== undefined && input.geometry !== null) {
    const checked = validateGeometry(input.geometry)
    if (!checked.ok) throw new AppError('bad_request', checked.message.key, checked.message.params ?? {})
    geometry = checked.geometry
  }
  const townships = [...new Set(input.townshipCodes ?? [])]
  if (!geometry && townships.length === 0) throw new AppError('bad_request', 'territory.empty')
  if (townships.length) {
    const known = await trx.selectFrom('areas').select('code').where('code', 'in', townships).where('level', '=', 'township').execute()
    if (known.length !== townships.length) throw new AppError('bad_request', 'territory.unknownTownship')
  }
  if (input.officerId) await checkOfficer(trx, input.officerId, unit.path)

  // No two territories of one org unit may overlap: a player would belong to both.
  const others = await trx
    .selectFrom('territories')
    .select(['id', 'name', 'geometry', 'township_codes'])
    .where('org_unit_id', '=', input.orgUnitId)
    .where('deleted_at', 'is', null)
    .where('id', '!=', selfId ?? -1)
    .execute()
  const townshipBoundaries = new Map<string, Geometry>()
  const boundaryOf = async (code: string) => {
    if (!townshipBoundaries.has(code)) {
      const area = await trx.selectFrom('areas').select('boundary').where('code', '=', code).executeTakeFirst()
      if (area?.boundary) townshipBoundaries.set(code, JSON.parse(area.boundary) as Geometry)
    }
    return townshipBoundaries.get(code)
  }
  for (const other of others) {
    const otherTownships = other.township_codes ? (JSON.parse(other.township_codes) as string[]) : []
    const shared = townships.find((t) => otherTownships.includes(t))
    if (shared) throw new AppError('conflict', 'territory.overlapTownship', { name: other.name, township: shared })
    const mine: Geometry[] = [...(geometry ? [geometry] : []), ...((await Promise.all(townships.map(boundaryOf))).filter(Boolean) as Geometry[])]
    const theirs: Geometry[] = [
      ...(other.geometry ? [JSON.parse(other.geometry) as Geometry] : []),
      ...((await Promise.all(otherTownships.map(boundaryOf))).filter(Boolean) as Geometry[]),
    ]
    for (const a of mine) {
      for (const b of theirs) {
        const overlap = geometriesOverlap(a, b)
        if (overlap.overlap) {
          throw new AppError('conflict', 'territory.overlap', {
            name: other.name,
            lng: overlap.at ? overlap.at[0].toFixed(5) : '',
            lat: overlap.at ? overlap.at[1].toFixed(5) : '',
          })
        }
      }
    }
  }
  const box = geometry ? bboxOf(geometry) : null
  // The stored form of the area, the same for a new territory and a redrawn one.
  const area = {
    name: input.name,
    geometry: geometry ? JSON.stringify(geometry) : null,
    township_codes: townships.length ? JSON.stringify(townships) : null,
    west: box?.west ?? null,
    south: box?.south ?? null,
    east: box?.east ?? null,
    north: box?.north ?? null,
  }
  return { unit, townships, area }
}
