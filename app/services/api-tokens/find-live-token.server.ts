// Bearer tokens for machines: made and revoked by an admin, each for one purpose: the loan
// system reporting stages back (`loan_events`), the bank's BI tools reading the figures
// (`figures_read`, of the whole bank or an org unit's subtree), or a bank's tool handing
// cases off and looking players up (`integration`, acting for one active user: their role,
// their scope). Only a token's SHA-256 is stored; the token is shown once, when it is made.
import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { TokenPurpose } from '../../domain/api-tokens'
import { AppError } from '../../domain/app-error'
import { recordAudit, type Actor } from '../audit.server'
import type { CurrentUser } from '../sessions.server'

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex')


export async function createApiToken(
  db: Kysely<Database>,
  actor: Actor,
  name: string,
  options: { purpose?: TokenPurpose; orgUnitId?: number | null; actsFor?: string | null } = {},
): Promise<{ id: number; token: string }> {
  const purpose = options.purpose ?? 'loan_events'
  const orgUnitId = purpose === 'figures_read' ? (options.orgUnitId ?? null) : null
  const token = `wq_${crypto.randomBytes(24).toString('base64url')}`
  return db.transaction().execute(async (trx) => {
    let userId: number | null = null
    if (purpose === 'integration') {
      const user = options.actsFor ? await trx.selectFrom('users').select('id').where('username', '=', options.actsFor.trim().toLowerCase()).where('active', '=', 1).executeTakeFirst() : undefined
      if (!user) throw new AppError('bad_request', 'token.userNeeded', { field: 'actsFor' })
      userId = user.id
    }
    const { id } = await trx
      .insertInto('api_tokens')
      .values({ name, token_hash: hash(token), created_by: actor.id, created_at: new Date().toISOString(), revoked_at: null, last_used_at: null, purpose, org_unit_id: orgUnitId, user_id: userId })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, actor, { action: 'api-token.created', entityType: 'api_token', entityId: id, detail: { name, purpose, orgUnitId, ...(userId ? { userId } : {}) } })
    return { id, token }
  })
}

export async function revokeApiToken(db: Kysely<Database>, actor: Actor, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).execute()
    await recordAudit(trx, actor, { action: 'api-token.revoked', entityType: 'api_token', entityId: id })
  })
}

/** The token named in an `Authorization: Bearer …` header, if it is live and made for `purpose`. */
export async function findLiveToken(
  db: Kysely<Database>,
  authorization: string | null,
  purpose: TokenPurpose = 'loan_events',
): Promise<{ id: number; name: string; orgPath: string | null } | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')
  if (!match) return null
  const row = await db
    .selectFrom('api_tokens')
    .leftJoin('org_units', 'org_units.id', 'api_tokens.org_unit_id')
    .select(['api_tokens.id', 'api_tokens.name', 'org_units.path as orgPath'])
    .where('api_tokens.token_hash', '=', hash(match[1]))
    .where('api_tokens.revoked_at', 'is', null)
    .where('api_tokens.purpose', '=', purpose)
    .executeTakeFirst()
  return row ?? null
}

/**
 * The user an integration token acts for, as a session would give them: only a live token,
 * and only while its user is active (deactivating the user stops the token too).
 */
export async function findIntegrationUser(db: Kysely<Database>, authorization: string | null): Promise<CurrentUser | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')
  if (!match) return null
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['api_tokens.id as tokenId', 'users.id', 'users.username', 'users.name', 'users.role', 'users.org_unit_id as orgUnitId', 'org_units.path as orgPath', 'org_units.name as orgName'])
    .where('api_tokens.token_hash', '=', hash(match[1]))
    .where('api_tokens.revoked_at', 'is', null)
    .where('api_tokens.purpose', '=', 'integration')
    .where('users.active', '=', 1)
    .executeTakeFirst()
  if (!row) return null
  const { tokenId, ...user } = row
  // A token is its own credential: the user's pending password change does not hold it up.
  return { ...user, sessionId: `token:${tokenId}`, mustChangePassword: false }
}

export async function listApiTokens(db: Kysely<Database>) {
  return db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.created_by')
    .leftJoin('org_units', 'org_units.id', 'api_tokens.org_unit_id')
    .leftJoin('users as acting', 'acting.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.purpose', 'org_units.name as orgName', 'acting.username as actsFor', 'api_tokens.created_at as createdAt', 'api_tokens.revoked_at as revokedAt', 'api_tokens.last_used_at as lastUsedAt', 'users.username as createdBy'])
    .orderBy('api_tokens.id', 'desc')
    .limit(200)
    .execute()
}
