// Pre-counted map cells (migration 0004): players per grid cell for every zoom level up to
// PRECOUNTED_MAX_ZOOM, by org unit, kind and the two statuses, so that a view of a province
// reads a few thousand cells instead of grouping a million players. A trigger marks the
// table stale whenever a player changes cell; the refresher rebuilds it shortly after, and
// meanwhile the last build is read for up to a minute (the answer says when it was
// counted), after which the map counts live.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { databaseUrlOf } from '../../db/connection.server'
import { floorToInt, insertRows } from '../../db/dialect.server'
import type { BBox } from '../domain/geometry'
import { gridCellSize, PRECOUNTED_MAX_ZOOM, worldCellRange } from '../domain/map-clusters'
import type { Scope } from '../domain/scope'
import { logger } from '../logger.server'
import type { Db } from './audit.server'
import { startBackgroundLoop, type BackgroundLoop } from './background-loop.server'
import type { PlayerFilter } from './players.server'
import { inScope } from './scope.server'

const CELL_COLUMNS = ['level', 'x', 'y', 'org_unit_id', 'kind', 'candidate_status', 'campaign_status', 'players', 'sum_lng', 'sum_lat', 'min_id'] as const
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

/**
 * Rebuilds every level. The players are counted first, outside any write transaction (at a
 * province that is the long part, and other writers need not wait for it); then the cells
 * are replaced in one short transaction, the finest level from those counts and each
 * coarser one from the level below it. The table is claimed (`building`) before counting,
 * and is made `ready` only if nothing changed a player since: a change in between marks it
 * stale again, and the next rebuild takes it in.
 */
export async function rebuildMapCells(db: Kysely<Database>): Promise<{ cells: number; ready: boolean }> {
  await db.updateTable('map_cells_state').set({ state: 'building' }).where('id', '=', 1).execute()
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
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('map_cells').execute()
    const rows = finest.map((c) => [PRECOUNTED_MAX_ZOOM, c.x, c.y, c.org_unit_id, c.kind, c.candidate_status, c.campaign_status, Number(c.players), Number(c.sum_lng), Number(c.sum_lat), c.min_id])
    await insertRows(db, trx, 'map_cells', CELL_COLUMNS, rows)
    for (let level = PRECOUNTED_MAX_ZOOM - 1; level >= 0; level--) {
      // Indices are never negative, so integer division rounds down on both dialects.
      await trx
        .insertInto('map_cells')
        .columns(CELL_COLUMNS)
        .expression(
          trx
            .selectFrom('map_cells')
            .select([
              sql.lit(level).as('level'),
              sql<number>`x / 2`.as('x'),
              sql<number>`y / 2`.as('y'),
              ...COUNTED_BY,
              (eb) => eb.fn.sum<number>('players').as('players'),
              (eb) => eb.fn.sum<number>('sum_lng').as('sum_lng'),
              (eb) => eb.fn.sum<number>('sum_lat').as('sum_lat'),
              (eb) => eb.fn.min<number>('min_id').as('min_id'),
            ])
            .where('level', '=', level + 1)
            .groupBy([sql`2`, sql`3`, ...COUNTED_BY]),
        )
        .execute()
    }
    const { n } = await trx.selectFrom('map_cells').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    const done = await trx
      .updateTable('map_cells_state')
      .set({ state: 'ready', built_at: new Date().toISOString(), cells: Number(n) })
      .where('id', '=', 1)
      .where('state', '=', 'building')
      .executeTakeFirst()
    return { cells: Number(n), ready: Number(done.numUpdatedRows) === 1 }
  })
}

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
  // Every build replaces the cells whole in one transaction, so whichever build is read,
  // its cells agree with each other; a change committed a moment after the state was read
  // is at most that moment late.
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

/** Rebuilds stale cells in the background, at most once per interval: in a thread of its
 * own when the database can be opened twice (not an in-memory one). */
export function startMapCellsRefresher(db: Kysely<Database>, options: { intervalMs?: number } = {}): MapCellsRefresher {
  const url = databaseUrlOf(db)
  const rebuild = url ? () => rebuildInThread(url) : () => rebuildMapCells(db)
  return startBackgroundLoop('map cells rebuild', options.intervalMs ?? 10_000, async () => {
    const state = await mapCellsState(db)
    if (state?.state === 'stale') {
      const started = performance.now()
      const { cells, ready } = await rebuild()
      logger.info('map cells rebuilt', { cells, ready, ms: Math.round(performance.now() - started) })
    }
  })
}

const WORKER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'map-cells.worker.mjs')

function rebuildInThread(url: string): Promise<{ cells: number; ready: boolean }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: { url }, execArgv: [] })
    worker.once('message', (message: { result?: { cells: number; ready: boolean }; error?: string }) =>
      message.result ? resolve(message.result) : reject(new Error(`map cells thread: ${message.error}`)),
    )
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`map cells thread exited (code ${code}) without an answer`)))
  })
}
