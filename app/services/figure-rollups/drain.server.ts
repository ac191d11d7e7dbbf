// Keeps the pre-counted figures: the triggers queue the players a write touches, and this
// drain (every app server and `npm run worker`, in the background thread) recounts them and
// moves their sums from what they counted for to what they count for now. A rebuild queues
// every player and drains from nothing (the seed runs it).
import { sql, type Kysely } from 'kysely'
import { sqliteHandleOf, transactionDue } from '../../../db/connection.server'
import { upsertAdding } from '../../../db/dialect.server'
import { claimQueuedPlayers } from '../../../db/queue-claims.server'
import type { Database } from '../../../db/schema'
import { contributions, emptyTotals, TOTALS, type Contribution, type Totals } from '../../domain/figure-facts'
import { logger } from '../../server/logger.server'
import type { Db } from '../audit.server'
import { startBackgroundLoop, type BackgroundLoop } from '../background-loop.server'
import { BANK, bankInTownship, column, countedBefore, countNow, DAYS_OF, GROUP_COLUMNS, n, unitTotal, type Counted, type Group, type LeadKind } from './counted-players.server'

const BATCH = 2_000
/**
 * SQLite: players recounted between two looks at the clock and the lock's queue, and how long
 * one transaction goes on (decision 0791). The drain holds the one write lock: a transaction
 * of 2,000 players (0741) kept a visit or a loan QR batch waiting for all of it, seconds on a
 * busy machine. Now a waiting request waits for one slice and the commit.
 */
export const DRAIN_SLICE = 100
export const DRAIN_TRANSACTION_MS = 15

/** Sums keyed by period and group, and lead counts keyed by period, group, kind and tenth. */
class Deltas {
  readonly totals = new Map<string, { period: string; group: Group; totals: Totals }>()
  readonly leads = new Map<string, { period: string; group: Group; kind: LeadKind; tenths: number; loans: number }>()

  add(counted: Counted, sign: 1 | -1) {
    for (const [period, c] of contributions(counted, counted.months)) {
      this.addContribution(period, counted, c, sign)
      this.addContribution(period, unitTotal(counted.orgUnitId), c, sign)
      this.addContribution(period, BANK, c, sign)
      this.addContribution(period, bankInTownship(counted.township), c, sign)
    }
  }

  private addContribution(period: string, group: Group, c: Contribution, sign: 1 | -1) {
    const key = `${period}|${group.orgUnitId}|${group.officerId}|${group.township}`
    let entry = this.totals.get(key)
    if (!entry) this.totals.set(key, (entry = { period, group: { orgUnitId: group.orgUnitId, officerId: group.officerId, township: group.township }, totals: emptyTotals() }))
    for (const name of TOTALS) entry.totals[name] += sign * c.totals[name]
    for (const [kind, list] of [
      ['visit', c.visitLeads],
      ['referral', c.referralLeads],
    ] as const) {
      for (const tenths of list) {
        // Each lead time counts under its tenth of a day, and under its whole day.
        for (const [k, at] of [
          [kind, tenths],
          [DAYS_OF[kind], Math.floor(tenths / 10)],
        ] as const) {
          const leadKey = `${key}|${k}|${at}`
          const lead = this.leads.get(leadKey)
          if (lead) lead.loans += sign
          else this.leads.set(leadKey, { period, group: entry.group, kind: k, tenths: at, loans: sign })
        }
      }
    }
  }
}

/** Adds the deltas to the sums, in key order, so two drains lock rows in the same order. */
async function applyDeltas(db: Kysely<Database>, trx: Db, deltas: Deltas) {
  const inOrder = <T>(map: Map<string, T>) => [...map].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v)
  const rows = inOrder(deltas.totals).filter((d) => TOTALS.some((name) => d.totals[name] !== 0))
  await upsertAdding(
    db,
    trx,
    'figure_rollup',
    GROUP_COLUMNS,
    TOTALS.map(column),
    rows.map((d) => [d.period, d.group.orgUnitId, d.group.officerId, d.group.township, ...TOTALS.map((name) => d.totals[name])]),
  )
  const leads = inOrder(deltas.leads).filter((l) => l.loans !== 0)
  await upsertAdding(
    db,
    trx,
    'figure_leads',
    [...GROUP_COLUMNS, 'kind', 'tenths'],
    ['loans'],
    leads.map((l) => [l.period, l.group.orgUnitId, l.group.officerId, l.group.township, l.kind, l.tenths, l.loans]),
  )
}

export interface DrainOptions {
  stopping?: () => boolean
  batch?: number
  batchesPerTransaction?: number
  /** After each transaction, with the players recounted so far. */
  onBatch?: (recounted: number) => void
  /** SQLite, a drain of one batch a transaction: its transactions' length (DRAIN_TRANSACTION_MS). */
  transactionMs?: number
  /** After each slice, inside the transaction (tests). */
  onSlice?: () => Promise<void>
}

/**
 * Recounts the queued players, a batch at a time: takes them off the queue first (a write to
 * one of them after that queues it again), moves their sums from what they counted for to
 * what they count for now, and records what they count for. `batchesPerTransaction` batches
 * share one transaction and one write of the sums (a rebuild: fewer, larger writes). On
 * SQLite a batch of the refresher's goes a slice of DRAIN_SLICE players at a time, and the
 * transaction commits after the slice when a request waits for the lock or its
 * DRAIN_TRANSACTION_MS are up (transactionDue, the import writer's rule). Returns how many
 * were recounted.
 */
export async function drainFigureQueue(db: Kysely<Database>, options: DrainOptions = {}): Promise<number> {
  const batch = options.batch ?? BATCH
  // A rebuild (many batches a transaction) runs alone, at the seed or from the command line.
  const sliced = sqliteHandleOf(db) !== undefined && options.batchesPerTransaction === undefined
  let recounted = 0
  for (;;) {
    if (options.stopping?.()) return recounted
    const claimed = await db.transaction().execute(async (trx) => {
      const since = performance.now()
      const deltas = new Deltas()
      let claimed: number | null = null
      if (sliced) {
        while (claimed === null || claimed < batch) {
          const step = await recountBatch(trx, deltas, Math.min(DRAIN_SLICE, batch - (claimed ?? 0)))
          if (step === null) break
          claimed = (claimed ?? 0) + step
          await options.onSlice?.()
          if (transactionDue(since, options.transactionMs ?? DRAIN_TRANSACTION_MS)) break
        }
      } else {
        for (let b = 0; b < (options.batchesPerTransaction ?? 1); b++) {
          const step = await recountBatch(trx, deltas, batch)
          if (step === null) break
          claimed = (claimed ?? 0) + step
        }
      }
      await applyDeltas(db, trx, deltas)
      return claimed
    })
    if (claimed === null) return recounted
    recounted += claimed
    options.onBatch?.(recounted)
  }
}

/** Claims a batch from the queue (claimQueuedPlayers), adds its moves to `deltas`, records what each counts for now. */
async function recountBatch(trx: Db, deltas: Deltas, batch: number): Promise<number | null> {
  const ids = await claimQueuedPlayers(trx, 'figures_queue', batch)
  if (ids === null) return null
  const [before, now] = await Promise.all([countedBefore(trx, ids), countNow(trx, ids)])
  for (const counted of before.values()) deltas.add(counted, -1)
  for (const counted of now.values()) deltas.add(counted, 1)
  await trx.deleteFrom('figure_players').where('player_id', 'in', ids).execute()
  const rows = [...now].map(([id, c]) => ({
    player_id: id,
    org_unit_id: c.orgUnitId,
    officer_id: c.officerId,
    township_code: c.township,
    assigned: c.assigned ? 1 : 0,
    candidate: c.candidate ? 1 : 0,
    qualifies: c.qualifies ? 1 : 0,
    months: JSON.stringify(c.months),
  }))
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('figure_players').values(rows.slice(i, i + 500)).execute()
  return ids.length
}

/** Counts everything again from nothing: every player queued, the sums emptied, drained. */
export async function rebuildFigureRollups(db: Kysely<Database>, log: (message: string) => void = () => {}): Promise<number> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('figure_rollup').execute()
    await trx.deleteFrom('figure_leads').execute()
    await trx.deleteFrom('figure_players').execute()
    await sql`insert into figures_queue(player_id) select id from market_players where id not in (select player_id from figures_queue)`.execute(trx)
  })
  const started = performance.now()
  const total = n((await db.selectFrom('figures_queue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  let logged = 0
  const done = await drainFigureQueue(db, {
    // 100,000 players a transaction: their sums written once, not once per 2,000.
    batchesPerTransaction: 50,
    onBatch: (recounted) => {
      if (recounted - logged < 100_000 && recounted < total) return
      logged = recounted
      log(`figures: ${recounted.toLocaleString('en')} of ${total.toLocaleString('en')} players counted (${((performance.now() - started) / 1000).toFixed(0)} s)`)
    },
  })
  return done
}

/** Keeps the sums fresh in the background of an app server (or `npm run worker`). */
export function startFigureRefresher(db: Kysely<Database>, options: { intervalMs?: number } = {}): BackgroundLoop {
  return startBackgroundLoop('figures refresh', options.intervalMs ?? 1_000, async (stopping) => {
    const started = performance.now()
    const recounted = await drainFigureQueue(db, { stopping })
    if (recounted > 0) logger.info('figures recounted', { players: recounted, ms: Math.round(performance.now() - started) })
  })
}
