// The bank's one-time set-up on an empty database: its head office and first administrator,
// who signs in with a one-time password and must choose their own. Two ways in, each safe
// to run again: `npm run setup` on the server, or a one-time link the server prints on its
// console at start-up (random, kept only as a hash, used once, expiring, and good only while
// no user exists). See docs/decisions/0102-bank-set-up.md.
import crypto from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { dialectOf } from '../../db/dialect.server'
import { AppError } from '../domain/app-error'
import { recordAudit, type Db } from './audit.server'
import { hashInitialPassword, newInitialPassword } from './password.server'

export const SETUP_LINK_HOURS = 24

/** True while no user exists: nothing but the set-up works then. */
export async function isSetUpNeeded(db: Db): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) === undefined
}

/** The bank as set up, or null (a database seeded with the demo has users but no bank row). */
export async function findBank(db: Db) {
  return (await db.selectFrom('bank').innerJoin('org_units', 'org_units.id', 'bank.head_office_id').select(['bank.name', 'org_units.code', 'bank.set_up_at as setUpAt']).executeTakeFirst()) ?? null
}

/** A new one-time set-up link's token (only its hash is kept), or null when set-up is done. */
export async function issueSetupLink(db: Kysely<Database>, now = new Date()): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    if (!(await isSetUpNeeded(trx))) return null
    const token = crypto.randomBytes(32).toString('base64url')
    await trx
      .insertInto('setup_links')
      .values({ token_hash: hashToken(token), created_at: now.toISOString(), expires_at: new Date(now.getTime() + SETUP_LINK_HOURS * 3_600_000).toISOString(), used_at: null })
      .execute()
    return token
  })
}

export type SetupLinkState = 'valid' | 'invalid' | 'done'

/** Whether a link's token may still set the bank up. */
export async function checkSetupLink(db: Db, token: string, now = new Date()): Promise<SetupLinkState> {
  if (!(await isSetUpNeeded(db))) return 'done'
  const link = await db.selectFrom('setup_links').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst()
  return link && link.used_at === null && link.expires_at > now.toISOString() ? 'valid' : 'invalid'
}

export interface SetUpInput {
  bankName: string
  headOfficeCode: string
  adminUsername: string
  adminName: string
}

export type SetUpResult =
  | { status: 'done'; adminUsername: string; initialPassword: string; headOfficeId: number; adminId: number }
  | { status: 'alreadySetUp'; bankName: string | null }

/**
 * Sets the bank up: the head office (created, or an existing root unit of that code renamed)
 * and the first administrator with a one-time password. With a link's `token`, the link is
 * used up in the same transaction; without one (the command line), the caller is the
 * server's operator. Once any user exists it changes nothing and says so.
 */
export async function setUpBank(
  db: Kysely<Database>,
  input: SetUpInput & { token?: string; via: 'link' | 'cli'; ip?: string | null },
  now = new Date(),
): Promise<SetUpResult> {
  const initialPassword = newInitialPassword()
  const passwordHash = await hashInitialPassword(initialPassword)
  const username = input.adminUsername.trim().toLowerCase()
  try {
    return await db.transaction().execute(async (trx) => {
      // Set-ups take their turns: on PostgreSQL two at once would each find no bank yet (SQLite's
      // write transactions already run one at a time).
      if (dialectOf(trx) === 'postgres') await sql`lock table bank in share row exclusive mode`.execute(trx)
      if (!(await isSetUpNeeded(trx))) return { status: 'alreadySetUp' as const, bankName: (await findBank(trx))?.name ?? null }
      if (input.token !== undefined) {
        const used = await trx
          .updateTable('setup_links')
          .set({ used_at: now.toISOString() })
          .where('token_hash', '=', hashToken(input.token))
          .where('used_at', 'is', null)
          .where('expires_at', '>', now.toISOString())
          .executeTakeFirst()
        if (Number(used.numUpdatedRows) !== 1) throw new AppError('forbidden', 'setup.linkInvalid')
      }
      const stamp = now.toISOString()
      const sameCode = await trx.selectFrom('org_units').select(['id', 'parent_id']).where('code', '=', input.headOfficeCode).executeTakeFirst()
      const root = await trx.selectFrom('org_units').select(['id', 'code']).where('parent_id', 'is', null).executeTakeFirst()
      if (sameCode && sameCode.parent_id !== null) throw new AppError('conflict', 'org.codeTaken', { code: input.headOfficeCode, field: 'headOfficeCode' })
      if (!sameCode && root) throw new AppError('conflict', 'setup.otherHeadOffice', { code: root.code, field: 'headOfficeCode' })
      let headOfficeId: number
      if (sameCode) {
        headOfficeId = sameCode.id
        await trx.updateTable('org_units').set({ name: input.bankName, kind: 'hq' }).where('id', '=', headOfficeId).execute()
      } else {
        headOfficeId = (
          await trx
            .insertInto('org_units')
            .values({ code: input.headOfficeCode, name: input.bankName, kind: 'hq', parent_id: null, path: '', depth: 0, created_at: stamp })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id
        await trx.updateTable('org_units').set({ path: `/${headOfficeId}/` }).where('id', '=', headOfficeId).execute()
      }
      // One row with a fixed key: of two set-ups racing, the second fails here and rolls back.
      await trx.insertInto('bank').values({ id: 1, name: input.bankName, head_office_id: headOfficeId, set_up_at: stamp, set_up_by: input.via }).execute()
      const { id: adminId } = await trx
        .insertInto('users')
        .values({ username, name: input.adminName, role: 'admin', org_unit_id: headOfficeId, active: 1, password_hash: passwordHash, must_change_password: 1, created_at: stamp, updated_at: stamp })
        .returning('id')
        .executeTakeFirstOrThrow()
      // No link is needed any more.
      await trx.deleteFrom('setup_links').execute()
      const actor = { id: null, username: input.via === 'cli' ? 'setup (command line)' : 'setup (link)', ip: input.ip ?? null }
      await recordAudit(trx, actor, { action: 'bank.set_up', entityType: 'org_unit', entityId: headOfficeId, detail: { bankName: input.bankName, code: input.headOfficeCode, admin: username, via: input.via } })
      await recordAudit(trx, actor, { action: 'user.create', entityType: 'user', entityId: adminId, detail: { username, name: input.adminName, role: 'admin', orgUnitId: headOfficeId, via: 'setup' } })
      return { status: 'done' as const, adminUsername: username, initialPassword, headOfficeId, adminId }
    })
  } catch (error) {
    // A set-up that lost a race to another finds the bank there now.
    if (!(error instanceof AppError) && !(await isSetUpNeeded(db))) return { status: 'alreadySetUp', bankName: (await findBank(db))?.name ?? null }
    throw error
  }
}

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url')
}
