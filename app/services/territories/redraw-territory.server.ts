// A drawn territory's corners moved on the map: the same name, townships and officer, a new area.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { Caller } from '../caller.server'
import { getTerritory } from './get-territory.server'
import { updateTerritory } from './update-territory.server'

export async function redrawTerritory(db: Kysely<Database>, caller: Pick<Caller, 'actor' | 'scope'>, input: { id: number; geometry: unknown }) {
  const existing = await getTerritory(db, caller, { id: input.id })
  if (!existing) throw new AppError('not_found', 'error.notFound')
  return updateTerritory(db, caller, {
    id: input.id,
    orgUnitId: existing.org_unit_id,
    name: existing.name,
    geometry: input.geometry,
    townshipCodes: existing.township_codes ? (JSON.parse(existing.township_codes) as string[]) : [],
  })
}
