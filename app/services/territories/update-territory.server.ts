// A territory's name, townships or area changed: players leave and join by the new area.
// One transaction with its audit entry.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { checkInput, type TerritoryInput } from './check-territory.server'
import { getTerritory } from './get-territory.server'
import { joinNeighbourhoods, neighbourhoodOf, placePlayers } from './place-players.server'

export async function updateTerritory(db: Kysely<Database>, caller: Pick<Caller, 'actor' | 'scope'>, input: TerritoryInput & { id: number }) {
  const { actor, scope } = caller
  const { id } = input
  return db.transaction().execute(async (trx) => {
    const existing = await getTerritory(trx, caller, { id })
    if (!existing) throw new AppError('not_found', 'error.notFound')
    const { unit, townships, area } = await checkInput(trx, scope, { ...input, orgUnitId: existing.org_unit_id }, id)
    const before = await neighbourhoodOf(trx, id)
    await trx
      .updateTable('territories')
      .set({ ...area, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    const moved = await placePlayers(trx, caller, { orgPath: unit.path, only: joinNeighbourhoods(before, await neighbourhoodOf(trx, id)), reason: 'territory.reason.redrawn' })
    await recordAudit(trx, actor, { action: 'territory.update', entityType: 'territory', entityId: id, detail: { name: input.name, townships, moved } })
    return { id, moved }
  })
}
