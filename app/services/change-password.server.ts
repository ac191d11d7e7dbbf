// A user changes their own password: the current one first, then the policy
// (domain/password-policy.ts). Their other sessions end; this one stays. Audited.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { AppError } from '../domain/app-error'
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, checkNewPassword } from '../domain/password-policy'
import { recordAudit, type Actor } from './audit.server'
import { hashPassword, verifyPassword } from './password.server'

export async function changeOwnPassword(
  db: Kysely<Database>,
  actor: Actor & { id: number },
  input: { sessionId: string; current: string; password: string },
): Promise<{ otherSessionsEnded: number }> {
  const user = await db.selectFrom('users').select(['username', 'password_hash']).where('id', '=', actor.id).executeTakeFirst()
  if (!user) throw new AppError('not_found', 'error.notFound')
  if (!(await verifyPassword(input.current, user.password_hash))) {
    await recordAudit(db, actor, { action: 'user.change_password.failed', entityType: 'user', entityId: actor.id })
    throw new AppError('bad_request', 'account.currentWrong', { field: 'current' })
  }
  const [problem] = checkNewPassword(input.password, { username: user.username, current: input.current })
  if (problem) throw new AppError('bad_request', `password.${problem}`, { field: 'password', min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH })
  const hash = await hashPassword(input.password)
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash, must_change_password: 0, updated_at: new Date().toISOString() }).where('id', '=', actor.id).execute()
    const ended = await trx.deleteFrom('sessions').where('user_id', '=', actor.id).where('id', '<>', input.sessionId).executeTakeFirst()
    const otherSessionsEnded = Number(ended.numDeletedRows)
    await recordAudit(trx, actor, { action: 'user.change_password', entityType: 'user', entityId: actor.id, detail: { otherSessionsEnded } })
    return { otherSessionsEnded }
  })
}
