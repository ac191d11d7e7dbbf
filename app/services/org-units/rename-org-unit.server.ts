import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { getOrgUnit } from './find-org-units.server'

export async function renameOrgUnit(db: Kysely<Database>, caller: Pick<Caller, 'actor'>, input: { id: number; name: string }): Promise<void> {
  const { actor } = caller
  const { id, name } = input
  await db.transaction().execute(async (trx) => {
    const unit = await getOrgUnit(trx, id)
    if (!unit) throw new AppError('not_found', 'error.notFound')
    await trx.updateTable('org_units').set({ name }).where('id', '=', id).execute()
    await recordAudit(trx, actor, {
      action: 'org_unit.rename',
      entityType: 'org_unit',
      entityId: id,
      detail: { from: unit.name, to: name },
    })
  })
}
