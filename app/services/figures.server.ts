// The figures of PRODUCT.md for a scope and a period, straight from the tables in SQL: the
// same definitions as app/domain/figures.ts (the reference, and the test of this file), each
// counted where the rows are. Scope: the user's own, narrowed to an org unit, an officer, a
// territory or a township; a referral counts in the scope of its player.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely'
import type { Database } from '../../db/schema'
import type { GuaranteeType } from '../domain/first-lender'
import { chinaDaysBounds } from '../domain/china-time'
import { APPROVED_STAGES, type Stage } from '../domain/pipeline'
import { leadTime, loanOf, loanTrend, ratio, REACHING_FIGURES, type Figures, type Period, type PlayerFigure, type ReachingFigure, type TrendStep } from '../domain/figures'
import type { Scope } from '../domain/scope'
import { scoped } from './scope.server'

export interface FigureScope {
  /** All must hold: the user's scope, and the org unit or officer chosen within it. */
  scopes: Scope[]
  territoryId?: number
  township?: string
}

/** The period's ends as stored times: from China midnight, to the next midnight after `to`. */
export function periodBounds(period: Period): { from: string; until: string } {
  return chinaDaysBounds(period.from, period.to)
}

function playersIn(db: Kysely<Database>, scope: FigureScope) {
  let q = db.selectFrom('market_players')
  for (const s of scope.scopes) q = q.where(scoped(s))
  if (scope.territoryId !== undefined) q = q.where('market_players.territory_id', '=', scope.territoryId)
  if (scope.township !== undefined) q = q.where('market_players.township_code', '=', scope.township)
  return q
}

const n = (v: unknown) => Number(v ?? 0)


/** The visit is its player's latest in [from, until): none later in it (the one recorded last of two at one time). */
function latestVisitIn(from: string, until: string) {
  return ({ not, exists, selectFrom }: ExpressionBuilder<Database, 'visits'>) =>
    not(
      exists(
        selectFrom('visits as later')
          .select('later.id')
          .whereRef('later.player_id', '=', 'visits.player_id')
          .where('later.visited_at', '>=', from)
          .where('later.visited_at', '<', until)
          .where((eb) => eb.or([eb('later.visited_at', '>', eb.ref('visits.visited_at')), eb.and([eb('later.visited_at', '=', eb.ref('visits.visited_at')), eb('later.recorded_at', '>', eb.ref('visits.recorded_at'))])])),
      ),
    )
}

/** The players a figure of PLAYER_FIGURES counts: how many, and the first `limit` by id. */
export async function playersCounted(db: Kysely<Database>, scope: FigureScope, period: Period, figure: PlayerFigure, limit = 500) {
  const { from, until } = periodBounds(period)
  let q = playersIn(db, scope)
  if (figure === 'assigned') q = q.where('market_players.assigned_officer_id', 'is not', null)
  if (figure === 'candidates') q = q.where('market_players.candidate_status', '=', 'candidate')
  if (figure === 'visited' || figure === 'withNeed' || figure === 'qualified') {
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('visits')
          .select('visits.id')
          .whereRef('visits.player_id', '=', 'market_players.id')
          .where('visits.visited_at', '>=', from)
          .where('visits.visited_at', '<', until)
          .where((eb) => (figure === 'visited' ? eb.lit(true) : eb.and([eb('visits.has_need', '=', 1), latestVisitIn(from, until)(eb as never)]))),
      ),
    )
    if (figure === 'qualified') q = q.where('market_players.qualification', '=', 'qualifies')
  }
  const [count, rows] = await Promise.all([
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    q
      .leftJoin('users', 'users.id', 'market_players.assigned_officer_id')
      .leftJoin('areas', 'areas.code', 'market_players.township_code')
      .select([
        'market_players.id as playerId',
        'market_players.name',
        'areas.name as township',
        'users.name as officerName',
        'market_players.candidate_status as candidateStatus',
        'market_players.qualification',
        'market_players.last_visited_at as lastVisitedAt',
      ])
      .orderBy('market_players.id')
      .limit(limit)
      .execute(),
  ])
  return { total: n(count.n), rows }
}

// A disbursed loan as domain/first-lender.ts counts it: first lender by the loan system's
// flag, else the loan history when referred; credit by the guarantee type reported, else the
// product's kind; what was lent, else (reported before the amount was carried) what was asked.
const countsAsFirstLender = sql<boolean>`coalesce(referrals.lender_flag, referrals.first_lender) = 1`
const creditLoan = sql<number>`(case when referrals.guarantee_type is null then referrals.credit when referrals.guarantee_type = 'credit' then 1 else 0 end)`
const amountLent = sql<number>`coalesce(referrals.lent_yuan, referrals.amount_yuan)`
/** When the referral of the row was first reported at any of `stages`, or null. */
export function firstReportAt(stages: readonly Stage[]) {
  return sql<string | null>`(select min(e.at) from referral_events e where e.referral_id = referrals.id and e.stage in (${sql.join(stages.map((s) => sql.lit(s)))}))`
}

/** A referral reaches approval at its first report of approval or disbursement. */
export const approvedAt = firstReportAt(APPROVED_STAGES)

/** The referrals behind a figure of players reaching a stage, once for the count and the rows. */
function reaching(figure: ReachingFigure, period: Period) {
  const { from, until } = periodBounds(period)
  return (eb: ExpressionBuilder<Database, 'referrals'>): Expression<SqlBool> => {
    const within = (at: Expression<string | null>) => eb.and([eb(at, '>=', from), eb(at, '<', until)])
    switch (figure) {
      case 'referred':
        return within(eb.ref('referrals.referred_at'))
      case 'accepted':
        return within(eb.ref('referrals.accepted_at'))
      case 'approved':
        return within(approvedAt)
      case 'disbursed':
        return within(eb.ref('referrals.disbursed_at'))
      case 'firstLenderConversions':
        return eb.and([within(eb.ref('referrals.disbursed_at')), countsAsFirstLender])
    }
  }
}

/** The players behind a figure of players reaching a stage, with the referral that did. */
export async function playersReaching(db: Kysely<Database>, scope: FigureScope, period: Period, figure: ReachingFigure, limit = 500) {
  const rows = await playersIn(db, scope)
    .innerJoin('referrals', 'referrals.player_id', 'market_players.id')
    .leftJoin('users', 'users.id', 'referrals.officer_id')
    .where(reaching(figure, period))
    .select([
      'market_players.id as playerId',
      'market_players.name',
      'market_players.uscc',
      'users.name as officerName',
      'referrals.id as referralId',
      'referrals.stage',
      'referrals.product_code as productCode',
      'referrals.amount_yuan as amountYuan',
      sql<number>`case when ${countsAsFirstLender} then 1 else 0 end`.as('firstLender'),
      'referrals.referred_at as referredAt',
      'referrals.disbursed_at as disbursedAt',
    ])
    .orderBy('market_players.id')
    .orderBy('referrals.id')
    .execute()
  // One row per player (the first referral that counts), as the figure counts them.
  const seen = new Set<number>()
  const players = rows.filter((r) => !seen.has(r.playerId) && seen.add(r.playerId))
  return { total: players.length, rows: players.slice(0, limit).map((r) => ({ ...r, amountYuan: Number(r.amountYuan), firstLender: Number(r.firstLender) === 1 })) }
}

export async function computeFiguresInSql(db: Kysely<Database>, scope: FigureScope, period: Period, now = new Date()): Promise<Figures> {
  const { from, until } = periodBounds(period)
  const nowIso = now.toISOString()
  const players = playersIn(db, scope)
  const referralsOf = () => players.innerJoin('referrals', 'referrals.player_id', 'market_players.id')

  const [counts, visited, reached, approved, loans, acceptance, leads] = await Promise.all([
    players
      .select([
        (eb) => eb.fn.countAll<number>().as('listed'),
        (eb) => eb.fn.count<number>('market_players.assigned_officer_id').as('assigned'),
        (eb) => eb.fn.sum<number>(eb.case().when('market_players.candidate_status', '=', 'candidate').then(1).else(0).end()).as('candidates'),
      ])
      .executeTakeFirstOrThrow(),
    // Players visited in the period; of them, the assigned, and those whose latest visit in
    // the period records a need.
    players
      .innerJoin('visits', 'visits.player_id', 'market_players.id')
      .where('visits.visited_at', '>=', from)
      .where('visits.visited_at', '<', until)
      .where(latestVisitIn(from, until))
      .select([
        (eb) => eb.fn.count<number>('visits.player_id').distinct().as('visited'),
        // Coverage: assigned, with a valid visit in the period (any of them, not only the latest).
        (eb) =>
          eb.fn
            .count<number>(
              eb
                .case()
                .when(
                  eb.and([
                    eb('market_players.assigned_officer_id', 'is not', null),
                    eb.exists(
                      eb
                        .selectFrom('visits as valid_visit')
                        .select('valid_visit.id')
                        .whereRef('valid_visit.player_id', '=', 'visits.player_id')
                        .where('valid_visit.valid', '=', 1)
                        .where('valid_visit.visited_at', '>=', from)
                        .where('valid_visit.visited_at', '<', until),
                    ),
                  ]),
                )
                .then(eb.ref('visits.player_id'))
                .end(),
            )
            .distinct()
            .as('visitedAssigned'),
        (eb) => eb.fn.count<number>(eb.case().when('visits.has_need', '=', 1).then(eb.ref('visits.player_id')).end()).distinct().as('withNeed'),
        (eb) =>
          eb.fn
            .count<number>(eb.case().when(eb.and([eb('visits.has_need', '=', 1), eb('market_players.qualification', '=', 'qualifies')])).then(eb.ref('visits.player_id')).end())
            .distinct()
            .as('qualified'),
      ])
      .executeTakeFirstOrThrow(),
    referralsOf()
      .select((REACHING_FIGURES.filter((f) => f !== 'approved') as ReachingFigure[]).map((f) => (eb) => eb.fn.count<number>(eb.case().when(reaching(f, period)(eb as never)).then(eb.ref('referrals.player_id')).end()).distinct().as(f)))
      // Of the conversions: those a flag decided (the rest are estimated), and the enterprises.
      .select((eb) => [
        eb.fn.count<number>(eb.case().when(eb.and([reaching('firstLenderConversions', period)(eb as never), eb('referrals.lender_flag', '=', 1)])).then(eb.ref('referrals.player_id')).end()).distinct().as('flagged'),
        eb.fn.count<number>(eb.case().when(eb.and([reaching('firstLenderConversions', period)(eb as never), eb('market_players.kind', '=', 'enterprise')])).then(eb.ref('referrals.player_id')).end()).distinct().as('enterprises'),
      ])
      .executeTakeFirstOrThrow(),
    // Apart: the approval time is a subquery, worth running only where it is asked.
    referralsOf()
      .where(reaching('approved', period))
      .select((eb) => eb.fn.count<number>('referrals.player_id').distinct().as('approved'))
      .executeTakeFirstOrThrow(),
    referralsOf()
      .where('referrals.disbursed_at', '>=', from)
      .where('referrals.disbursed_at', '<', until)
      .select([
        (eb) => eb.fn.countAll<number>().as('loans'),
        (eb) => eb.fn.sum<number>(creditLoan).as('creditLoans'),
        (eb) => eb.fn.sum<number>(amountLent).as('amount'),
        (eb) => eb.fn.sum<number>(eb.case().when(creditLoan, '=', 1).then(amountLent).else(0).end()).as('creditAmount'),
      ])
      .executeTakeFirstOrThrow(),
    // Due in the period and passed, unless withdrawn first; on time when accepted by then.
    referralsOf()
      .where('referrals.accept_due_at', '>=', from)
      .where('referrals.accept_due_at', '<', until)
      .where('referrals.accept_due_at', '<=', nowIso)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('referral_events as w')
              .select('w.id')
              .whereRef('w.referral_id', '=', 'referrals.id')
              .where('w.stage', '=', 'withdrawn')
              .whereRef('w.at', '<', 'referrals.accept_due_at')
              .where((inner) => inner.or([inner('referrals.accepted_at', 'is', null), inner('w.at', '<', inner.ref('referrals.accepted_at'))])),
          ),
        ),
      )
      .select([
        (eb) => eb.fn.countAll<number>().as('due'),
        (eb) => eb.fn.sum<number>(eb.case().when('referrals.accepted_at', '<=', eb.ref('referrals.accept_due_at')).then(1).else(0).end()).as('onTime'),
      ])
      .executeTakeFirstOrThrow(),
    referralsOf()
      .where('referrals.disbursed_at', '>=', from)
      .where('referrals.disbursed_at', '<', until)
      .select([
        'referrals.referred_at as referredAt',
        'referrals.disbursed_at as disbursedAt',
        sql<string | null>`(select min(v.visited_at) from visits v where v.player_id = referrals.player_id)`.as('firstVisitAt'),
      ])
      .execute(),
  ])

  const customers = n(reached.disbursed)
  const converted = n(reached.firstLenderConversions)
  return {
    listed: n(counts.listed),
    assigned: n(counts.assigned),
    visited: n(visited.visited),
    withNeed: n(visited.withNeed),
    qualified: n(visited.qualified),
    coverage: ratio(n(visited.visitedAssigned), n(counts.assigned)),
    needRate: ratio(n(visited.withNeed), n(visited.visited)),
    candidates: n(counts.candidates),
    referred: n(reached.referred),
    accepted: n(reached.accepted),
    approved: n(approved.approved),
    disbursed: customers,
    newLoanCustomers: customers,
    firstLenderConversions: converted,
    firstLenderEstimated: converted - n(reached.flagged),
    firstLenderEnterprises: n(reached.enterprises),
    firstLenderRatio: ratio(converted, customers),
    creditLoanShareByCount: ratio(n(loans.creditLoans), n(loans.loans)),
    creditLoanShareByAmount: ratio(n(loans.creditAmount), n(loans.amount)),
    acceptedOnTime: ratio(n(acceptance.onTime), n(acceptance.due)),
    leadTimeVisitToDisbursementDays: leadTime(leads.flatMap((l) => (l.firstVisitAt ? [[l.firstVisitAt, l.disbursedAt!] as const] : []))),
    leadTimeReferralToDisbursementDays: leadTime(leads.map((l) => [l.referredAt, l.disbursedAt!] as const)),
  }
}

/** The loans disbursed in the period, in scope, step by step (the trend charts). */
export async function loanTrendInSql(db: Kysely<Database>, scope: FigureScope, period: Period, step: TrendStep) {
  const { from, until } = periodBounds(period)
  const rows = await playersIn(db, scope)
    .innerJoin('referrals', 'referrals.player_id', 'market_players.id')
    .where('referrals.disbursed_at', '>=', from)
    .where('referrals.disbursed_at', '<', until)
    .select([
      'referrals.player_id as playerId',
      'market_players.kind',
      'referrals.first_lender as firstLender',
      'referrals.credit',
      'referrals.amount_yuan as amountYuan',
      'referrals.lender_flag as lenderFlag',
      'referrals.guarantee_type as guaranteeType',
      'referrals.lent_yuan as lentYuan',
      'referrals.disbursed_at as disbursedAt',
    ])
    .execute()
  return loanTrend(
    rows.map((r) => ({
      ...loanOf({
        playerId: r.playerId,
        enterprise: r.kind === 'enterprise',
        firstLender: r.firstLender === 1,
        credit: r.credit === 1,
        amountYuan: Number(r.amountYuan),
        lenderFlag: r.lenderFlag === null ? null : Number(r.lenderFlag) === 1,
        guaranteeType: r.guaranteeType as GuaranteeType | null,
        lentYuan: r.lentYuan === null ? null : Number(r.lentYuan),
      }),
      disbursedAt: r.disbursedAt!,
    })),
    period,
    step,
  )
}

