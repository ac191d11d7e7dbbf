// Bearer tokens for machines: made and revoked by an admin, each for one purpose: the loan
// system reporting stages back (`loan_events`), the bank's BI tools reading the figures
// (`figures_read`, of the whole bank or an org unit's subtree), or a bank's tool handing
// cases off and looking players up (`integration`, acting for one active user: their role,
// their scope). Only a token's SHA-256 is stored; the token is shown once, when it is made.
import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { TokenPurpose } from '../../domain/api-tokens'

/** Only a token's SHA-256 is stored, and looked up. */
export const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('hex')


/** The token named in an `Authorization: Bearer …` header, if it is live and made for `purpose`. */
export async function findLiveToken(
  db: Kysely<Database>,
  authorization: string | null,
  purpose: TokenPurpose = 'loan_events',
): Promise<{ id: number; name: string; orgPath: string | null; channelGroup: string | null } | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')
  if (!match) return null
  const row = await db
    .selectFrom('api_tokens')
    .leftJoin('org_units', 'org_units.id', 'api_tokens.org_unit_id')
    .select(['api_tokens.id', 'api_tokens.name', 'org_units.path as orgPath', 'api_tokens.channel_group as channelGroup'])
    .where('api_tokens.token_hash', '=', tokenHash(match[1]))
    .where('api_tokens.revoked_at', 'is', null)
    .where('api_tokens.purpose', '=', purpose)
    .executeTakeFirst()
  return row ?? null
}
