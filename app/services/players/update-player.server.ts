// Correcting a market player by hand: only what changed is written and kept as a source; a
// player who moved is placed again. One transaction with its audit entry.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { PlayerFields } from '../../domain/market-player'
import { loadTownshipCentres } from '../areas.server'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { playerChanges } from '../player-record.server'
import { placePlayers } from '../territories/place-players.server'
import { getPlayer } from './get-player.server'

export async function updatePlayer(
  db: Kysely<Database>,
  caller: Caller,
  input: { id: number; fields: PlayerFields },
): Promise<{ changed: string[] }> {
  const { actor, pii } = caller
  const { id, fields } = input
  const centreOf = await loadTownshipCentres(db)
  return db.transaction().execute(async (trx) => {
    const existing = await getPlayer(trx, caller, { id })
    if (!existing) throw new AppError('not_found', 'error.notFound')
    if (fields.uscc && fields.uscc !== existing.uscc) {
      const taken = await trx.selectFrom('market_players').select('id').where('uscc', '=', fields.uscc).executeTakeFirst()
      if (taken) throw new AppError('conflict', 'player.usccTaken', { uscc: fields.uscc })
    }
    const { changes, said } = playerChanges(existing, { ...fields, areaBasis: 'manual' }, pii, centreOf)
    const changed = Object.keys(said)
    if (changed.length === 0) return { changed }
    const now = new Date().toISOString()
    await trx.updateTable('market_players').set({ ...changes, updated_at: now }).where('id', '=', id).execute()
    await trx.insertInto('player_sources').values({ player_id: id, source: 'manual', import_job_id: null, row: null, at: now, said: JSON.stringify(said) }).execute()
    if ('lat' in changes || 'lng' in changes || 'township_code' in changes) {
      const unit = await trx.selectFrom('org_units').select('path').where('id', '=', existing.org_unit_id).executeTakeFirstOrThrow()
      await placePlayers(trx, { actor }, { orgPath: unit.path, only: [id], reason: 'territory.reason.moved' })
    }
    await recordAudit(trx, actor, { action: 'player.update', entityType: 'market_player', entityId: id, detail: { changed: said } })
    return { changed }
  })
}

