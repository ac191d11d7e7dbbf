// The map's data: players in the viewport, clustered on a grid in SQL so that a view sends
// only what it shows (a count per cell), and single players where a cell holds just one.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { floorToInt, withoutIndex } from '../../db/dialect.server'
import type { BBox } from '../domain/geometry'
import { boundedZoom, clusterFeatures, expandBBox, gridCellSize, type GridCell, type MapFeatureCollection } from '../domain/map-clusters'
import type { Scope } from '../domain/scope'
import type { PersonalDataCipher } from './personal-data.server'
import { applyPlayerFilter, type PlayerFilter } from './players/list-players.server'
import { scoped } from './scope.server'
import { precountedCells } from './map-cells.server'

export type ColourBy = 'candidate' | 'campaign'

function position(db: Kysely<Database>, scope: Scope, column: string) {
  return (scope.kind === 'all' ? sql.ref(column) : withoutIndex(db, column)) as ReturnType<typeof sql.ref<number>>
}

/** The players in view grouped by cell, counted from the players themselves. */
async function countLive(db: Kysely<Database>, pii: PersonalDataCipher, scope: Scope, filter: PlayerFilter, bbox: BBox, zoom: number) {
  const size = gridCellSize(zoom)
  const box = expandBBox(bbox, size)
  const x = floorToInt(db, sql<number>`(market_players.lng - ${box.west}) / ${size}`)
  const y = floorToInt(db, sql<number>`(market_players.lat - ${box.south}) / ${size}`)
  let q = db
    .selectFrom('market_players')
    .select([
      x.as('x'),
      y.as('y'),
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.avg<number>('market_players.lng').as('lng'),
      (eb) => eb.fn.avg<number>('market_players.lat').as('lat'),
      (eb) => eb.fn.min<number>('market_players.id').as('sampleId'),
    ])
    .where(scoped(scope))
    // A scoped user's players are found through their org unit or officer, then kept if in
    // view; walking the position index over a province-wide view would read every player.
    .where(position(db, scope, 'market_players.lng'), '>=', box.west)
    .where(position(db, scope, 'market_players.lng'), '<', box.east)
    .where(position(db, scope, 'market_players.lat'), '>=', box.south)
    .where(position(db, scope, 'market_players.lat'), '<', box.north)
    // By position: PostgreSQL would not see the two parameterised expressions as the same.
    .groupBy([sql`1`, sql`2`])
  q = applyPlayerFilter(db, pii, q, filter)
  return q.execute()
}

export async function mapFeatures(
  db: Kysely<Database>,
  pii: PersonalDataCipher,
  scope: Scope,
  filter: PlayerFilter,
  view: { bbox: BBox; zoom: number; colourBy: ColourBy },
): Promise<MapFeatureCollection & { cellSize: number; countedAt: string | null }> {
  // Never more cells than the bound, however far in the view asks to be.
  const zoom = boundedZoom(view.bbox, view.zoom)
  const size = gridCellSize(zoom)
  const precounted = await precountedCells(db, scope, filter, { bbox: view.bbox, zoom })
  const rows = precounted?.cells ?? (await countLive(db, pii, scope, filter, view.bbox, zoom))

  const singles = rows.filter((r) => Number(r.n) === 1).map((r) => Number(r.sampleId))
  const details = new Map<number, { name: string; status: string }>()
  for (let i = 0; i < singles.length; i += 800) {
    const found = await db
      .selectFrom('market_players')
      .select(['id', 'name', 'candidate_status', 'campaign_status'])
      .where('id', 'in', singles.slice(i, i + 800))
      .execute()
    for (const p of found) details.set(p.id, { name: p.name, status: view.colourBy === 'campaign' ? p.campaign_status : p.candidate_status })
  }
  const cells: GridCell[] = rows.map((r) => {
    const id = Number(r.sampleId)
    const detail = details.get(id)
    return { lng: Number(r.lng), lat: Number(r.lat), count: Number(r.n), sampleId: detail ? id : null, sampleName: detail?.name ?? null, sampleStatus: detail?.status ?? null }
  })
  // `countedAt`: when pre-counted cells answered, the time they were counted; null when live.
  return { ...clusterFeatures(cells), cellSize: size, countedAt: precounted?.countedAt ?? null }
}
