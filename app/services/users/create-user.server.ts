// A new user, audited in the same transaction; an admin's chosen password is one-time.
import type { Kysely } from 'kysely'
import type { Database, Role } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit, type Actor } from '../audit.server'
import { getOrgUnit } from '../org-units/find-org-units.server'
import { hashPassword } from '../password.server'
import { normaliseUsername } from '../sessions.server'

export interface NewUserInput {
  username: string
  name: string
  role: Role
  orgUnitId: number
  password: string
  /** A password someone else chose (the admin's form): the user must replace it at first sign-in. */
  oneTimePassword?: boolean
}

/**
 * Takes the actor, not a caller: test/support and the seed make users as SYSTEM_ACTOR.
 * `options.passwordHash`: the hash of `input.password` made already, for the seed only, whose
 * demo users all share one published password (decision 0652); never from a form.
 */
export async function createUser(db: Kysely<Database>, actor: Actor, input: NewUserInput, options: { passwordHash?: string } = {}): Promise<number> {
  const username = normaliseUsername(input.username)
  const passwordHash = options.passwordHash ?? (await hashPassword(input.password))
  return db.transaction().execute(async (trx) => {
    if (!(await getOrgUnit(trx, input.orgUnitId))) throw new AppError('bad_request', 'validation.notFound')
    const taken = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()
    if (taken) throw new AppError('conflict', 'users.usernameTaken', { username })
    const now = new Date().toISOString()
    const { id } = await trx
      .insertInto('users')
      .values({
        username,
        name: input.name,
        role: input.role,
        org_unit_id: input.orgUnitId,
        active: 1,
        password_hash: passwordHash,
        must_change_password: input.oneTimePassword ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, actor, {
      action: 'user.create',
      entityType: 'user',
      entityId: id,
      detail: { username, name: input.name, role: input.role, orgUnitId: input.orgUnitId },
    })
    return id
  })
}
