import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { hashPassword } from '../password.server'
import { endSessionsOfUser } from '../sessions.server'

/** The admin's new password is one-time: the user must replace it at their next sign-in. */
export async function resetPassword(db: Kysely<Database>, caller: Pick<Caller, 'actor'>, input: { id: number; password: string }): Promise<void> {
  const { actor } = caller
  const { id, password } = input
  const passwordHash = await hashPassword(password)
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, must_change_password: 1, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) throw new AppError('not_found', 'error.notFound')
    await endSessionsOfUser(trx, id)
    await recordAudit(trx, actor, { action: 'user.reset_password', entityType: 'user', entityId: id })
  })
}
