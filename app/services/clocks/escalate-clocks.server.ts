// A clock that runs out escalates to the officer's manager, once (PRODUCT.md "Channels and
// clocks"). Done by the background loop of every app server and `npm run worker`
// (startClockReconciler), not when a page is read: the manager is told even when nobody opens
// a page, and a page's GET never writes. Several servers may run the same pass at once: the
// row per clock (`clock_escalations`, primary key player and clock) is inserted with
// `on conflict do nothing … returning`, so only the server whose row went in audits it and
// counts it; the other's insert waits for the first to commit (PostgreSQL) or for the write
// lock (SQLite), then does nothing.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { nearestManager, runOutClocks, type Clock } from '../../domain/clocks'
import { logger } from '../../server/logger.server'
import { recordAudit, SYSTEM_ACTOR } from '../audit.server'

/** A clock of the row that ran out unmet and has no escalation yet, in SQL (the escalations' primary key finds it). */
const notEscalated = (now: string) => {
  const one = (clock: Clock, due: string, met: string) =>
    sql`(${sql.ref(due)} < ${now} and ${sql.ref(met)} is null and not exists (select 1 from clock_escalations e where e.player_id = player_clocks.player_id and e.clock = ${clock}))`
  return sql<boolean>`(${one('accept', 'player_clocks.accept_due_at', 'player_clocks.accepted_at')} or ${one('contact', 'player_clocks.contact_due_at', 'player_clocks.contacted_at')} or ${one(
    'decide',
    'player_clocks.decide_due_at',
    'player_clocks.decided_at'
  )})`
}

/**
 * Escalates every clock run out by `now` and not escalated yet, a batch at a time, each batch
 * in one transaction with its audit entries. Answers how many clocks this call escalated.
 */
export async function escalateRunOutClocks(db: Kysely<Database>, now: Date = new Date(), batch = 500): Promise<number> {
  const at = now.toISOString()
  let escalated = 0
  let after = 0
  // Every active manager with their unit's path: a clock goes to the nearest one above it.
  const managers = await db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['users.id', 'org_units.path as orgPath'])
    .where('users.role', '=', 'manager')
    .where('users.active', '=', 1)
    .execute()
  for (;;) {
    // Found through the next-due index: only clocks with one still open and run out.
    const rows = await db
      .selectFrom('player_clocks')
      .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
      .innerJoin('org_units', 'org_units.id', 'market_players.org_unit_id')
      .select([
        'player_clocks.player_id',
        'player_clocks.accept_due_at',
        'player_clocks.contact_due_at',
        'player_clocks.decide_due_at',
        'player_clocks.accepted_at',
        'player_clocks.contacted_at',
        'player_clocks.decided_at',
        'market_players.org_unit_id',
        'market_players.assigned_officer_id',
        'org_units.path',
      ])
      .where('player_clocks.next_due_at', '<', at)
      .where('player_clocks.player_id', '>', after)
      .where(notEscalated(at))
      .orderBy('player_clocks.player_id')
      .limit(batch)
      .execute()
    if (rows.length === 0) return escalated
    after = rows[rows.length - 1].player_id
    const wanted = rows.flatMap((r) =>
      runOutClocks(
        {
          acceptDueAt: r.accept_due_at,
          contactDueAt: r.contact_due_at,
          decideDueAt: r.decide_due_at,
          acceptedAt: r.accepted_at,
          contactedAt: r.contacted_at,
          decidedAt: r.decided_at,
        },
        now
      ).map((c) => ({
        player_id: r.player_id,
        clock: c.clock,
        due_at: c.dueAt,
        escalated_at: at,
        officer_id: r.assigned_officer_id,
        org_unit_id: r.org_unit_id,
        manager_id: nearestManager(r.path, managers),
      }))
    )
    if (wanted.length === 0) continue
    escalated += await db.transaction().execute(async (trx) => {
      const made = await trx
        .insertInto('clock_escalations')
        .values(wanted)
        .onConflict((oc) => oc.columns(['player_id', 'clock']).doNothing())
        .returning(['player_id', 'clock'])
        .execute()
      const perPlayer = new Map<number, Clock[]>()
      for (const m of made) perPlayer.set(m.player_id, [...(perPlayer.get(m.player_id) ?? []), m.clock])
      for (const [playerId, clocks] of perPlayer) {
        await trx
          .updateTable('player_clocks')
          .set((eb) => ({ escalations: eb('escalations', '+', clocks.length) }))
          .where('player_id', '=', playerId)
          .execute()
        for (const clock of clocks) {
          const row = wanted.find((w) => w.player_id === playerId && w.clock === clock)!
          await recordAudit(trx, SYSTEM_ACTOR, {
            action: 'clock.escalated',
            entityType: 'market_player',
            entityId: playerId,
            detail: {
              clock,
              dueAt: row.due_at,
              officerId: row.officer_id,
              managerId: row.manager_id,
            },
          })
        }
      }
      return made.length
    })
  }
}

/** One pass of the loop: a failure is logged, the next pass tries again. */
export async function escalateInBackground(db: Kysely<Database>): Promise<void> {
  const n = await escalateRunOutClocks(db)
  if (n > 0) logger.info('clocks escalated', { escalated: n })
}
