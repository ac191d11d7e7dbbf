// The dashboard's figures at province scale (1,000,000 players, 5,000,000 visits, 200,000
// referrals), straight from the tables in SQL: the bank for a year and one outlet for a year,
// server time over repeated runs, beside a baseline in the same run (the heaviest single
// query, the visited players of the period, as one prepared statement). And the XLSX export
// of a branch of about 100,000 players: time and the heap's growth while it streams.
// Targets (issue 7): bank-year p95 < 150 ms, outlet-year p95 < 30 ms; export of 100,000 rows
// < 10 s with flat memory.
import { Writable } from 'node:stream'
import { periodOf } from '../../app/domain/figures'
import { todayInChina } from '../../app/domain/player-row'
import { translator } from '../../app/i18n/index'
import { exportView } from '../../app/services/figures-export.server'
import { computeFiguresInSql, periodBounds } from '../../app/services/figures.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import type { TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-server'
import type { Benchmark } from './harness'
import { openProvinceCopy } from './province'

const RUNS = 20

function p95(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.ceil(0.95 * sorted.length) - 1]
}

/** Runs `work` once to warm up, then `runs` times; three times only when one run takes seconds. */
async function time<T>(runs: number, work: () => Promise<T> | T): Promise<number[]> {
  const warm = performance.now()
  await work()
  const count = performance.now() - warm > 1000 ? 3 : runs
  const ms: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    await work()
    ms.push(performance.now() - started)
  }
  return ms
}

export const benchmark: Benchmark = {
  name: 'dashboard',
  async run({ log }) {
    let database: TestDatabase | undefined
    try {
      database = await openProvinceCopy(log)
      const { db } = database
      const sqlite = database.sqlite!
      const year = periodOf('year', todayInChina())
      const { from, until } = periodBounds(year)
      const outlet = sqlite.prepare(`select path from org_units where kind = 'outlet' order by id limit 1`).get() as { path: string }
      const branch = sqlite
        .prepare(`select o.path, o.name, (select count(*) from market_players p join org_units u on u.id = p.org_unit_id where u.path like o.path || '%') as players from org_units o where o.kind = 'branch' order by abs(players - 100000) limit 1`)
        .get() as { path: string; name: string; players: number }

      const raw = sqlite.prepare(`select count(distinct player_id) from visits where visited_at >= ? and visited_at < ?`).pluck()
      const rawMs = await time(5, () => raw.get(from, until))
      log(`baseline: visited players of the year, p95 ${p95(rawMs).toFixed(0)} ms`)
      const bankMs = await time(RUNS, () => computeFiguresInSql(db, { scopes: [{ kind: 'all' }] }, year))
      log(`bank, year: p95 ${p95(bankMs).toFixed(0)} ms`)
      const outletMs = await time(RUNS, () => computeFiguresInSql(db, { scopes: [{ kind: 'org', orgPath: outlet.path }] }, year))
      log(`outlet, year: p95 ${p95(outletMs).toFixed(1)} ms`)

      // The export of a branch, drained into nothing, the heap sampled as it goes.
      const t = translator('zh-CN')
      const figures = await computeFiguresInSql(db, { scopes: [{ kind: 'org', orgPath: branch.path }] }, year)
      global.gc?.()
      const heapBefore = process.memoryUsage().heapUsed
      let heapMax = heapBefore
      const sampler = setInterval(() => (heapMax = Math.max(heapMax, process.memoryUsage().heapUsed)), 50)
      const started = performance.now()
      const stream = await exportView({
        db,
        actor: { id: null, username: 'bench', ip: null },
        pii: createPersonalDataCipher(TEST_DATA_KEY),
        t,
        format: 'xlsx',
        unmask: false,
        view: { scope: { scopes: [{ kind: 'org', orgPath: branch.path }] }, scopeName: branch.name, period: year, figures, previous: figures, league: [] },
      })
      let bytes = 0
      await stream.pipeTo(Writable.toWeb(new Writable({ write: (chunk: Buffer, _e, done) => ((bytes += chunk.length), done()) })))
      const exportSeconds = (performance.now() - started) / 1000
      clearInterval(sampler)
      log(`export: ${branch.players.toLocaleString('en')} players, ${(bytes / 1024 ** 2).toFixed(1)} MB in ${exportSeconds.toFixed(1)} s; heap +${((heapMax - heapBefore) / 1024 ** 2).toFixed(0)} MB at most`)

      const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`
      return {
        title: `Dashboard figures at province scale (${RUNS} runs each, 3 where one takes seconds) and the XLSX export`,
        columns: [
          { label: 'measure', align: 'left' },
          { label: 'value', align: 'right' },
          { label: '× baseline', align: 'right' },
          { label: 'target', align: 'left' },
        ],
        rows: [
          ['baseline: visited players of the year (one prepared statement)', ms(p95(rawMs)), '1.0×', ''],
          ['bank, year: every figure, p95', ms(p95(bankMs)), `${(p95(bankMs) / p95(rawMs)).toFixed(1)}×`, p95(bankMs) < 150 ? '< 150 ms pass' : '< 150 ms FAIL'],
          ['outlet, year: every figure, p95', ms(p95(outletMs)), `${(p95(outletMs) / p95(rawMs)).toFixed(2)}×`, p95(outletMs) < 30 ? '< 30 ms pass' : '< 30 ms FAIL'],
          [`XLSX export, ${branch.players.toLocaleString('en')} players`, `${exportSeconds.toFixed(1)} s`, '', exportSeconds < 10 ? '< 10 s pass' : '< 10 s FAIL'],
          ['heap growth during the export, at most', `${((heapMax - heapBefore) / 1024 ** 2).toFixed(0)} MB`, '', 'flat'],
        ],
      }
    } finally {
      await database?.destroy()
    }
  },
}
