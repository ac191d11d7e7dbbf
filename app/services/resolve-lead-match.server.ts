// A manager's answer to "this lead without a USCC may be player #X" (an import found the
// same name): not the same (the match is dismissed), or the same (the lead's facts fill in
// what the coded player lacks, never overwrite it, and the lead goes). One transaction with
// its audit entry. A lead that already has visits or referrals is not folded in: those
// records name it, and moving them is a decision of its own.
import type { Kysely } from 'kysely'
import type { Database, MarketPlayer } from '../../db/schema'
import { AppError } from '../domain/app-error'
import { recordAudit } from './audit.server'
import type { Caller } from './caller.server'
import { getPlayer } from './players/get-player.server'

/** Facts the lead may give the coded player where it has none. */
const FILLED = [
  'legal_representative',
  'owner',
  'address',
  'industry',
  'industry_code',
  'employees',
  'revenue_yuan',
  'assets_yuan',
  'registered_on',
  'registration_status',
  'tax_grade',
  'tax_grade_year',
  'loan_checked_on',
] as const satisfies readonly (keyof MarketPlayer)[]

export async function resolveLeadMatch(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  input: { leadId: number; same: boolean },
): Promise<{ playerId: number }> {
  const { actor } = caller
  return db.transaction().execute(async (trx) => {
    const lead = await getPlayer(trx, caller, { id: input.leadId })
    if (!lead || lead.uscc !== null || lead.lead_match_id === null) throw new AppError('not_found', 'error.notFound')
    const coded = await getPlayer(trx, caller, { id: lead.lead_match_id })
    if (!coded) throw new AppError('not_found', 'error.notFound')
    const now = new Date().toISOString()
    if (!input.same) {
      await trx.updateTable('market_players').set({ lead_match_id: null, updated_at: now }).where('id', '=', lead.id).execute()
      await recordAudit(trx, actor, { action: 'player.leadMatchDismissed', entityType: 'market_player', entityId: lead.id, detail: { playerId: coded.id } })
      return { playerId: lead.id }
    }
    const [visit, referral] = await Promise.all([
      trx.selectFrom('visits').select('id').where('player_id', '=', lead.id).limit(1).executeTakeFirst(),
      trx.selectFrom('referrals').select('id').where('player_id', '=', lead.id).limit(1).executeTakeFirst(),
    ])
    if (visit || referral) throw new AppError('conflict', 'player.leadHasActivity')

    const fill: Record<string, unknown> = {}
    for (const column of FILLED) if (coded[column] === null && lead[column] !== null) fill[column] = lead[column]
    if (coded.phone_enc === null && lead.phone_enc !== null) Object.assign(fill, { phone_enc: lead.phone_enc, phone_hash: lead.phone_hash, phone_masked: lead.phone_masked })
    if (coded.id_number_enc === null && lead.id_number_enc !== null) {
      Object.assign(fill, { id_number_enc: lead.id_number_enc, id_number_hash: lead.id_number_hash, id_number_masked: lead.id_number_masked })
    }
    if (Object.keys(fill).length > 0) {
      await trx.updateTable('market_players').set({ ...fill, updated_at: now }).where('id', '=', coded.id).execute()
    }
    // Which list said what stays with the player it now describes; the lead's own history goes with it.
    await trx.updateTable('player_sources').set({ player_id: coded.id }).where('player_id', '=', lead.id).execute()
    await trx.updateTable('import_issues').set({ player_id: coded.id }).where('player_id', '=', lead.id).execute()
    await trx.deleteFrom('player_assignments').where('player_id', '=', lead.id).execute()
    await trx.deleteFrom('qualification_queue').where('player_id', '=', lead.id).execute()
    await trx.deleteFrom('market_players').where('id', '=', lead.id).execute()
    // The figures count it no more.
    await trx.insertInto('figures_queue').values({ player_id: lead.id }).onConflict((oc) => oc.column('player_id').doNothing()).execute()
    await recordAudit(trx, actor, {
      action: 'player.leadMatchConfirmed',
      entityType: 'market_player',
      entityId: coded.id,
      detail: { leadId: lead.id, filled: Object.keys(fill).filter((k) => !k.endsWith('_enc') && !k.endsWith('_hash')) },
    })
    return { playerId: coded.id }
  })
}
