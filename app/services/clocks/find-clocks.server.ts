// The clocks running out, in scope: the officer's own (due soon or overdue) and the
// manager's escalation list (overdue under their unit). Sorted by `next_due_at`, indexed.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { DUE_SOON_MS } from '../../domain/clocks'
import type { Scope } from '../../domain/scope'
import { scoped } from '../scope.server'

export interface OpenClock {
  playerId: number
  name: string
  channel: string
  startedAt: string
  acceptDueAt: string | null
  contactDueAt: string | null
  decideDueAt: string | null
  acceptedAt: string | null
  contactedAt: string | null
  decidedAt: string | null
  nextDueAt: string
  officerName: string | null
  orgUnitName: string
}

/** Open clocks due before `now` (overdue), or before `now` + a day (`dueSoon`), earliest first. */
export async function listOpenClocks(db: Kysely<Database>, scope: Scope, options: { now?: Date; within: 'overdue' | 'dueSoon'; limit?: number }): Promise<OpenClock[]> {
  const now = options.now ?? new Date()
  const until = options.within === 'overdue' ? now : new Date(now.getTime() + DUE_SOON_MS)
  const rows = await db
    .selectFrom('player_clocks')
    .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
    .innerJoin('org_units', 'org_units.id', 'market_players.org_unit_id')
    .leftJoin('users', 'users.id', 'market_players.assigned_officer_id')
    .select([
      'player_clocks.player_id as playerId',
      'market_players.name',
      'player_clocks.channel',
      'player_clocks.started_at as startedAt',
      'player_clocks.accept_due_at as acceptDueAt',
      'player_clocks.contact_due_at as contactDueAt',
      'player_clocks.decide_due_at as decideDueAt',
      'player_clocks.accepted_at as acceptedAt',
      'player_clocks.contacted_at as contactedAt',
      'player_clocks.decided_at as decidedAt',
      'player_clocks.next_due_at as nextDueAt',
      'users.name as officerName',
      'org_units.name as orgUnitName',
    ])
    .where('player_clocks.next_due_at', 'is not', null)
    .where('player_clocks.next_due_at', '<', until.toISOString())
    .where(scoped(scope))
    .orderBy('player_clocks.next_due_at')
    .orderBy('player_clocks.player_id')
    .limit(options.limit ?? 200)
    .execute()
  return rows as OpenClock[]
}

/** How many of the scope's clocks are overdue: the number on the officer's list. */
export async function countOverdueClocks(db: Kysely<Database>, scope: Scope, now: Date = new Date()): Promise<number> {
  const row = await db
    .selectFrom('player_clocks')
    .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('player_clocks.next_due_at', '<', now.toISOString())
    .where(scoped(scope))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
