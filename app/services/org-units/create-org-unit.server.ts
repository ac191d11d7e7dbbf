// A new org unit under its parent, of a kind the parent may hold; one head office per bank.
import type { Kysely } from 'kysely'
import type { Database, OrgUnitKind } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { childKindsOf, pathOf } from '../../domain/org-tree'
import { recordAudit, type Actor } from '../audit.server'
import { findOrgUnitByCode, getOrgUnit, type OrgUnitRow } from './find-org-units.server'

// Takes the actor, not a caller: test/support and the seed build the bank as SYSTEM_ACTOR.
export async function createOrgUnit(
  db: Kysely<Database>,
  actor: Actor,
  input: { code: string; name: string; kind: OrgUnitKind; parentId: number | null },
): Promise<OrgUnitRow> {
  return db.transaction().execute(async (trx) => {
    const parent = input.parentId === null ? null : await getOrgUnit(trx, input.parentId)
    if (input.parentId !== null && !parent) throw new AppError('bad_request', 'validation.notFound')
    if (parent ? !childKindsOf(parent.kind).includes(input.kind) : input.kind !== 'hq') {
      throw new AppError('bad_request', 'org.kindNotAllowed')
    }
    if (!parent && (await trx.selectFrom('org_units').select('id').where('parent_id', 'is', null).executeTakeFirst())) {
      throw new AppError('bad_request', 'org.kindNotAllowed') // one head office per bank
    }
    if (await findOrgUnitByCode(trx, input.code)) throw new AppError('conflict', 'org.codeTaken', { code: input.code })
    const { id } = await trx
      .insertInto('org_units')
      .values({
        code: input.code,
        name: input.name,
        kind: input.kind,
        parent_id: parent?.id ?? null,
        path: '',
        depth: parent ? parent.depth + 1 : 0,
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const path = pathOf(parent?.path ?? null, id)
    await trx.updateTable('org_units').set({ path }).where('id', '=', id).execute()
    await recordAudit(trx, actor, { action: 'org_unit.create', entityType: 'org_unit', entityId: id, detail: input })
    return (await getOrgUnit(trx, id))!
  })
}
