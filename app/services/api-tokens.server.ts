// Bearer tokens for machines: made and revoked by an admin, each for one purpose: the loan
// system reporting stages back (`loan_events`), or the bank's BI tools reading the figures
// (`figures_read`, of the whole bank or an org unit's subtree). Only a token's SHA-256 is
// stored; the token is shown once, when it is made.
import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import type { TokenPurpose } from '../domain/api-tokens'
import { recordAudit, type Actor } from './audit.server'

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex')


export async function createApiToken(
  db: Kysely<Database>,
  actor: Actor,
  name: string,
  options: { purpose?: TokenPurpose; orgUnitId?: number | null } = {},
): Promise<{ id: number; token: string }> {
  const purpose = options.purpose ?? 'loan_events'
  const orgUnitId = purpose === 'figures_read' ? (options.orgUnitId ?? null) : null
  const token = `wq_${crypto.randomBytes(24).toString('base64url')}`
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('api_tokens')
      .values({ name, token_hash: hash(token), created_by: actor.id, created_at: new Date().toISOString(), revoked_at: null, last_used_at: null, purpose, org_unit_id: orgUnitId })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, actor, { action: 'api-token.created', entityType: 'api_token', entityId: id, detail: { name, purpose, orgUnitId } })
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

export async function listApiTokens(db: Kysely<Database>) {
  return db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.created_by')
    .leftJoin('org_units', 'org_units.id', 'api_tokens.org_unit_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.purpose', 'org_units.name as orgName', 'api_tokens.created_at as createdAt', 'api_tokens.revoked_at as revokedAt', 'api_tokens.last_used_at as lastUsedAt', 'users.username as createdBy'])
    .orderBy('api_tokens.id', 'desc')
    .limit(200)
    .execute()
}
