// Visits for the demo and the province: about 60% of assigned players visited over the
// period, mostly on site with a check-in near the player (a few far, with a reason, and a
// few without a position), a third of visited players left with a financing need, and
// follow-ups falling due. Each row is checked and derived by the same rules as a visit the
// app records (assessCheckIn, campaignStatusAfterVisit); written in bulk for speed.
import type { Kysely } from 'kysely'
import { insertRows } from '../dialect.server'
import { addDays, todayInChina } from '../../app/domain/china-time'
import {
  assessCheckIn,
  campaignStatusAfterVisit,
  DEFAULT_CHECK_IN_RADIUS_M,
  NEED_PRODUCTS,
  NEED_PURPOSES,
  OBSTACLES,
  type VisitChannel,
  type VisitOutcome,
} from '../../app/domain/visit'
import type { Database } from '../schema'
import type { Random } from './random'

export interface VisitPlan {
  /** Share of assigned players visited at least once. */
  visitedShare: number
  /** Mean visits per visited player. */
  visitsPerVisitedPlayer: number
  /** The period the visits fall in, ending now. */
  days: number
}

const COLUMNS = [
  'id', 'player_id', 'officer_id', 'org_unit_id', 'visited_at', 'recorded_at', 'updated_at', 'channel', 'contact', 'notes',
  'has_need', 'need_amount_yuan', 'need_purpose', 'need_term_months', 'need_collateral', 'need_product', 'obstacles', 'outcome',
  'next_follow_up_on', 'check_in_lat', 'check_in_lng', 'check_in_accuracy_m', 'check_in_fix', 'check_in_distance_m',
  'check_in_flag', 'far_reason', 'position_set', 'conflict',
] as const

const NOTES = ['老板在店，介绍了我行产品', '留了名片，约下次详谈', '正在备货，资金周转紧', '打算添置设备', '已有他行授信意向', '店面在装修', '经营正常，暂不需要']
const FAR_REASONS = ['店主约在镇上见面', '主体已搬迁，在新址见面', '在集市摊位见面']

function uuid(rng: Random): string {
  const hex = (n: number) => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('')
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + rng.int(0, 3)).toString(16)}${hex(3)}-${hex(12)}`
}

export async function seedVisits(db: Kysely<Database>, rng: Random, plan: VisitPlan, log: (m: string) => void): Promise<number> {
  const players = await db
    .selectFrom('market_players')
    .innerJoin('users', 'users.id', 'market_players.assigned_officer_id')
    .select(['market_players.id', 'market_players.lat', 'market_players.lng', 'market_players.position_approximate', 'market_players.campaign_status', 'users.id as officer', 'users.org_unit_id as org'])
    .orderBy('market_players.id')
    .execute()
  const now = Date.now()
  const BATCH = 20_000
  let rows: unknown[][] = []
  let latest: { id: number; visitedAt: string; outcome: string | null; followUp: string | null; status: string }[] = []
  let made = 0
  let nextLog = 500_000

  const flush = async () => {
    const batch = rows
    const updates = latest
    rows = []
    latest = []
    await db.transaction().execute(async (trx) => {
      await insertRows(db, trx, 'visits', COLUMNS, batch)
      for (const u of updates) {
        await trx
          .updateTable('market_players')
          .set({ last_visited_at: u.visitedAt, last_outcome: u.outcome, next_follow_up_on: u.followUp, campaign_status: u.status })
          .where('id', '=', u.id)
          .execute()
      }
    })
  }

  for (const p of players) {
    if (!rng.chance(plan.visitedShare)) continue
    // At least one visit; more with a geometric tail around the mean.
    let count = 1
    const more = 1 - 1 / plan.visitsPerVisitedPlayer
    while (rng.chance(more) && count < 60) count++
    const times = Array.from({ length: count }, () => now - rng.next() * plan.days * 86_400_000).sort((a, b) => a - b)
    const finalNeed = rng.chance(1 / 3)
    let last: { visitedAt: string; outcome: VisitOutcome | null; followUp: string | null; hasNeed: boolean } | null = null
    // Working hours in China: 09:00–17:59; put in order again after, since two visits on
    // one day get their hours at random, so that the last visit is the latest.
    const moments = times
      .map((time) => {
        const day = todayInChina(new Date(time))
        const at = Date.parse(`${day}T09:00:00+08:00`) + rng.int(0, 9 * 60 - 1) * 60_000 + rng.int(0, 59) * 1000
        return at > now ? now - rng.int(60, 3600) * 1000 : at
      })
      .sort((a, b) => a - b)
    moments.forEach((moment, i) => {
      const visitedAt = new Date(moment)
      const isLast = i === moments.length - 1
      const hasNeed = isLast ? finalNeed : rng.chance(0.2)
      const channel: VisitChannel = rng.chance(0.82) ? 'on_site' : rng.chance(0.8) ? 'phone' : 'video'
      let checkIn: { lat: number; lng: number } | null = null
      let farReason: string | null = null
      if (channel === 'on_site' && p.lat !== null && p.lng !== null && !rng.chance(0.02)) {
        const far = rng.chance(0.03)
        const metres = far ? rng.int(800, 5000) : Math.abs(rng.next() + rng.next() + rng.next() - 1.5) * 80
        const bearing = rng.next() * 2 * Math.PI
        checkIn = {
          lat: p.lat + (metres * Math.cos(bearing)) / 111_320,
          lng: p.lng + (metres * Math.sin(bearing)) / (111_320 * Math.cos((p.lat * Math.PI) / 180)),
        }
        if (far) farReason = rng.pick(FAR_REASONS)
      }
      const assessed = assessCheckIn({ channel, checkIn, player: { lat: p.lat, lng: p.lng, approximate: p.position_approximate === 1 }, radiusMetres: DEFAULT_CHECK_IN_RADIUS_M })
      const outcome: VisitOutcome | null = hasNeed
        ? rng.chance(0.4) ? 'refer' : 'follow_up'
        : (rng.pick(['no_need', 'no_need', 'follow_up', 'follow_up', 'declined', 'not_met', null] as const) as VisitOutcome | null)
      const followUp = outcome === 'follow_up' ? addDays(todayInChina(visitedAt), rng.int(7, 30)) : null
      const recordedAt = new Date(Math.min(now, visitedAt.getTime() + rng.int(1, 20) * 60_000)).toISOString()
      rows.push([
        uuid(rng), p.id, p.officer, p.org, visitedAt.toISOString(), recordedAt, recordedAt, channel,
        rng.chance(0.7) ? (rng.chance(0.5) ? '老板本人' : '店员') : null,
        rng.chance(0.6) ? rng.pick(NOTES) : null,
        hasNeed ? 1 : 0,
        hasNeed ? rng.int(5, 300) * 10_000 : null,
        hasNeed ? rng.pick(NEED_PURPOSES) : null,
        hasNeed ? rng.pick([6, 12, 12, 24, 36]) : null,
        hasNeed ? (rng.chance(0.3) ? 1 : 0) : null,
        hasNeed ? rng.pick(NEED_PRODUCTS) : null,
        rng.chance(0.3) ? JSON.stringify([rng.pick(OBSTACLES)]) : null,
        outcome,
        followUp,
        checkIn?.lat ?? null, checkIn?.lng ?? null, checkIn ? rng.int(5, 60) : null, checkIn ? (rng.chance(0.9) ? 'live' : 'cached') : null,
        assessed.distance, assessed.flag, assessed.flag === 'far' ? farReason : null, 0, null,
      ])
      last = { visitedAt: visitedAt.toISOString(), outcome, followUp, hasNeed }
    })
    const final = last!
    latest.push({
      id: p.id,
      visitedAt: final.visitedAt,
      outcome: final.outcome,
      followUp: final.followUp,
      status: campaignStatusAfterVisit(p.campaign_status as 'not_visited', { hasNeed: final.hasNeed, outcome: final.outcome }),
    })
    made += count
    if (rows.length >= BATCH) await flush()
    if (made >= nextLog) {
      log(`visits: ${made.toLocaleString('en')}`)
      nextLog += 500_000
    }
  }
  if (rows.length) await flush()
  log(`visits: ${made.toLocaleString('en')}`)
  return made
}
