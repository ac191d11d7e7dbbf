// Entering a market player by hand: the same derived columns as an import, the form's words
// kept as a source, the player placed in a territory, one transaction with its audit entry.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { maskIdNumber, maskPhone } from '../../domain/masking'
import type { PlayerFields } from '../../domain/market-player'
import { loadTownshipCentres } from '../areas.server'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { newPlayerColumns } from '../player-record.server'
import { placePlayers } from '../territories/place-players.server'

export async function createPlayer(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'pii'>,
  input: { fields: PlayerFields; orgUnitId: number },
): Promise<number> {
  const { actor, pii } = caller
  const centreOf = await loadTownshipCentres(db)
  return db.transaction().execute(async (trx) => {
    if (input.fields.uscc) {
      const taken = await trx.selectFrom('market_players').select('id').where('uscc', '=', input.fields.uscc).executeTakeFirst()
      if (taken) throw new AppError('conflict', 'player.usccTaken', { uscc: input.fields.uscc })
    }
    const now = new Date().toISOString()
    const { id } = await trx
      .insertInto('market_players')
      .values({
        ...newPlayerColumns({ ...input.fields, areaBasis: 'manual' }, pii, centreOf),
        org_unit_id: input.orgUnitId,
        source: 'manual',
        campaign_status: 'not_visited',
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('player_sources')
      .values({ player_id: id, source: 'manual', import_job_id: null, row: null, at: now, said: JSON.stringify(saidOf(input.fields)) })
      .execute()
    const unit = await trx.selectFrom('org_units').select('path').where('id', '=', input.orgUnitId).executeTakeFirstOrThrow()
    await placePlayers(trx, { actor }, { orgPath: unit.path, only: [id], reason: 'territory.reason.entered' })
    await recordAudit(trx, actor, { action: 'player.create', entityType: 'market_player', entityId: id })
    return id
  })
}

/** What a list or form said, for the record: personal data never in clear. */
export function saidOf(fields: PlayerFields): Record<string, unknown> {
  const said: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) continue
    if (key === 'phone') said.phone = maskPhone(String(value))
    else if (key === 'idNumber') said.idNumber = maskIdNumber(String(value))
    else said[key] = value
  }
  return said
}

