// A clock that runs out escalates to the officer's manager, once (PRODUCT.md "Channels and
// clocks"). Done by the background loop of every app server and `npm run worker`
// (startClockReconciler), not when a page is read: the manager is told even when nobody opens
// a page, and a page's GET never writes. Several servers may run the same pass at once: the
// row per clock (`clock_escalations`, primary key player and clock) is inserted with
// `on conflict do nothing … returning`, so only the server whose row went in audits it and
// counts it; the other's insert waits for the first to commit (PostgreSQL) or for the write
// lock (SQLite), then does nothing. The referral acceptance clock (on `referrals`) escalates in
// the same pass, into the same table (keyed by its referral too), audited and counted alike.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { nearestManager, referralAcceptanceRanOut, runOutClocks, type Clock } from '../../domain/clocks'
import { logger } from '../../server/logger.server'
import { recordAudit, SYSTEM_ACTOR } from '../audit.server'

/** A clock of the row that ran out unmet and has no escalation yet, in SQL (the escalations' primary key finds it). */
const notEscalated = (now: string) => {
  const one = (clock: Clock, due: string, met: string) =>
    sql`(${sql.ref(due)} < ${now} and ${sql.ref(met)} is null and not exists (select 1 from clock_escalations e where e.player_id = player_clocks.player_id and e.clock = ${clock} and e.referral_id = 0))`
  return sql<boolean>`(${one('accept', 'player_clocks.accept_due_at', 'player_clocks.accepted_at')} or ${one('contact', 'player_clocks.contact_due_at', 'player_clocks.contacted_at')} or ${one(
    'decide',
    'player_clocks.decide_due_at',
    'player_clocks.decided_at'
  )})`
}

type Managers = { id: number; orgPath: string }[]

/**
 * Escalates every clock run out by `now` and not escalated yet (the players' channel clocks,
 * then the referrals' acceptance clocks), a batch at a time, each batch in one transaction
 * with its audit entries. Answers how many clocks this call escalated.
 */
export async function escalateRunOutClocks(db: Kysely<Database>, now: Date = new Date(), batch = 500): Promise<number> {
  // Every active manager with their unit's path: a clock goes to the nearest one above it.
  const managers = await db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['users.id', 'org_units.path as orgPath'])
    .where('users.role', '=', 'manager')
    .where('users.active', '=', 1)
    .execute()
  return (await escalatePlayerClocks(db, managers, now, batch)) + (await escalateReferralAcceptances(db, managers, now, batch))
}

async function escalatePlayerClocks(db: Kysely<Database>, managers: Managers, now: Date, batch: number): Promise<number> {
  const at = now.toISOString()
  let escalated = 0
  let after = 0
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
        .onConflict((oc) => oc.columns(['player_id', 'clock', 'referral_id']).doNothing())
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

/**
 * The referrals' acceptance clocks: found through the index of open acceptances not escalated
 * yet (migration 0026), which an escalated, accepted or closed referral leaves. Escalated to the
 * nearest manager above the referral's org unit; `referrals.escalations` is raised with the
 * row so the ranking's marks see it.
 */
async function escalateReferralAcceptances(db: Kysely<Database>, managers: Managers, now: Date, batch: number): Promise<number> {
  const at = now.toISOString()
  let escalated = 0
  let after = 0
  for (;;) {
    const rows = await db
      .selectFrom('referrals')
      .innerJoin('org_units', 'org_units.id', 'referrals.org_unit_id')
      .select(['referrals.id', 'referrals.player_id', 'referrals.stage', 'referrals.accept_due_at', 'referrals.accepted_at', 'referrals.officer_id', 'referrals.org_unit_id', 'org_units.path'])
      // The partial index's own condition, written as it is, so both planners use it.
      .where('referrals.accept_due_at', '<', at)
      .where('referrals.accepted_at', 'is', null)
      .where('referrals.stage', '=', sql.lit('referred'))
      .where('referrals.escalations', '=', 0)
      .where('referrals.id', '>', after)
      .orderBy('referrals.id')
      .limit(batch)
      .execute()
    if (rows.length === 0) return escalated
    after = rows[rows.length - 1].id
    const wanted = rows
      .filter((r) => referralAcceptanceRanOut({ stage: r.stage, acceptDueAt: r.accept_due_at, acceptedAt: r.accepted_at }, now))
      .map((r) => ({
        player_id: r.player_id,
        clock: 'accept' as const,
        referral_id: r.id,
        due_at: r.accept_due_at,
        escalated_at: at,
        officer_id: r.officer_id,
        org_unit_id: r.org_unit_id,
        manager_id: nearestManager(r.path, managers),
      }))
    if (wanted.length === 0) continue
    escalated += await db.transaction().execute(async (trx) => {
      const made = await trx
        .insertInto('clock_escalations')
        .values(wanted)
        .onConflict((oc) => oc.columns(['player_id', 'clock', 'referral_id']).doNothing())
        .returning(['referral_id'])
        .execute()
      for (const m of made) {
        const row = wanted.find((w) => w.referral_id === m.referral_id)!
        await trx.updateTable('referrals').set({ escalations: 1 }).where('id', '=', row.referral_id).execute()
        await recordAudit(trx, SYSTEM_ACTOR, {
          action: 'clock.escalated',
          entityType: 'referral',
          entityId: row.referral_id,
          detail: { clock: 'referral_accept', playerId: row.player_id, dueAt: row.due_at, officerId: row.officer_id, managerId: row.manager_id },
        })
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
