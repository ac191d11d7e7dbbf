import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { endSessionsOfUser } from '../sessions.server'
import { releaseOfficer } from '../territories/release-officer.server'

export async function setUserActive(db: Kysely<Database>, caller: Pick<Caller, 'actor'>, input: { id: number; active: boolean }): Promise<void> {
  const { actor } = caller
  const { id, active } = input
  if (!active && actor.id === id) throw new AppError('bad_request', 'users.cannotDeactivateSelf')
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('users')
      .set({ active: active ? 1 : 0, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) throw new AppError('not_found', 'error.notFound')
    if (!active) {
      await endSessionsOfUser(trx, id)
      await releaseOfficer(trx, { actor }, { officerId: id, reason: 'territory.reason.officerDeactivated' })
    }
    await recordAudit(trx, actor, { action: active ? 'user.reactivate' : 'user.deactivate', entityType: 'user', entityId: id })
  })
}
