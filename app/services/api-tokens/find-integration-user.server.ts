import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { CurrentUser } from '../sessions.server'
import { tokenHash } from './find-live-token.server'

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
    .where('api_tokens.token_hash', '=', tokenHash(match[1]))
    .where('api_tokens.revoked_at', 'is', null)
    .where('api_tokens.purpose', '=', 'integration')
    .where('users.active', '=', 1)
    .executeTakeFirst()
  if (!row) return null
  const { tokenId, ...user } = row
  // A token is its own credential: the user's pending password change does not hold it up.
  return { ...user, sessionId: `token:${tokenId}`, mustChangePassword: false }
}
