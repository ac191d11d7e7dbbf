// The escalations a manager sees (PRODUCT.md "Channels and clocks": a clock that runs out is
// escalated to the officer's manager): clocks escalated and still not met, in scope, earliest
// due first. `countOpenEscalations` is the number for a page's header or the home page. The
// referrals' acceptance clocks (`referral_id` set) are listed with them, open while the loan
// system has not accepted the case, scoped as referrals are (their org unit and officer).
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Clock } from '../../domain/clocks'
import type { Scope } from '../../domain/scope'
import { inScope, scoped } from '../scope.server'

export interface Escalation {
  playerId: number
  name: string
  channel: string
  clock: Clock
  /** Set for a referral's acceptance clock. */
  referralId: number | null
  dueAt: string
  escalatedAt: string
  officerName: string | null
  managerName: string | null
  orgUnitName: string
}

/** The escalated clock is not met yet. */
const stillOpen = sql<boolean>`(case clock_escalations.clock
  when 'accept' then player_clocks.accepted_at
  when 'contact' then player_clocks.contacted_at
  else player_clocks.decided_at end) is null`

function openEscalations(db: Kysely<Database>, scope: Scope) {
  return db
    .selectFrom('clock_escalations')
    .innerJoin('player_clocks', 'player_clocks.player_id', 'clock_escalations.player_id')
    .innerJoin('market_players', 'market_players.id', 'clock_escalations.player_id')
    .where('clock_escalations.referral_id', '=', 0)
    .where(stillOpen)
    .where(scoped(scope))
}

function openReferralEscalations(db: Kysely<Database>, scope: Scope) {
  return db
    .selectFrom('clock_escalations')
    .innerJoin('referrals', 'referrals.id', 'clock_escalations.referral_id')
    .innerJoin('market_players', 'market_players.id', 'referrals.player_id')
    .where('referrals.accepted_at', 'is', null)
    .where('referrals.stage', '=', 'referred')
    .where(inScope(scope, { orgUnit: 'referrals.org_unit_id', owner: 'referrals.officer_id' }))
}

export async function listOpenEscalations(db: Kysely<Database>, scope: Scope, options: { limit?: number } = {}): Promise<Escalation[]> {
  const limit = options.limit ?? 200
  const clocks = await openEscalations(db, scope)
    .innerJoin('org_units', 'org_units.id', 'market_players.org_unit_id')
    .leftJoin('users as officer', 'officer.id', 'market_players.assigned_officer_id')
    .leftJoin('users as manager', 'manager.id', 'clock_escalations.manager_id')
    .select([
      'clock_escalations.player_id as playerId',
      'market_players.name',
      'player_clocks.channel',
      'clock_escalations.clock',
      sql<number | null>`null`.as('referralId'),
      'clock_escalations.due_at as dueAt',
      'clock_escalations.escalated_at as escalatedAt',
      'officer.name as officerName',
      'manager.name as managerName',
      'org_units.name as orgUnitName',
    ])
    .orderBy('clock_escalations.due_at')
    .orderBy('clock_escalations.player_id')
    .orderBy('clock_escalations.clock')
    .limit(limit)
    .execute()
  const referrals = await openReferralEscalations(db, scope)
    .innerJoin('org_units', 'org_units.id', 'referrals.org_unit_id')
    .innerJoin('users as officer', 'officer.id', 'referrals.officer_id')
    .leftJoin('users as manager', 'manager.id', 'clock_escalations.manager_id')
    .select([
      'clock_escalations.player_id as playerId',
      'market_players.name',
      'referrals.channel',
      'clock_escalations.clock',
      'clock_escalations.referral_id as referralId',
      'clock_escalations.due_at as dueAt',
      'clock_escalations.escalated_at as escalatedAt',
      'officer.name as officerName',
      'manager.name as managerName',
      'org_units.name as orgUnitName',
    ])
    .orderBy('clock_escalations.due_at')
    .orderBy('clock_escalations.referral_id')
    .limit(limit)
    .execute()
  return [...clocks, ...referrals].sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.playerId - b.playerId)).slice(0, limit)
}

/** How many escalated clocks in scope are still not met. */
export async function countOpenEscalations(db: Kysely<Database>, scope: Scope): Promise<number> {
  const clocks = await openEscalations(db, scope)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  const referrals = await openReferralEscalations(db, scope)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(clocks.n) + Number(referrals.n)
}
