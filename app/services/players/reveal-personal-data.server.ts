import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { getPlayer } from './get-player.server'

/** The phone and ID number in clear, for a role allowed to see them; every reveal is audited. */
export async function revealPersonalData(db: Kysely<Database>, caller: Caller, input: { id: number }) {
  const { actor, pii } = caller
  const { id } = input
  return db.transaction().execute(async (trx) => {
    const player = await getPlayer(trx, caller, { id })
    if (!player) throw new AppError('not_found', 'error.notFound')
    await recordAudit(trx, actor, { action: 'player.unmask', entityType: 'market_player', entityId: id, detail: { fields: ['phone', 'idNumber'] } })
    return {
      phone: player.phone_enc ? pii.decrypt(player.phone_enc) : null,
      idNumber: player.id_number_enc ? pii.decrypt(player.id_number_enc) : null,
    }
  })
}

