// The ranking per outlet or officer (PRODUCT.md "Channels and clocks": a clock that runs out
// is counted): of the clocked players that came in over a period of China days, how many were
// contacted and decided within their deadlines, how many are overdue and still open, and the
// refusals with their reasons. One grouped query over player_clocks, scoped as the dashboard.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { chinaDaysBounds } from '../../domain/china-time'
import type { Scope } from '../../domain/scope'
import { scoped } from '../scope.server'

export interface RankingRow {
  id: number | null
  name: string | null
  clocks: number
  contactDue: number
  contactedOnTime: number
  decideDue: number
  decidedOnTime: number
  overdue: number
  refusals: number
  refusalsWithReason: number
}

export async function rankClocks(db: Kysely<Database>, scope: Scope, input: { from: string; to: string; by: 'outlet' | 'officer'; now?: Date }): Promise<RankingRow[]> {
  const now = (input.now ?? new Date()).toISOString()
  const { from, until } = chinaDaysBounds(input.from, input.to)
  const key = input.by === 'outlet' ? 'market_players.org_unit_id' : 'market_players.assigned_officer_id'
  const count = (condition: ReturnType<typeof sql>) => sql<number>`sum(case when ${condition} then 1 else 0 end)`
  const rows = await db
    .selectFrom('player_clocks')
    .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
    .select(sql.ref<number | null>(key).as('id'))
    .select((eb) => eb.fn.countAll<number>().as('clocks'))
    .select(count(sql`player_clocks.contact_due_at <= ${now} or player_clocks.contacted_at is not null and player_clocks.contact_due_at is not null`).as('contactDue'))
    .select(count(sql`player_clocks.contacted_at <= player_clocks.contact_due_at`).as('contactedOnTime'))
    .select(count(sql`player_clocks.decide_due_at <= ${now} or player_clocks.decided_at is not null and player_clocks.decide_due_at is not null`).as('decideDue'))
    .select(count(sql`player_clocks.decided_at <= player_clocks.decide_due_at`).as('decidedOnTime'))
    .select(count(sql`player_clocks.next_due_at < ${now}`).as('overdue'))
    .select(count(sql`player_clocks.decision = 'refused'`).as('refusals'))
    .select(count(sql`player_clocks.decision = 'refused' and player_clocks.refusal_reason is not null`).as('refusalsWithReason'))
    .where('player_clocks.started_at', '>=', from)
    .where('player_clocks.started_at', '<', until)
    .where(scoped(scope))
    .groupBy(sql.ref(key))
    .execute()
  const ids = rows.map((r) => r.id).filter((id): id is number => id !== null)
  const names = new Map<number, string>()
  if (ids.length > 0) {
    const named = input.by === 'outlet' ? await db.selectFrom('org_units').select(['id', 'name']).where('id', 'in', ids).execute() : await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute()
    for (const n of named) names.set(n.id, n.name)
  }
  return rows
    .map((r) => ({
      id: r.id === null ? null : Number(r.id),
      name: r.id === null ? null : (names.get(Number(r.id)) ?? null),
      clocks: Number(r.clocks),
      contactDue: Number(r.contactDue),
      contactedOnTime: Number(r.contactedOnTime),
      decideDue: Number(r.decideDue),
      decidedOnTime: Number(r.decidedOnTime),
      overdue: Number(r.overdue),
      refusals: Number(r.refusals),
      refusalsWithReason: Number(r.refusalsWithReason),
    }))
    .sort((a, b) => rate(b.contactedOnTime + b.decidedOnTime, b.contactDue + b.decideDue) - rate(a.contactedOnTime + a.decidedOnTime, a.contactDue + a.decideDue) || b.clocks - a.clocks)
}

function rate(n: number, d: number): number {
  return d === 0 ? 1 : n / d
}
