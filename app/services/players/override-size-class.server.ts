import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { SizeClass } from '../../domain/market-player'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { getPlayer } from './get-player.server'

/** A person's judgement over the computed size class, with their reason; `null` returns to the computed class. */
export async function overrideSizeClass(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  input: { id: number; override: { sizeClass: SizeClass; reason: string } | null },
): Promise<void> {
  const { id, override } = input
  await db.transaction().execute(async (trx) => {
    const existing = await getPlayer(trx, caller, { id })
    if (!existing) throw new AppError('not_found', 'error.notFound')
    await trx
      .updateTable('market_players')
      .set({
        size_class: override ? override.sizeClass : existing.size_class_computed,
        size_class_override_reason: override ? override.reason : null,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute()
    await recordAudit(trx, caller.actor, {
      action: override ? 'player.size_override' : 'player.size_override_cleared',
      entityType: 'market_player',
      entityId: id,
      detail: { from: existing.size_class, to: override?.sizeClass ?? existing.size_class_computed, reason: override?.reason ?? null },
    })
  })
}

