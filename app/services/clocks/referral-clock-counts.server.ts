// The referral acceptance clock's part of the deadline ranking (decision 0450): the referrals
// made in a period, how many were due for acceptance, accepted on time, overdue and still not
// accepted, and escalated, per outlet or officer of the referral (its own org unit and
// officer, as every referral list is scoped). Counted the same three ways as the channel
// clocks (clock-ranking.server.ts): into the sums, straight, and what time alone changed.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely'
import type { Database } from '../../../db/schema'
import { withoutIndex } from '../../../db/dialect.server'
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'
import { inScope } from '../scope.server'
import { chinaMonthOf } from './clock-sums.server'

/** The sums' table, or the SQLite rebuild's table of its own that it counts into first (clock-sums.server.ts). */
export type SumsTable = 'clock_sums' | 'clock_sums_next'
export type ReferralWhere = (eb: ExpressionBuilder<Database, 'referrals'>) => Expression<SqlBool>
export interface ReferralCounts {
  referrals: number
  acceptDue: number
  acceptedOnTime: number
  acceptOverdue: number
  escalated: number
}

const count = (condition: ReturnType<typeof sql>) => sql<number>`sum(case when ${condition} then 1 else 0 end)`
const keyOf = (by: 'outlet' | 'officer') => (by === 'outlet' ? 'referrals.org_unit_id' : 'referrals.officer_id')
export const referralScope = (scope: Scope) => inScope(scope, { orgUnit: 'referrals.org_unit_id', owner: 'referrals.officer_id' })

/** The counts as the definitions give them at `now`, for the referrals `where` picks. */
export async function countReferralsStraight(db: Db, scope: Scope, by: 'outlet' | 'officer', now: string, where: ReferralWhere): Promise<Map<number, ReferralCounts>> {
  const rows = await db
    .selectFrom('referrals')
    .select(sql<number>`${sql.ref(keyOf(by))}`.as('id'))
    .select((eb) => eb.fn.countAll<number>().as('referrals'))
    .select(count(sql`referrals.accept_due_at <= ${now} or referrals.accepted_at is not null`).as('acceptDue'))
    .select(count(sql`referrals.accepted_at <= referrals.accept_due_at`).as('acceptedOnTime'))
    .select(count(sql`referrals.stage = 'referred' and referrals.accepted_at is null and referrals.accept_due_at < ${now}`).as('acceptOverdue'))
    .select(sql<number>`sum(referrals.escalations)`.as('escalated'))
    .where(where)
    .where(referralScope(scope))
    // Grouped without the key's index: SQLite otherwise walked every referral in key order to
    // skip the sort, instead of the few `where` picks through the time-of-referral index (a
    // 30-day ranking of the province by officer: 96 ms of referrals, 26 through the index;
    // `npm run bench -- clocks`).
    .groupBy(withoutIndex(db, keyOf(by)))
    .execute()
  return new Map(rows.map((r) => [Number(r.id), { referrals: Number(r.referrals), acceptDue: Number(r.acceptDue ?? 0), acceptedOnTime: Number(r.acceptedOnTime ?? 0), acceptOverdue: Number(r.acceptOverdue ?? 0), escalated: Number(r.escalated ?? 0) }]))
}

/**
 * What time alone changed since the sums were made at `asOf`, for referrals not changed since:
 * acceptances not met that fell due in (asOf, now], and those still `referred` whose due time
 * passed in [asOf, now). Through the acceptance due-time index.
 */
export async function referralsDueSince(db: Db, scope: Scope, by: 'outlet' | 'officer', asOf: string, now: string, where: ReferralWhere): Promise<Map<number, ReferralCounts>> {
  const rows = await db
    .selectFrom('referrals')
    .select(sql<number>`${sql.ref(keyOf(by))}`.as('id'))
    .select(count(sql`referrals.accept_due_at > ${asOf} and referrals.accept_due_at <= ${now}`).as('acceptDue'))
    .select(count(sql`referrals.stage = 'referred' and referrals.accept_due_at >= ${asOf} and referrals.accept_due_at < ${now}`).as('acceptOverdue'))
    .where('referrals.accept_due_at', '>=', asOf)
    .where('referrals.accept_due_at', '<=', now)
    .where('referrals.accepted_at', 'is', null)
    .where(where)
    .where(referralScope(scope))
    .groupBy(sql.ref(keyOf(by)))
    .execute()
  return new Map(rows.map((r) => [Number(r.id), { referrals: 0, acceptDue: Number(r.acceptDue ?? 0), acceptedOnTime: 0, acceptOverdue: Number(r.acceptOverdue ?? 0), escalated: 0 }]))
}

/** The referral is in a group marked changed since the sums were made. */
export function referralMarked(db: Kysely<any>, eb: ExpressionBuilder<Database, 'referrals'>): Expression<SqlBool> {
  return eb.exists(
    eb
      .selectFrom('clock_sums_dirty')
      .select('clock_sums_dirty.month')
      .where('clock_sums_dirty.month', '=', chinaMonthOf(db, sql.ref('referrals.referred_at')))
      .whereRef('clock_sums_dirty.org_unit_id', '=', 'referrals.org_unit_id')
      .whereRef('clock_sums_dirty.officer_id', '=', 'referrals.officer_id'),
  )
}

/**
 * Adds the referrals' counts at `at` to the sums the channel clocks' rebuild wrote, per month,
 * org unit and officer (a group with referrals only gets a row of its own). Inside the rebuild's
 * transaction.
 */
export async function insertReferralSums(trx: Db, at: string, into: SumsTable = 'clock_sums', where?: ReferralWhere): Promise<void> {
  const month = chinaMonthOf(trx, sql.ref('referrals.referred_at'))
  await trx
    .insertInto(into as 'clock_sums')
    .columns(['month', 'org_unit_id', 'officer_id', 'clocks', 'contact_due', 'contacted_on_time', 'decide_due', 'decided_on_time', 'overdue', 'refusals', 'refusals_with_reason', 'escalated', 'referrals', 'accept_due', 'accepted_on_time', 'accept_overdue'])
    .expression(
      trx
        .selectFrom('referrals')
        .select([
          month.as('month'),
          'referrals.org_unit_id',
          'referrals.officer_id',
          ...(['clocks', 'contact_due', 'contacted_on_time', 'decide_due', 'decided_on_time', 'overdue', 'refusals', 'refusals_with_reason'] as const).map((c) => sql<number>`0`.as(c)),
          sql<number>`sum(referrals.escalations)`.as('escalated'),
          sql<number>`count(*)`.as('referrals'),
          count(sql`referrals.accept_due_at <= ${at} or referrals.accepted_at is not null`).as('accept_due'),
          count(sql`referrals.accepted_at <= referrals.accept_due_at`).as('accepted_on_time'),
          count(sql`referrals.stage = 'referred' and referrals.accepted_at is null and referrals.accept_due_at < ${at}`).as('accept_overdue'),
        ])
        // SQLite reads `on conflict` after a select without `where` as part of a join.
        .where(where ?? sql<boolean>`1 = 1`)
        .groupBy([month, 'referrals.org_unit_id', 'referrals.officer_id']),
    )
    .onConflict((oc) =>
      oc.columns(['month', 'org_unit_id', 'officer_id']).doUpdateSet((eb) => ({
        escalated: sql<number>`${sql.ref(`${into}.escalated`)} + excluded.escalated`,
        referrals: eb.ref('excluded.referrals'),
        accept_due: eb.ref('excluded.accept_due'),
        accepted_on_time: eb.ref('excluded.accepted_on_time'),
        accept_overdue: eb.ref('excluded.accept_overdue'),
      })),
    )
    .execute()
}
