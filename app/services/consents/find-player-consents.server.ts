// A player's consents, newest first, for whoever may see the player (scope in the query),
// each with its standing now: valid, expired or withdrawn.
import { consentStanding } from '../../domain/consent'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { scoped } from '../scope.server'

export async function findPlayerConsents(db: Db, caller: Pick<Caller, 'scope'>, input: { playerId: number; now?: Date }) {
  const rows = await db
    .selectFrom('consents')
    .innerJoin('market_players', 'market_players.id', 'consents.player_id')
    .innerJoin('users', 'users.id', 'consents.officer_id')
    .select([
      'consents.id',
      'consents.text_version as textVersion',
      'consents.signer_name as signerName',
      'consents.signer_role as signerRole',
      'consents.signed_at as signedAt',
      'consents.received_at as receivedAt',
      'consents.position_fix as positionFix',
      'consents.expires_at',
      'consents.withdrawn_at',
      'consents.withdrawn_reason as withdrawnReason',
      'consents.sha256',
      'users.name as officerName',
    ])
    .where('consents.player_id', '=', input.playerId)
    .where(scoped(caller.scope))
    .orderBy('consents.signed_at', 'desc')
    .limit(50)
    .execute()
  const now = input.now ?? new Date()
  return rows.map(({ expires_at, withdrawn_at, ...r }) => ({ ...r, expiresAt: expires_at, withdrawnAt: withdrawn_at, standing: consentStanding({ expires_at, withdrawn_at }, now) }))
}
