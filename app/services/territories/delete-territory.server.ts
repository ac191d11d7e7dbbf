// A territory deleted (kept, marked): its players fall to the next territory that covers
// them, or to no one. One transaction with its audit entry.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { getTerritory } from './get-territory.server'
import { neighbourhoodOf, placePlayers } from './place-players.server'

export async function deleteTerritory(db: Kysely<Database>, caller: Pick<Caller, 'actor' | 'scope'>, input: { id: number }) {
  const { actor } = caller
  const { id } = input
  return db.transaction().execute(async (trx) => {
    const existing = await getTerritory(trx, caller, { id })
    if (!existing) throw new AppError('not_found', 'error.notFound')
    await trx.updateTable('territories').set({ deleted_at: new Date().toISOString() }).where('id', '=', id).execute()
    const unit = await trx.selectFrom('org_units').select('path').where('id', '=', existing.org_unit_id).executeTakeFirstOrThrow()
    const moved = await placePlayers(trx, caller, { orgPath: unit.path, only: await neighbourhoodOf(trx, id), reason: 'territory.reason.deleted' })
    await recordAudit(trx, actor, { action: 'territory.delete', entityType: 'territory', entityId: id, detail: { name: existing.name, moved } })
    return { moved }
  })
}
