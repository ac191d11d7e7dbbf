// The consent a hand-off may carry: the player's latest that is neither withdrawn nor expired.
import type { Db } from '../audit.server'

export async function findValidConsent(db: Db, input: { playerId: number; now: Date }) {
  return (
    (await db
      .selectFrom('consents')
      .select(['id', 'sha256', 'expires_at'])
      .where('player_id', '=', input.playerId)
      .where('withdrawn_at', 'is', null)
      .where('expires_at', '>', input.now.toISOString())
      .orderBy('signed_at', 'desc')
      .limit(1)
      .executeTakeFirst()) ?? null
  )
}
