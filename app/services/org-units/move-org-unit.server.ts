import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { checkMove, pathOf } from '../../domain/org-tree'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { getOrgUnit } from './find-org-units.server'

/** Moves a unit and its whole subtree under a new parent; every path below is rewritten. */
export async function moveOrgUnit(db: Kysely<Database>, caller: Pick<Caller, 'actor'>, input: { id: number; parentId: number }): Promise<void> {
  const { actor } = caller
  const { id, parentId: newParentId } = input
  await db.transaction().execute(async (trx) => {
    const unit = await getOrgUnit(trx, id)
    const parent = await getOrgUnit(trx, newParentId)
    if (!unit || !parent) throw new AppError('not_found', 'error.notFound')
    const check = checkMove(unit, parent)
    if (!check.ok) throw new AppError('bad_request', check.reason)
    const newPath = pathOf(parent.path, unit.id)
    const depthChange = parent.depth + 1 - unit.depth
    await trx
      .updateTable('org_units')
      .set({
        path: sql<string>`${newPath} || substr(path, ${unit.path.length + 1})`,
        depth: sql<number>`depth + ${depthChange}`,
      })
      .where('path', 'like', `${unit.path}%`)
      .execute()
    await trx.updateTable('org_units').set({ parent_id: parent.id }).where('id', '=', id).execute()
    await recordAudit(trx, actor, {
      action: 'org_unit.move',
      entityType: 'org_unit',
      entityId: id,
      detail: { fromParentId: unit.parentId, toParentId: parent.id },
    })
  })
}
