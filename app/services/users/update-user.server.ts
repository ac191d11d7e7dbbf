import type { Kysely } from 'kysely'
import type { Database, Role } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { getOrgUnit } from '../org-units/find-org-units.server'
import { endSessionsOfUser } from '../sessions.server'
import { releaseOfficer } from '../territories/release-officer.server'

export async function updateUser(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor'>,
  input: { id: number; name: string; role: Role; orgUnitId: number },
): Promise<void> {
  const { actor } = caller
  const { id, ...changes } = input
  await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('users').select(['name', 'role', 'org_unit_id']).where('id', '=', id).executeTakeFirst()
    if (!before) throw new AppError('not_found', 'error.notFound')
    if (!(await getOrgUnit(trx, changes.orgUnitId))) throw new AppError('bad_request', 'validation.notFound')
    await trx
      .updateTable('users')
      .set({ name: changes.name, role: changes.role, org_unit_id: changes.orgUnitId, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    // A new role or place changes what the user may see: they sign in again, and an officer
    // who moves or stops being one leaves their players visibly unassigned.
    if (before.role !== changes.role || before.org_unit_id !== changes.orgUnitId) {
      await endSessionsOfUser(trx, id)
      if (before.role === 'officer') await releaseOfficer(trx, { actor }, { officerId: id, reason: 'territory.reason.officerMoved' })
    }
    await recordAudit(trx, actor, {
      action: 'user.update',
      entityType: 'user',
      entityId: id,
      detail: {
        before: { name: before.name, role: before.role, orgUnitId: before.org_unit_id },
        after: changes,
      },
    })
  })
}
