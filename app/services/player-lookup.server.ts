// A player looked up by USCC for a bank's tools (GET /api/v1/players?uscc=), in the caller's
// scope: what a tool needs to hand a case off or check where one stands, personal data only
// in its masked form, and never a person's name.
import type { Db } from './audit.server'
import type { Scope } from '../domain/scope'
import { FINISHED_STAGES } from '../domain/pipeline'
import { scoped } from './scope.server'

export async function findPlayersByUscc(db: Db, scope: Scope, uscc: string) {
  const rows = await db
    .selectFrom('market_players')
    .innerJoin('org_units', 'org_units.id', 'market_players.org_unit_id')
    .leftJoin('users as officer', 'officer.id', 'market_players.assigned_officer_id')
    .select([
      'market_players.id',
      'market_players.uscc',
      'market_players.name',
      'market_players.kind',
      'market_players.registration_status as registrationStatus',
      'market_players.registered_on as registeredOn',
      'market_players.area_code as areaCode',
      'market_players.township_code as townshipCode',
      'org_units.code as orgUnitCode',
      'officer.username as officer',
      'market_players.campaign_status as campaignStatus',
      'market_players.candidate_status as candidateStatus',
      'market_players.qualification',
      'market_players.last_visited_at as lastVisitedAt',
      'market_players.last_outcome as lastOutcome',
      'market_players.phone_masked as phoneMasked',
      'market_players.id_number_masked as idNumberMasked',
    ])
    .select((eb) =>
      eb
        .selectFrom('referrals')
        .select('referrals.id')
        .whereRef('referrals.player_id', '=', 'market_players.id')
        .where('referrals.stage', 'not in', FINISHED_STAGES)
        .limit(1)
        .as('openReferralId'),
    )
    .where('market_players.uscc', '=', uscc)
    .where(scoped(scope))
    .orderBy('market_players.id')
    .limit(20)
    .execute()
  return rows
}
