// A stored visit judged again by the rules version it was first judged by, when its evidence
// changes (a photo added, a far reason accepted). Runs inside the caller's transaction; the
// figures' trigger on `visits.valid` recounts the player's coverage.
import type { Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import { judgeVisit, type VisitEvidence, type VisitJudgement } from '../../domain/visit-validity'
import { findVisitRulesVersion } from '../visit-rules/find-visit-rules.server'

/** What the rule reads of a stored visit. */
export async function evidenceOf(trx: Transaction<Database>, visitId: string): Promise<(VisitEvidence & { rulesVersion: number | null; farReason: string | null; valid: boolean }) | null> {
  const row = await trx
    .selectFrom('visits')
    .innerJoin('market_players', 'market_players.id', 'visits.player_id')
    .select([
      'visits.channel',
      'market_players.kind',
      'visits.check_in_flag',
      'visits.check_in_lat',
      'visits.check_in_distance_m',
      'visits.far_accepted_at',
      'visits.far_reason',
      'visits.rules_version',
      'visits.valid',
    ])
    .select((eb) => eb.selectFrom('visit_photos').select((e) => e.fn.countAll<number | string>().as('n')).whereRef('visit_photos.visit_id', '=', 'visits.id').as('photos'))
    .where('visits.id', '=', visitId)
    .executeTakeFirst()
  if (!row) return null
  return {
    channel: row.channel,
    playerKind: row.kind,
    checkedIn: row.check_in_lat !== null,
    distanceMetres: row.check_in_distance_m,
    // As the check-in saw it (the player's position may have been set since): it was recorded
    // under this same rules version's radius, so only a check-in beyond it against an
    // approximate position is stored unflagged.
    approximatePosition: row.check_in_flag !== 'far',
    farAccepted: row.far_accepted_at !== null,
    photos: Number(row.photos ?? 0),
    rulesVersion: row.rules_version,
    farReason: row.far_reason,
    valid: row.valid === 1,
  }
}

/** Judges the visit again and stores the verdict; null for a visit from before the rules (it stays as it was). */
export async function rejudgeVisit(trx: Transaction<Database>, visitId: string): Promise<VisitJudgement | null> {
  const evidence = await evidenceOf(trx, visitId)
  if (!evidence || evidence.rulesVersion === null) return null
  const rules = await findVisitRulesVersion(trx, evidence.rulesVersion)
  if (!rules) return null
  const judgement = judgeVisit(evidence, rules)
  await trx
    .updateTable('visits')
    .set({ valid: judgement.valid ? 1 : 0, invalid_reasons: judgement.valid ? null : JSON.stringify(judgement.reasons) })
    .where('id', '=', visitId)
    .execute()
  return judgement
}
