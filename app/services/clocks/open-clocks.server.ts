// Starting a player's channel clocks. Every path that puts a player of a clocked channel in
// the registry calls `openClocksFor` in its own transaction (the list import does; the loan QR
// lead creation is to); `openMissingClocks`, run by the background loop, catches any player
// another path left without them.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import { CHANNELS, type Channel } from '../../domain/channels'
import { clocksFor, isClockedChannel, nextDueOf, type ClockContext } from '../../domain/clocks'
import { logger } from '../../server/logger.server'
import { startBackgroundLoop, type BackgroundLoop } from '../background-loop.server'
import { loadClockContext } from './clock-context.server'
import { escalateInBackground } from './escalate-clocks.server'

type Db = Kysely<Database> | Transaction<Database>

/**
 * Opens the clocks of the given players that came through a clocked channel and have none yet
 * (a player's clocks are opened once; calling again changes nothing). Answers how many opened.
 */
export async function openClocksFor(db: Db, playerIds: readonly number[], context?: ClockContext): Promise<number> {
  if (playerIds.length === 0) return 0
  const ctx = context ?? (await loadClockContext(db))
  const clocked = CHANNELS.filter((c) => isClockedChannel(c, ctx.settings))
  if (clocked.length === 0) return 0
  let opened = 0
  for (let i = 0; i < playerIds.length; i += 500) {
    const players = await db
      .selectFrom('market_players')
      .leftJoin('player_clocks', 'player_clocks.player_id', 'market_players.id')
      .select(['market_players.id', 'market_players.channel', 'market_players.channel_at', 'market_players.created_at'])
      .where('market_players.id', 'in', playerIds.slice(i, i + 500))
      .where('market_players.channel', 'in', clocked)
      .where('player_clocks.player_id', 'is', null)
      .execute()
    if (players.length === 0) continue
    opened += await insertClocks(db, players.map((p) => ({ id: p.id, channel: p.channel as Channel, startedAt: p.channel_at ?? p.created_at })), ctx)
  }
  return opened
}

/**
 * Opens the clocks of a player just inserted in this transaction, whose channel and start are
 * known: nothing read back (a loan QR lead, issue 25: a try's statements are the thread's time).
 */
export async function openClocksOfNewPlayer(db: Db, player: { id: number; channel: Channel; startedAt: string }): Promise<number> {
  const ctx = await loadClockContext(db)
  if (!isClockedChannel(player.channel, ctx.settings)) return 0
  return insertClocks(db, [player], ctx)
}

async function insertClocks(db: Db, players: { id: number; channel: Channel; startedAt: string }[], ctx: ClockContext): Promise<number> {
  const rows = players.map((p) => {
    const dues = clocksFor(p.channel, new Date(p.startedAt), ctx)
    return {
      player_id: p.id,
      channel: p.channel,
      started_at: p.startedAt,
      accept_due_at: dues.acceptDueAt,
      contact_due_at: dues.contactDueAt,
      decide_due_at: dues.decideDueAt,
      next_due_at: nextDueOf({ ...dues, acceptedAt: null, contactedAt: null, decidedAt: null }),
    }
  })
  await db.insertInto('player_clocks').values(rows).onConflict((oc) => oc.column('player_id').doNothing()).execute()
  return rows.length
}

/** The background catch-all: players of a clocked channel still without clocks, a batch at a time. */
export async function openMissingClocks(db: Kysely<Database>, batch = 2_000): Promise<number> {
  const ctx = await loadClockContext(db)
  const clocked = CHANNELS.filter((c) => isClockedChannel(c, ctx.settings))
  if (clocked.length === 0) return 0
  const missing = await db
    .selectFrom('market_players')
    .select('market_players.id')
    .where('market_players.channel', 'in', clocked)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('player_clocks').select('player_clocks.player_id').whereRef('player_clocks.player_id', '=', 'market_players.id'))))
    .limit(batch)
    .execute()
  if (missing.length === 0) return 0
  const opened = await db.transaction().execute((trx) => openClocksFor(trx, missing.map((m) => m.id), ctx))
  if (opened > 0) logger.info('clocks opened by the reconciliation', { opened })
  return opened
}

/** Every app server (and `npm run worker`) runs the catch-all each minute, then escalates the clocks run out since. */
export function startClockReconciler(db: Kysely<Database>, options: { intervalMs?: number } = {}): BackgroundLoop {
  return startBackgroundLoop('clocks reconciliation', options.intervalMs ?? 60_000, async (stopping) => {
    while (!stopping() && (await openMissingClocks(db)) > 0) {
      // Another batch: a large import from a path that did not open its clocks.
    }
    if (!stopping()) await escalateInBackground(db)
  })
}
