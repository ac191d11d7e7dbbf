// Pre-counted map cells (migration 0004): players per grid cell for every zoom level up to
// PRECOUNTED_MAX_ZOOM, by org unit, kind and the two statuses, so that a view of a province
// reads a few thousand cells instead of grouping a million players. A trigger marks the
// table stale whenever a player changes cell; the refresher rebuilds it shortly after, and
// meanwhile the last build is read for up to a minute (the answer says when it was
// counted), after which the map counts live.
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { databaseUrlOf, lockWaitersBuffer } from '../../db/connection.server'
import { inSlicedTransactions } from '../../db/sliced-transactions.server'
import { dialectOf, floorToInt, insertRows } from '../../db/dialect.server'
import type { BBox } from '../domain/geometry'
import { gridCellSize, PRECOUNTED_MAX_ZOOM, worldCellRange } from '../domain/map-clusters'
import type { Scope } from '../domain/scope'
import { logger } from '../server/logger.server'
import type { Db } from './audit.server'
import { startBackgroundLoop, type BackgroundLoop } from './background-loop.server'
import type { PlayerFilter } from './players/list-players.server'
import { inScope } from './scope.server'

const CELL_COLUMNS = ['level', 'x', 'y', 'org_unit_id', 'kind', 'candidate_status', 'campaign_status', 'players', 'sum_lng', 'sum_lat', 'min_id', 'generation'] as const
/** What a cell is counted by, besides its place. */
const COUNTED_BY = ['org_unit_id', 'kind', 'candidate_status', 'campaign_status'] as const


/** The filters a pre-counted cell can answer: the columns it is counted by. */
const CELL_FILTERS = new Set<keyof PlayerFilter>(['kind', 'candidate', 'campaignStatus'])

export interface CountedCell {
  x: number
  y: number
  n: number
  lng: number
  lat: number
  sampleId: number
}

/** PostgreSQL: cells written per transaction. */
const BATCH = 4_096
/**
 * SQLite: cells written or deleted a statement; a transaction goes on slice after slice
 * until a request waits for the write lock or MAP_TRANSACTION_MS are up (transactionDue,
 * the figures' drain's rule, 0791, 0841). The rebuild runs at nice 10: a 4,096-cell
 * transaction held the lock tens of milliseconds, mostly waiting for a core (0791).
 */
export const MAP_SLICE = 256
export const MAP_TRANSACTION_MS = 15

/** How the rebuild's write transactions are cut (tests watch them). */
export interface MapSliceOptions {
  transactionMs?: number
  /** After each slice, inside its transaction. */
  onSlice?: () => Promise<void>
  /** After each write transaction's commit. */
  onTransaction?: () => void
}

/**
 * On SQLite, the rest after each of the rebuild's write transactions. The rebuild's thread
 * would otherwise take the write lock again the moment it let it go; a serving thread's
 * writer that found it taken sleeps in SQLite's busy handler, whose naps grow to 25 ms and
 * more, and kept missing its turn: a visit waited up to a second, and better-sqlite3 waits
 * synchronously, so the whole event loop with it. Resting a nap's length lets the writer in
 * (on the province, a write's wait went from up to 1.2 s to under 30 ms). PostgreSQL's
 * row locks keep no other writer waiting.
 */
const WRITER_GAP_MS = 20

type CellRow = [level: number, x: number, y: number, orgUnitId: number, kind: string, candidate: string, campaign: string, players: number, sumLng: number, sumLat: number, minId: number]

/** A rebuild's cells, whether they are ready (nothing changed meanwhile), and how long it rested for other writers. */
export interface Rebuilt {
  cells: number
  ready: boolean
  restedMs: number
}

/**
 * Rebuilds every level under a new generation (migration 0010). The table is claimed
 * (`building`) with a generation number of its own; the players are counted outside any
 * write transaction (at a province that is the long part); the finest level is made from
 * those counts and each coarser one from the level below it, and written a batch per short
 * transaction (on SQLite slices of MAP_SLICE until transactionDue) beside the generation
 * being read. Then one small update makes the new
 * generation the one read, `ready` only if nothing changed a player since the claim (a
 * change in between marks it stale again, and the next rebuild takes it in), and the old
 * generations are deleted a batch at a time. No transaction holds the write lock for long,
 * and on SQLite each is followed by a gap (WRITER_GAP_MS), so a visit saved meanwhile never
 * waits for the map.
 */
export async function rebuildMapCells(db: Kysely<Database>, options: MapSliceOptions = {}): Promise<Rebuilt> {
  return (await rebuild(db, false, options))!
}

/**
 * The refresher's rebuild: only when the cells are stale, claimed in the same conditional
 * update, so of several app servers (or threads) that saw them stale at once exactly one
 * rebuilds and the others find nothing to do (null).
 */
export async function rebuildStaleMapCells(db: Kysely<Database>, options: MapSliceOptions = {}): Promise<Rebuilt | null> {
  return rebuild(db, true, options)
}

async function rebuild(db: Kysely<Database>, onlyIfStale: boolean, options: MapSliceOptions = {}): Promise<Rebuilt | null> {
  const sliced = dialectOf(db) === 'sqlite'
  let restedMs = 0
  const letOthersWrite = async () => {
    if (!sliced) return
    await sleep(WRITER_GAP_MS)
    restedMs += WRITER_GAP_MS
  }
  /** `step` (true while there is more to do) in write transactions cut by transactionDue on SQLite, each followed by the gap. */
  const inTransactions = (step: (trx: Db) => Promise<boolean>) =>
    inSlicedTransactions(db, step, {
      transactionMs: options.transactionMs ?? MAP_TRANSACTION_MS,
      onSlice: options.onSlice,
      onCommit: async () => {
        options.onTransaction?.()
        await letOthersWrite()
      },
    })
  let claim = db
    .updateTable('map_cells_state')
    .set((eb) => ({ state: 'building', next_generation: eb('next_generation', '+', 1) }))
    .where('id', '=', 1)
  if (onlyIfStale) claim = claim.where('state', '=', 'stale')
  const claimed = await claim.returning('next_generation').executeTakeFirst()
  if (!claimed) return null
  const generation = Number(claimed.next_generation) - 1
  const size = gridCellSize(PRECOUNTED_MAX_ZOOM)
  const x = floorToInt(db, sql<number>`(lng + 180) / ${size}`)
  const y = floorToInt(db, sql<number>`(lat + 90) / ${size}`)
  const finest = await db
    .selectFrom('market_players')
    .select([
      x.as('x'),
      y.as('y'),
      ...COUNTED_BY,
      (eb) => eb.fn.countAll<number>().as('players'),
      (eb) => eb.fn.sum<number>('lng').as('sum_lng'),
      (eb) => eb.fn.sum<number>('lat').as('sum_lat'),
      (eb) => eb.fn.min<number>('id').as('min_id'),
    ])
    .where('lat', 'is not', null)
    .where('lng', 'is not', null)
    .groupBy([sql`1`, sql`2`, ...COUNTED_BY])
    .execute()
  let level: CellRow[] = finest.map((c) => [
    PRECOUNTED_MAX_ZOOM,
    Number(c.x),
    Number(c.y),
    c.org_unit_id,
    c.kind,
    c.candidate_status,
    c.campaign_status,
    Number(c.players),
    Number(c.sum_lng),
    Number(c.sum_lat),
    Number(c.min_id),
  ])
  let cells = 0
  const step = sliced ? MAP_SLICE : BATCH
  for (let zoom = PRECOUNTED_MAX_ZOOM; ; zoom--) {
    let i = 0
    const rows = level
    if (rows.length > 0)
      await inTransactions(async (trx) => {
        await insertRows(db, trx, 'map_cells', CELL_COLUMNS, rows.slice(i, i + step).map((row) => [...row, generation]))
        i += step
        return i < rows.length
      })
    cells += level.length
    if (zoom === 0) break
    level = coarser(level, zoom - 1)
  }
  // One statement, so that it holds on PostgreSQL too: two rebuilds finishing at once both
  // read the state before either wrote it, and the older one overwrote the newer's number
  // after the newer had deleted the older's cells (the map read nothing). A later rebuild
  // that finished first keeps its place: this one's cells are older.
  const made = await db
    .updateTable('map_cells_state')
    .set({ generation, built_at: new Date().toISOString(), cells, state: sql<'stale' | 'building' | 'ready'>`case when state = 'building' then 'ready' else state end` })
    .where('id', '=', 1)
    .where('generation', '<', generation)
    .returning('state')
    .executeTakeFirst()
  const ready = made?.state === 'ready'
  await deleteOldGenerations(db, inTransactions)
  return { cells, ready, restedMs }
}

/** One level up: each cell halves in both directions, its counts summed by what it is counted by. */
function coarser(rows: CellRow[], level: number): CellRow[] {
  const merged = new Map<string, CellRow>()
  for (const [, x, y, orgUnitId, kind, candidate, campaign, players, sumLng, sumLat, minId] of rows) {
    // Indices are never negative, so halving and rounding down is the parent cell.
    const px = Math.floor(x / 2)
    const py = Math.floor(y / 2)
    const key = `${px}|${py}|${orgUnitId}|${kind}|${candidate}|${campaign}`
    const cell = merged.get(key)
    if (!cell) merged.set(key, [level, px, py, orgUnitId, kind, candidate, campaign, players, sumLng, sumLat, minId])
    else {
      cell[7] += players
      cell[8] += sumLng
      cell[9] += sumLat
      cell[10] = Math.min(cell[10], minId)
    }
  }
  return [...merged.values()]
}

/**
 * Deletes the cells of every generation before the one read: those replaced, and those of a
 * rebuild that was interrupted or overtaken. On SQLite MAP_SLICE cells a statement, in
 * transactions cut by transactionDue, so the write lock is never held for long;
 * PostgreSQL's row locks keep no one else waiting.
 */
async function deleteOldGenerations(db: Kysely<Database>, inTransactions: (step: (trx: Db) => Promise<boolean>) => Promise<void>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await db.deleteFrom('map_cells').where('generation', '<', generationRead(db)).execute()
    return
  }
  await inTransactions(async (trx) => {
    const old = trx.selectFrom('map_cells').select(sql<number>`rowid`.as('rowid')).where('generation', '<', generationRead(trx)).limit(MAP_SLICE)
    const { numDeletedRows } = await trx.deleteFrom('map_cells').where(sql.ref('rowid'), 'in', old).executeTakeFirst()
    return Number(numDeletedRows) === MAP_SLICE
  })
}

/** The generation of the cells that is read, as a subquery of the statement it is used in. */
const generationRead = (db: Db) => db.selectFrom('map_cells_state').select('generation').where('id', '=', 1)

export async function mapCellsState(db: Db) {
  return db.selectFrom('map_cells_state').select(['state', 'built_at as builtAt', 'cells']).where('id', '=', 1).executeTakeFirst()
}

/**
 * How old a stale table may be and still be read. Visits change players' campaign status
 * all day, so at a province the table is stale more often than not; the refresher rebuilds
 * it every ten seconds or so, and a view counted a few seconds ago beats a live count of a
 * million players that takes a second and more.
 */
export const MAX_CELL_AGE_MS = 60_000

/**
 * The view's cells from the pre-counted table, with when they were counted; or null when
 * it cannot answer: the zoom is too close, a filter is one cells are not counted by, the
 * user sees only their own players (few, and counted live), or the table was never built
 * or went stale more than `maxAgeMs` after its last build.
 */
export async function precountedCells(
  db: Db,
  scope: Scope,
  filter: PlayerFilter,
  view: { bbox: BBox; zoom: number },
  options: { maxAgeMs?: number; now?: number } = {},
): Promise<{ cells: CountedCell[]; countedAt: string } | null> {
  if (view.zoom > PRECOUNTED_MAX_ZOOM || scope.kind === 'own') return null
  for (const [key, value] of Object.entries(filter)) if (value !== undefined && value !== '' && !CELL_FILTERS.has(key as keyof PlayerFilter)) return null
  const size = gridCellSize(view.zoom)
  const { x0, x1, y0, y1 } = worldCellRange(view.bbox, size)
  // The state says how old the cells are; the cells themselves are read below by the
  // generation the state names at that moment, so they agree with each other whichever
  // build it is. A change committed a moment after the state was read is at most that
  // moment late.
  const state = await db.selectFrom('map_cells_state').select(['state', 'built_at']).where('id', '=', 1).executeTakeFirst()
  if (!state?.built_at) return null
  const age = (options.now ?? Date.now()) - Date.parse(state.built_at)
  if (state.state !== 'ready' && age > (options.maxAgeMs ?? MAX_CELL_AGE_MS)) return null
  let q = db
    .selectFrom('map_cells')
    .select([
      'x',
      'y',
      (eb) => eb.fn.sum<number>('players').as('n'),
      sql<number>`sum(sum_lng) / sum(players)`.as('lng'),
      sql<number>`sum(sum_lat) / sum(players)`.as('lat'),
      (eb) => eb.fn.min<number>('min_id').as('sampleId'),
    ])
    // The generation read is named in this same statement: one generation, whole.
    .where('generation', '=', generationRead(db))
    .where('level', '=', view.zoom)
    .where('x', '>=', x0)
    .where('x', '<=', x1)
    .where('y', '>=', y0)
    .where('y', '<=', y1)
    // Cells have no officer: an `own` scope never reaches here (see above).
    .where(inScope(scope, { orgUnit: 'map_cells.org_unit_id', owner: 'map_cells.org_unit_id' }))
    .groupBy(['x', 'y'])
  if (filter.kind) q = q.where('kind', '=', filter.kind)
  if (filter.candidate) q = q.where('candidate_status', '=', filter.candidate)
  if (filter.campaignStatus) q = q.where('campaign_status', '=', filter.campaignStatus)
  const rows = await q.execute()
  return {
    cells: rows.map((r) => ({ x: r.x, y: r.y, n: Number(r.n), lng: Number(r.lng), lat: Number(r.lat), sampleId: Number(r.sampleId) })),
    countedAt: state.built_at,
  }
}

export type MapCellsRefresher = BackgroundLoop

/** How long the refresher rests after a rebuild, as a share of the rebuild's own time. */
const REST = 1.5

/** Rebuilds stale cells in the background, at most once per interval: in a thread of its
 * own when the database can be opened twice (not an in-memory one). */
export function startMapCellsRefresher(db: Kysely<Database>, options: { intervalMs?: number } = {}): MapCellsRefresher {
  const url = databaseUrlOf(db)
  const rebuildStale = url ? () => rebuildInThread(url) : () => rebuildStaleMapCells(db)
  // A rebuild keeps a core busy while it runs (16 s at a province), and a busy day's visits
  // make the cells stale again at once. After each one the refresher rests half as long
  // again as it took: the map then takes at most 40% of a core, and the cells read are at
  // most a rebuild, a rest and an interval old (about 50 s at a province: under
  // MAX_CELL_AGE_MS, after which the map would count live).
  let restUntil = 0
  return startBackgroundLoop('map cells rebuild', options.intervalMs ?? 10_000, async () => {
    if (Date.now() < restUntil) return
    const state = await mapCellsState(db)
    if (state?.state === 'stale') {
      const started = performance.now()
      const rebuilt = await rebuildStale()
      // Another app server claimed it first.
      if (!rebuilt) return
      const { cells, ready, restedMs } = rebuilt
      const ms = performance.now() - started
      // The rest is in proportion to the time it worked, not counting the gaps it left for other writers.
      restUntil = Date.now() + REST * (ms - restedMs)
      logger.info('map cells rebuilt', { cells, ready, ms: Math.round(ms), restedMs })
    }
  })
}

const WORKER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'map-cells.worker.mjs')

function rebuildInThread(url: string): Promise<Rebuilt | null> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: { url, lockWaiters: lockWaitersBuffer() }, execArgv: [] })
    worker.once('message', (message: { result?: Rebuilt | null; error?: string }) =>
      message.result !== undefined ? resolve(message.result) : reject(new Error(`map cells thread: ${message.error}`)),
    )
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`map cells thread exited (code ${code}) without an answer`)))
  })
}
