// What the pre-counted figures hold for each player (see db/migrations/0008 and
// domain/figure-facts.ts): its group and its facts month by month, as it counts now and as it
// was last counted. The drain moves the sums between the two; a read corrects the sums by
// the same two for the players still queued.
import type { GuaranteeType } from '../../domain/first-lender'
import { loanOf } from '../../domain/figures'
import { playerMonths, type PlayerMonths, type PlayerState } from '../../domain/figure-facts'
import type { Db } from '../audit.server'
import { approvedAt, firstReportAt } from '../figures.server'

export interface Group {
  orgUnitId: number
  officerId: number
  township: string
}

/**
 * The lead-time rows: per tenth of a day (`visit`, `referral`) and per whole day
 * (`visit_day`, `referral_day`, with the day in `tenths`). A quantile is found in the days
 * (a year is a few hundred rows) and then in the ten tenths of the day it falls in.
 */
export type LeadKind = 'visit' | 'referral' | 'visit_day' | 'referral_day'
export const DAYS_OF = { visit: 'visit_day', referral: 'referral_day' } as const

/** Each org unit's total (officer 0, township `*`): what a read of units, not of officers or townships, reads. */
export const unitTotal = (orgUnitId: number): Group => ({ orgUnitId, officerId: 0, township: '*' })

/**
 * Besides each group's own sums, the whole bank's, kept under org unit 0 (no org unit has
 * that id): in total (township `*`), and by township. A read of the whole bank, or of it by
 * township (the map), reads those few rows instead of every group's.
 */
export const BANK: Group = { orgUnitId: 0, officerId: 0, township: '*' }
export const bankInTownship = (township: string): Group => ({ orgUnitId: 0, officerId: 0, township })

export interface Counted extends Group, PlayerState {
  months: PlayerMonths
}

export const column = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
export const n = (v: unknown) => Number(v ?? 0)

/** The key columns of the sums' tables: period, org unit, officer, township. */
export const GROUP_COLUMNS = ['period_key', 'org_unit_id', 'officer_id', 'township_code']

function byPlayer<T extends { player_id: number }>(rows: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>()
  for (const row of rows) {
    const list = out.get(row.player_id)
    if (list) list.push(row)
    else out.set(row.player_id, [row])
  }
  return out
}

/** The players as they count now: their group, their state and their facts by month. */
export async function countNow(db: Db, ids: readonly number[]): Promise<Map<number, Counted>> {
  const out = new Map<number, Counted>()
  if (ids.length === 0) return out
  const [players, visits, referrals] = await Promise.all([
    db
      .selectFrom('market_players')
      .select(['id', 'kind', 'org_unit_id', 'assigned_officer_id', 'township_code', 'candidate_status', 'qualification'])
      .where('id', 'in', ids)
      .execute(),
    db.selectFrom('visits').select(['player_id', 'visited_at', 'recorded_at', 'has_need', 'valid']).where('player_id', 'in', ids).execute(),
    db
      .selectFrom('referrals')
      .select([
        'player_id',
        'referred_at',
        'accepted_at',
        'disbursed_at',
        'accept_due_at',
        'first_lender',
        'credit',
        'amount_yuan',
        'lent_yuan',
        'guarantee_type',
        'lender_flag',
        approvedAt.as('approved_at'),
        firstReportAt(['withdrawn']).as('withdrawn_at'),
      ])
      .where('player_id', 'in', ids)
      .execute(),
  ])
  const visitsOf = byPlayer(visits)
  const referralsOf = byPlayer(referrals)
  for (const p of players) {
    out.set(p.id, {
      orgUnitId: p.org_unit_id,
      officerId: p.assigned_officer_id ?? 0,
      township: p.township_code ?? '',
      assigned: p.assigned_officer_id !== null,
      candidate: p.candidate_status === 'candidate',
      qualifies: p.qualification === 'qualifies',
      months: playerMonths(
        (visitsOf.get(p.id) ?? []).map((v) => ({ at: v.visited_at, recordedAt: v.recorded_at, hasNeed: v.has_need === 1, valid: v.valid === 1 })),
        (referralsOf.get(p.id) ?? []).map((r) => ({
          referredAt: r.referred_at,
          acceptedAt: r.accepted_at,
          approvedAt: r.approved_at,
          disbursedAt: r.disbursed_at,
          acceptDueAt: r.accept_due_at,
          withdrawnAt: r.withdrawn_at,
          loan: loanOf({
            playerId: p.id,
            enterprise: p.kind === 'enterprise',
            firstLender: r.first_lender === 1,
            credit: r.credit === 1,
            amountYuan: Number(r.amount_yuan),
            lenderFlag: r.lender_flag === null ? null : Number(r.lender_flag) === 1,
            guaranteeType: r.guarantee_type as GuaranteeType | null,
            lentYuan: r.lent_yuan === null ? null : Number(r.lent_yuan),
          }),
        })),
      ),
    })
  }
  return out
}

/** The players as they were last counted (what the sums hold for them). */
export async function countedBefore(db: Db, ids: readonly number[]): Promise<Map<number, Counted>> {
  const out = new Map<number, Counted>()
  if (ids.length === 0) return out
  const rows = await db.selectFrom('figure_players').selectAll().where('player_id', 'in', ids).execute()
  for (const r of rows) {
    out.set(r.player_id, {
      orgUnitId: r.org_unit_id,
      officerId: r.officer_id,
      township: r.township_code,
      assigned: r.assigned === 1,
      candidate: r.candidate === 1,
      qualifies: r.qualifies === 1,
      months: JSON.parse(r.months) as PlayerMonths,
    })
  }
  return out
}
