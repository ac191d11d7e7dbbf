// The map at province scale: a viewport request at province zoom and at county zoom (server
// time and bytes), beside a raw SQL count of the same box; the rebuild of the pre-counted
// cells that the far zooms read, and the same province view counted live while they are
// stale; and placing 100,000 players in a newly drawn territory.
import { sql } from 'kysely'
import { scopeOf } from '../../app/domain/scope'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { mapFeatures } from '../../app/services/map.server'
import { rebuildMapCells } from '../../app/services/map-cells.server'
import { createTerritory } from '../../app/services/territories/create-territory.server'
import { TEST_DATA_KEY } from '../support/test-constants'
import type { Benchmark, BenchTable } from './harness'
import { openProvinceCopy } from './province'

const RUNS = 30

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

export const benchmark: Benchmark = {
  name: 'map',
  async run({ log }): Promise<BenchTable> {
    const t = await openProvinceCopy(log)
    try {
      const pii = createPersonalDataCipher(TEST_DATA_KEY)
      const outlet = await t.db.selectFrom('org_units').select(['id', 'path']).where('kind', '=', 'outlet').orderBy('id').executeTakeFirstOrThrow()
      const scopes = [
        { label: 'hq', scope: { kind: 'all' } as const },
        { label: 'manager (1 outlet)', scope: scopeOf({ id: 0, role: 'manager', orgPath: outlet.path }) },
      ]
      const views = [
        { label: 'province zoom 7', bbox: { west: 110.2, south: 31.3, east: 116.8, north: 36.2 }, zoom: 7 },
        { label: 'county zoom 11', bbox: { west: 110.5, south: 31.5, east: 110.95, north: 31.8 }, zoom: 11 },
      ]
      const rows: string[][] = []
      const rebuilding = performance.now()
      const { cells } = await rebuildMapCells(t.db)
      const rebuildSeconds = (performance.now() - rebuilding) / 1000
      log(`rebuilt the map cells: ${cells} cells in ${rebuildSeconds.toFixed(1)} s`)
      for (const view of views) {
        const raw: number[] = []
        let count = 0
        for (let i = 0; i < RUNS; i++) {
          const started = performance.now()
          const result = await sql<{ n: number }>`select count(*) as n from market_players where lng >= ${view.bbox.west} and lng < ${view.bbox.east} and lat >= ${view.bbox.south} and lat < ${view.bbox.north}`.execute(t.db)
          raw.push(performance.now() - started)
          count = Number(result.rows[0].n)
        }
        raw.sort((a, b) => a - b)
        for (const { label, scope } of scopes) {
          const times: number[] = []
          let bytes = 0
          let features = 0
          for (let i = 0; i < RUNS; i++) {
            const started = performance.now()
            const collection = await mapFeatures(t.db, pii, scope, {}, { bbox: view.bbox, zoom: view.zoom, colourBy: 'candidate' })
            bytes = JSON.stringify(collection).length
            times.push(performance.now() - started)
            features = collection.features.length
          }
          times.sort((a, b) => a - b)
          const p95 = percentile(times, 95)
          rows.push([
            view.label,
            label,
            count.toLocaleString('en'),
            features.toLocaleString('en'),
            `${(bytes / 1024).toFixed(1)} KB`,
            percentile(raw, 50).toFixed(1),
            percentile(raw, 95).toFixed(1),
            percentile(times, 50).toFixed(1),
            p95.toFixed(1),
            p95 < 100 && bytes < 200 * 1024 ? 'pass' : 'FAIL',
          ])
          log(`${view.label} / ${label}: p95 ${p95.toFixed(1)} ms, ${bytes} bytes`)
        }
      }

      rows.push(['rebuild pre-counted cells', '(background)', '1,000,000', `${cells.toLocaleString('en')} cells`, '', '', '', '', `${rebuildSeconds.toFixed(2)} s`, 'info'])

      // A player just changed: for a minute after the last build the cells are still read;
      // after that (the refresher is behind) far views are counted live.
      const province = views[0]
      const staleFor = async (label: string, builtAt: string) => {
        await t.db.updateTable('map_cells_state').set({ state: 'stale', built_at: builtAt }).execute()
        const times: number[] = []
        for (let i = 0; i < 5; i++) {
          const started = performance.now()
          await mapFeatures(t.db, pii, { kind: 'all' }, {}, { bbox: province.bbox, zoom: province.zoom, colourBy: 'candidate' })
          times.push(performance.now() - started)
        }
        times.sort((a, b) => a - b)
        rows.push([`${province.label}, ${label}`, 'hq', '', '', '', '', '', percentile(times, 50).toFixed(1), percentile(times, 95).toFixed(1), 'info'])
      }
      await staleFor('cells stale < 1 min', new Date().toISOString())
      await staleFor('cells stale > 1 min (live)', new Date(Date.now() - 120_000).toISOString())

      // Drawing a territory over ten counties of one branch: about 100,000 players placed.
      const branch = await t.db.selectFrom('org_units').select(['id']).where('code', '=', 'B01').executeTakeFirstOrThrow()
      const square = { type: 'Polygon', coordinates: [[[110.4, 31.4], [116.7, 31.4], [116.7, 31.96], [110.4, 31.96], [110.4, 31.4]]] }
      const started = performance.now()
      const placed = await createTerritory(t.db, { actor: { id: null, username: 'bench', ip: null }, scope: { kind: 'all' } }, { orgUnitId: branch.id, name: 'bench', geometry: square })
      const seconds = (performance.now() - started) / 1000
      const inside = await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll().as('n')).where('territory_id', '=', placed.id).executeTakeFirstOrThrow()
      rows.push(['draw a territory', 'admin', Number(inside.n).toLocaleString('en'), `${placed.moved.toLocaleString('en')} officers changed`, '', '', '', '', `${seconds.toFixed(2)} s`, seconds < 5 ? 'pass' : 'FAIL'])

      return {
        title: `map: /api/v1/map at province scale (1,000,000 players, SQLite), ${RUNS} runs each; targets p95 < 100 ms and < 200 KB; placing players < 5 s per 100,000`,
        columns: [
          { label: 'view', align: 'left' },
          { label: 'as', align: 'left' },
          { label: 'players in box', align: 'right' },
          { label: 'features', align: 'right' },
          { label: 'size', align: 'right' },
          { label: 'raw count p50', align: 'right' },
          { label: 'raw count p95', align: 'right' },
          { label: 'service p50', align: 'right' },
          { label: 'service p95', align: 'right' },
          { label: 'target', align: 'left' },
        ],
        rows,
        notes: [
          'Times in ms. raw count: select count(*) of the same box, no scope, no grouping (the baseline).',
          'Zoom 10 and out read the pre-counted cells (map_cells) when they are fresh; closer zooms, officers and filters other than kind and status count live.',
          '"cells stale": the same province view after a player changed, before the background rebuild: the last build is read for a minute, then the view is counted live.',
        ],
      }
    } finally {
      await t.destroy()
    }
  },
}
