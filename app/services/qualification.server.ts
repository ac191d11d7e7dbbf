// Each player's stored flags, which the list and the map filter by: the hand-off flag
// (PRODUCT.md, "Qualifying for hand-off") and, in the full pass, the first-lender candidate
// flag too (written with every change to the player, so the pass only corrects what a
// change of rules in a new release would leave behind). The verdicts are the domain's
// (checkProduct, assessFirstLender); this keeps them fresh: a visit refreshes its player at once, a change to what the
// rules read queues the player (a trigger, see 0007), and a new catalogue version or a new
// day asks for a pass over every player, which the background loop makes with its progress
// in the state row.
import type { Kysely } from 'kysely'
import { sqliteHandleOf } from '../../db/connection.server'
import { claimQueuedPlayers } from '../../db/queue-claims.server'
import { inSlicedTransactions } from '../../db/sliced-transactions.server'
import type { Database } from '../../db/schema'
import { todayInChina } from '../domain/china-time'
import { assessFirstLender } from '../domain/first-lender'
import type { LoanHistory, RegistrationStatus } from '../domain/market-player'
import { caseFactsOf, qualificationOf, type CaseFacts, type ProductRules } from '../domain/products'
import { logger } from '../server/logger.server'
import type { Db } from './audit.server'
import { PassStopped, startBackgroundLoop, type BackgroundLoop } from './background-loop.server'
import { loadCatalogue } from './products/load-catalogue.server'

/** Players read and judged a step of the full pass, outside any transaction (on PostgreSQL, also written a transaction). */
const CHUNK = 5_000
/**
 * On SQLite, players judged (and written) a step of the full pass or of the queue's drain:
 * the transaction commits after a slice once a request waits for the write lock or
 * QUALIFICATION_TRANSACTION_MS are up (transactionDue, as the figures' drain, 0791, 0841).
 */
export const QUALIFICATION_SLICE = 100
export const QUALIFICATION_TRANSACTION_MS = 15

type PlayerFacts = {
  id: number
  loan_history: string
  loan_checked_on: string | null
  candidate_status: string
  candidate_reasons: string
  kind: CaseFacts['kind']
  tax_grade: string | null
  registration_status: string | null
  registered_on: string | null
  qualification: string
  qualified_products: string
  last_visited_at: string | null
}

/**
 * The latest visit of each of the players, by `last_visited_at` (kept by visits): driven
 * from the players, so each costs one probe of the visits index on (player, time). The
 * players are given by id, or, in the full pass, as the range of ids they fill.
 */
async function latestNeeds(db: Db, players: PlayerFacts[], range?: [number, number]): Promise<Map<number, CaseFacts['need']>> {
  const needs = new Map<number, CaseFacts['need']>()
  const visited = players.filter((p) => p.last_visited_at !== null)
  if (visited.length === 0) return needs
  let q = db
    .selectFrom('market_players')
    .innerJoin('visits', (join) => join.onRef('visits.player_id', '=', 'market_players.id').onRef('visits.visited_at', '=', 'market_players.last_visited_at'))
    .select(['visits.player_id', 'visits.has_need', 'visits.need_amount_yuan', 'visits.need_term_months', 'visits.need_collateral'])
  q = range ? q.where('market_players.id', '>=', range[0]).where('market_players.id', '<=', range[1]) : q.where('market_players.id', 'in', visited.map((p) => p.id))
  // Two visits at the same moment: the one recorded last, as findLatestNeed.
  const rows = await q.orderBy('visits.recorded_at').execute()
  for (const r of rows) {
    needs.set(
      r.player_id,
      r.has_need === 1
        ? {
            amountYuan: r.need_amount_yuan === null ? null : Number(r.need_amount_yuan),
            termMonths: r.need_term_months,
            collateral: r.need_collateral === null ? null : r.need_collateral === 1,
          }
        : null,
    )
  }
  return needs
}

/** The players' verdicts that differ from what they hold, grouped by the change (one statement each). */
async function verdicts(db: Db, players: PlayerFacts[], catalogue: readonly ProductRules[], today: string, options: { candidates?: boolean; range?: [number, number] } = {}) {
  const needs = await latestNeeds(db, players, options.range)
  const groups = new Map<string, { changes: Record<string, string>; ids: number[] }>()
  for (const p of players) {
    const { qualification, products } = qualificationOf(catalogue, caseFactsOf(p, needs.get(p.id) ?? null), today)
    const changes: Record<string, string> = {}
    const joined = products.join(',')
    if (qualification !== p.qualification || joined !== p.qualified_products) Object.assign(changes, { qualification, qualified_products: joined })
    if (options.candidates) {
      const candidate = assessFirstLender({ loanHistory: p.loan_history as LoanHistory, loanCheckedOn: p.loan_checked_on, registrationStatus: p.registration_status as RegistrationStatus | null })
      const reasons = JSON.stringify(candidate.reasons)
      if (candidate.status !== p.candidate_status || reasons !== p.candidate_reasons) Object.assign(changes, { candidate_status: candidate.status, candidate_reasons: reasons })
    }
    if (Object.keys(changes).length === 0) continue
    const key = JSON.stringify(changes)
    const group = groups.get(key) ?? groups.set(key, { changes, ids: [] }).get(key)!
    group.ids.push(p.id)
  }
  return groups
}

/** Judges the players and writes the verdicts that changed; returns how many changed. */
async function judge(db: Db, players: PlayerFacts[], catalogue: readonly ProductRules[], today: string, options: { candidates?: boolean; range?: [number, number] } = {}): Promise<number> {
  let changed = 0
  for (const { changes, ids } of (await verdicts(db, players, catalogue, today, options)).values()) {
    for (let i = 0; i < ids.length; i += 500) await db.updateTable('market_players').set(changes).where('id', 'in', ids.slice(i, i + 500)).execute()
    changed += ids.length
  }
  return changed
}

const FACT_COLUMNS = [
  'id', 'kind', 'tax_grade', 'registration_status', 'registered_on', 'loan_history', 'loan_checked_on', 'qualification', 'qualified_products', 'candidate_status', 'candidate_reasons', 'last_visited_at',
] as const

/** Refreshes the named players now (a visit's player, inside its transaction). */
export async function refreshQualification(db: Db, playerIds: number[], options: { catalogue?: readonly ProductRules[]; today?: string; candidates?: boolean } = {}): Promise<number> {
  if (playerIds.length === 0) return 0
  const catalogue = options.catalogue ?? (await loadCatalogue(db))
  const today = options.today ?? todayInChina()
  let changed = 0
  for (let i = 0; i < playerIds.length; i += 500) {
    const players = await db
      .selectFrom('market_players')
      .select(FACT_COLUMNS)
      .where('id', 'in', playerIds.slice(i, i + 500))
      .execute()
    changed += await judge(db, players, catalogue, today, { candidates: options.candidates })
  }
  return changed
}

export async function qualificationState(db: Db) {
  return db.selectFrom('qualification_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow()
}

/** How the background's transactions are cut (tests watch them). */
export interface SliceOptions {
  /** SQLite: a transaction's length before it commits after its slice (QUALIFICATION_TRANSACTION_MS). */
  transactionMs?: number
  /** After each slice, inside its transaction. */
  onSlice?: () => Promise<void>
  /** After each transaction's commit, with the players judged (the queue) or changed (the pass) so far. */
  onTransaction?: (judged: number) => void
}

/** A pass that has not written progress for this long is taken for dead and claimed again. */
const RUN_TIMEOUT_MS = 5 * 60_000

/**
 * A pass over every player, when one is asked for or the day has changed since the last:
 * claimed in the state row so that one server makes it, by id in chunks of 5,000, writing
 * progress as it goes. A chunk is judged outside any transaction, and only the players whose
 * verdicts changed are written: on SQLite in slices of QUALIFICATION_SLICE players, the
 * transaction committing after the slice once a request waits for the write lock or its
 * QUALIFICATION_TRANSACTION_MS are up (0841). Returns null when no pass was due or
 * another server holds it.
 */
export async function runFullQualification(
  db: Kysely<Database>,
  options: { now?: Date; force?: boolean; stopping?: () => boolean } & SliceOptions = {},
): Promise<{ players: number; changed: number } | null> {
  const now = options.now ?? new Date()
  const today = todayInChina(now)
  let claim = db
    .updateTable('qualification_state')
    .set({ stale: 0, running_since: now.toISOString(), done: 0, total: 0 })
    .where('id', '=', 1)
    .where((eb) => eb.or([eb('running_since', 'is', null), eb('running_since', '<', new Date(now.getTime() - RUN_TIMEOUT_MS).toISOString())]))
  if (!options.force) claim = claim.where((eb) => eb.or([eb('stale', '=', 1), eb('computed_on', 'is', null), eb('computed_on', '<', today)]))
  const claimed = await claim.executeTakeFirst()
  if (Number(claimed.numUpdatedRows) !== 1) return null
  try {
    // What was queued so far is judged by this pass; what is queued during it, after.
    await db.deleteFrom('qualification_queue').execute()
    const catalogue = await loadCatalogue(db)
    const { n } = await db
      .selectFrom('market_players')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    await db
      .updateTable('qualification_state')
      .set({ total: Number(n) })
      .where('id', '=', 1)
      .execute()
    // A chunk is read and judged outside any transaction: most days few verdicts change, and
    // only the players whose verdicts do are written, judged again from what they hold in the
    // write transaction (a write since the read queued its player, or refreshed it). On
    // SQLite the write goes a slice at a time, committing when transactionDue says so.
    const sliced = sqliteHandleOf(db) !== undefined
    let after = 0
    let players = 0
    let changed = 0
    for (;;) {
      if (options.stopping?.()) throw new PassStopped()
      const chunk = await db.selectFrom('market_players').select(FACT_COLUMNS).where('id', '>', after).orderBy('id').limit(CHUNK).execute()
      if (chunk.length === 0) break
      const range: [number, number] = [chunk[0].id, chunk[chunk.length - 1].id]
      const changing = [...(await verdicts(db, chunk, catalogue, today, { candidates: true, range })).values()].flatMap((g) => g.ids).sort((a, b) => a - b)
      let i = 0
      if (changing.length > 0)
        await inSlicedTransactions(
          db,
          async (trx) => {
            const ids = changing.slice(i, i + (sliced ? QUALIFICATION_SLICE : CHUNK))
            i += ids.length
            changed += await refreshQualification(trx, ids, { catalogue, today, candidates: true })
            return i < changing.length
          },
          { transactionMs: options.transactionMs ?? QUALIFICATION_TRANSACTION_MS, onSlice: options.onSlice, onCommit: () => options.onTransaction?.(changed) },
        )
      players += chunk.length
      after = chunk[chunk.length - 1].id
      await db.updateTable('qualification_state').set({ done: players, running_since: new Date().toISOString() }).where('id', '=', 1).execute()
    }
    await db
      .updateTable('qualification_state')
      .set({
        running_since: null,
        computed_on: today,
        finished_at: new Date().toISOString(),
      })
      .where('id', '=', 1)
      .execute()
    return { players, changed }
  } catch (error) {
    await db.updateTable('qualification_state').set({ stale: 1, running_since: null }).where('id', '=', 1).execute()
    throw error
  }
}

/**
 * Judges the queued players (their facts changed: an import, an edit), oldest first: 500 a
 * transaction, or on SQLite QUALIFICATION_SLICE a slice until transactionDue (0841).
 */
export async function drainQualificationQueue(db: Kysely<Database>, options: SliceOptions = {}): Promise<number> {
  const sliced = sqliteHandleOf(db) !== undefined
  const size = sliced ? QUALIFICATION_SLICE : 500
  let judged = 0
  await inSlicedTransactions(
    db,
    async (trx) => {
      const ids = await claimQueuedPlayers(trx, 'qualification_queue', size)
      if (ids === null) return false
      await refreshQualification(trx, ids)
      judged += ids.length
      return true
    },
    { transactionMs: options.transactionMs ?? QUALIFICATION_TRANSACTION_MS, onSlice: options.onSlice, onCommit: () => options.onTransaction?.(judged) },
  )
  return judged
}

/** Keeps the flags fresh in the background of an app server (or `npm run worker`). */
export function startQualificationRefresher(db: Kysely<Database>, options: { intervalMs?: number } = {}): BackgroundLoop {
  return startBackgroundLoop('qualification refresh', options.intervalMs ?? 10_000, async (stopping) => {
    const queued = await drainQualificationQueue(db)
    if (queued > 0) logger.info('qualification refreshed', { players: queued })
    const started = performance.now()
    const pass = await runFullQualification(db, { stopping })
    if (pass)
      logger.info('qualification pass', {
        ...pass,
        ms: Math.round(performance.now() - started),
      })
  })
}
