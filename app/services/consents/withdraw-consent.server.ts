// The signer takes their consent back: recorded (when, by whom, why), never deleted, and from
// then on it does not count for a hand-off. Referrals already made keep the consent they
// carried. Only within the caller's scope; a consent withdrawn already stays as it was.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { scoped } from '../scope.server'

export async function withdrawConsent(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  input: { consentId: string; reason: string; now?: Date },
): Promise<void> {
  const reason = input.reason.trim()
  if (!reason) throw new AppError('bad_request', 'validation.required', { field: 'reason' })
  if (reason.length > 200) throw new AppError('bad_request', 'validation.tooLong', { field: 'reason', max: 200 })
  await db.transaction().execute(async (trx) => {
    const consent = await trx
      .selectFrom('consents')
      .innerJoin('market_players', 'market_players.id', 'consents.player_id')
      .select(['consents.id', 'consents.player_id', 'consents.withdrawn_at'])
      .where('consents.id', '=', input.consentId)
      .where(scoped(caller.scope))
      .executeTakeFirst()
    if (!consent) throw new AppError('not_found', 'consent.notFound')
    if (consent.withdrawn_at !== null) throw new AppError('conflict', 'consent.alreadyWithdrawn', { field: '_form' })
    const at = (input.now ?? new Date()).toISOString()
    await trx.updateTable('consents').set({ withdrawn_at: at, withdrawn_by: caller.actor.id, withdrawn_reason: reason }).where('id', '=', consent.id).where('withdrawn_at', 'is', null).execute()
    await recordAudit(trx, caller.actor, { action: 'consent.withdrawn', entityType: 'market_player', entityId: consent.player_id, detail: { consentId: consent.id, reason } })
  })
}
