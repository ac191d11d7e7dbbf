// Bearer tokens for machines (the loan system reporting stages back): made and revoked by an
// admin. Only a token's SHA-256 is stored; the token is shown once, when it is made.
import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { recordAudit, type Actor } from './audit.server'

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

export async function createApiToken(db: Kysely<Database>, actor: Actor, name: string): Promise<{ id: number; token: string }> {
  const token = `wq_${crypto.randomBytes(24).toString('base64url')}`
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('api_tokens')
      .values({ name, token_hash: hash(token), created_by: actor.id, created_at: new Date().toISOString(), revoked_at: null, last_used_at: null })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, actor, { action: 'api-token.created', entityType: 'api_token', entityId: id, detail: { name } })
    return { id, token }
  })
}

export async function revokeApiToken(db: Kysely<Database>, actor: Actor, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).execute()
    await recordAudit(trx, actor, { action: 'api-token.revoked', entityType: 'api_token', entityId: id })
  })
}

/** The token named in an `Authorization: Bearer …` header, if it is live. */
export async function findLiveToken(db: Kysely<Database>, authorization: string | null): Promise<{ id: number; name: string } | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')
  if (!match) return null
  const row = await db.selectFrom('api_tokens').select(['id', 'name']).where('token_hash', '=', hash(match[1])).where('revoked_at', 'is', null).executeTakeFirst()
  return row ?? null
}

export async function listApiTokens(db: Kysely<Database>) {
  return db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.created_by')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.created_at as createdAt', 'api_tokens.revoked_at as revokedAt', 'api_tokens.last_used_at as lastUsedAt', 'users.username as createdBy'])
    .orderBy('api_tokens.id', 'desc')
    .limit(200)
    .execute()
}
