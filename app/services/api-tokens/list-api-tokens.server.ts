import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'

export async function listApiTokens(db: Kysely<Database>) {
  return db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.created_by')
    .leftJoin('org_units', 'org_units.id', 'api_tokens.org_unit_id')
    .leftJoin('users as acting', 'acting.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.purpose', 'org_units.name as orgName', 'acting.username as actsFor', 'api_tokens.created_at as createdAt', 'api_tokens.revoked_at as revokedAt', 'api_tokens.last_used_at as lastUsedAt', 'api_tokens.channel_group as platform', 'users.username as createdBy'])
    .orderBy('api_tokens.id', 'desc')
    .limit(200)
    .execute()
}
