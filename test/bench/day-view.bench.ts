// The day view (/visits) of a manager of 40 officers, at province scale (1,000,000 players,
// 2,000 officers, 5,000,000 visits, photos on the recent ones: test/bench/day-view-data.ts),
// beside the same manager's same-size day at county scale (20,000 players, three months) and
// /livez, all in one run. Measured: the page's loader as a function (its CPU time, from
// process.cpuUsage, and its wall time), and the page over real HTTP from a client in a
// process of its own (wall median and p95, and the server process's CPU per page).
// Target (issue 24): the day view of 40 officers with thumbnails under 300 ms server time.
import { spawn } from 'node:child_process'
import os from 'node:os'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { loader } from '../../app/routes/visits._index'
import type { AppContext } from '../../app/http/context.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { DEMO_PASSWORD } from '../../db/seed/index'
import { openTempSqlite, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, testConfig, type TestServer } from '../support/test-server'
import { COUNTY, DAY_VIEW_MANAGER, END_DAY, PROVINCE, dayViewDatabaseFile, type Shape } from './day-view-data'
import { ensureBuild, type Benchmark } from './harness'

const RUNS = 60
const WARM_UP = 5
const TARGET_MS = 300
const PAGE = `/visits?day=${END_DAY}`

interface Figures {
  cpu: number[]
  wall: number[]
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b)
const median = (values: number[]) => sorted(values)[Math.floor((values.length - 1) / 2)]
const p95 = (values: number[]) => sorted(values)[Math.ceil(0.95 * values.length) - 1]
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`

/** The loader called as Remix calls it, `RUNS` times after `WARM_UP`: CPU and wall per call. */
async function loaderTimes(db: Kysely<Database>, cookie: string): Promise<Figures & { visits: number; photos: number }> {
  const context: AppContext = {
    db,
    dialect: 'sqlite',
    config: testConfig(),
    pii: createPersonalDataCipher(TEST_DATA_KEY),
    clientIp: null,
    requestId: 'bench',
    nonce: 'bench',
  }
  const call = () => loader({ request: new Request(`http://127.0.0.1${PAGE}`, { headers: { Cookie: cookie } }), context, params: {} })
  for (let i = 0; i < WARM_UP; i++) await call()
  const cpu: number[] = []
  const wall: number[] = []
  let last: Awaited<ReturnType<typeof call>> | undefined
  for (let i = 0; i < RUNS; i++) {
    const usage = process.cpuUsage()
    const started = performance.now()
    last = await call()
    wall.push(performance.now() - started)
    const used = process.cpuUsage(usage)
    cpu.push((used.user + used.system) / 1000)
  }
  return { cpu, wall, visits: last!.visits.length, photos: last!.visits.reduce((n, v) => n + v.photos.length, 0) }
}

// A client in a process of its own, so that the server process's CPU is the server's only.
const CLIENT = `
const http = require('node:http')
const [url, cookie, expect, warm, runs] = process.argv.slice(1)
const agent = new http.Agent({ keepAlive: true })
const get = () => new Promise((resolve, reject) => {
  const started = performance.now()
  http.get(url, { agent, headers: { Cookie: cookie } }, (response) => {
    const chunks = []
    response.on('data', (chunk) => chunks.push(chunk))
    response.on('end', () => {
      const ms = performance.now() - started
      const body = Buffer.concat(chunks).toString('utf8')
      if (response.statusCode !== 200 || !body.includes(expect)) reject(new Error(url + ' answered ' + response.statusCode + ' without ' + expect))
      else resolve({ ms, bytes: Buffer.byteLength(body) })
    })
    response.on('error', reject)
  }).on('error', reject)
})
;(async () => {
  for (let i = 0; i < Number(warm); i++) await get()
  process.stdout.write('warm\\n')
  await new Promise((resolve) => process.stdin.once('data', resolve))
  const times = []
  let bytes = 0
  for (let i = 0; i < Number(runs); i++) { const r = await get(); times.push(r.ms); bytes = r.bytes }
  process.stdout.write(JSON.stringify({ times, bytes }) + '\\n')
})().catch((error) => { process.stderr.write(String(error) + '\\n'); process.exit(1) })
`

/** GETs over loopback from another process: wall per page, and this process's CPU per page. */
async function httpTimes(url: string, cookie: string, expect: string): Promise<Figures & { bytes: number }> {
  const child = spawn(process.execPath, ['-e', CLIENT, url, cookie, expect, String(WARM_UP), String(RUNS)], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const line = () =>
    new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        out += chunk.toString()
        const end = out.indexOf('\n')
        if (end >= 0) {
          const first = out.slice(0, end)
          out = out.slice(end + 1)
          child.stdout.off('data', onData)
          resolve(first)
        }
      }
      child.stdout.on('data', onData)
      child.once('exit', (code) => reject(new Error(`the client stopped (${code}): ${err}`)))
    })
  await line()
  const usage = process.cpuUsage()
  child.stdin.write('go\n')
  const answer = JSON.parse(await line()) as { times: number[]; bytes: number }
  const used = process.cpuUsage(usage)
  child.stdin.end()
  const perPage = (used.user + used.system) / 1000 / RUNS
  return { wall: answer.times, cpu: [perPage], bytes: answer.bytes }
}

async function measure(shape: Shape, log: (message: string) => void) {
  const file = await dayViewDatabaseFile(shape, log)
  let database: TestDatabase | undefined
  let server: TestServer | undefined
  try {
    database = openTempSqlite('wanqi-bench-day-view-', file)
    const sqlite = database.sqlite!
    const count = (sql: string, ...params: unknown[]) => Number(sqlite.prepare(sql).pluck().get(...params))
    const sizes = {
      players: count('select count(*) from market_players'),
      visits: count('select count(*) from visits'),
      photos: count('select count(*) from visit_photos'),
      officers: count(`select count(*) from users where role = 'officer'`),
    }
    log(`${shape.name}: ${sizes.players.toLocaleString('en')} players, ${sizes.visits.toLocaleString('en')} visits, ${sizes.photos.toLocaleString('en')} photos, ${sizes.officers.toLocaleString('en')} officers`)
    server = await startTestServer(database)
    const client = new Client(server.url)
    const signIn = await client.signIn(DAY_VIEW_MANAGER, DEMO_PASSWORD)
    const token = client.cookie('wanqi_session')
    if (signIn.status !== 302 || !token) throw new Error(`signing in as ${DAY_VIEW_MANAGER} answered ${signIn.status}`)
    const cookie = `wanqi_session=${token}`

    const loaded = await loaderTimes(database.db, cookie)
    log(`${shape.name}: loader: ${loaded.visits} visits, ${loaded.photos} photos; CPU median ${ms(median(loaded.cpu))}, p95 ${ms(p95(loaded.cpu))}`)
    const page = await httpTimes(server.url + PAGE, cookie, 'id="visit-list"')
    log(`${shape.name}: GET ${PAGE}: ${(page.bytes / 1024).toFixed(0)} KB; median ${ms(median(page.wall))}, p95 ${ms(p95(page.wall))}, server CPU ${ms(page.cpu[0])} a page`)
    const livez = await httpTimes(server.url + '/livez', '', 'ok')
    return { shape, sizes, loaded, page, livez }
  } finally {
    await server?.close()
    await database?.destroy()
  }
}

export const benchmark: Benchmark = {
  name: 'day-view',
  async run({ log }) {
    ensureBuild(log)
    log(`load average at the start: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}`)
    const county = await measure(COUNTY, log)
    const province = await measure(PROVINCE, log)
    const base = median(county.loaded.cpu)
    const ratio = (v: number) => `${(v / base).toFixed(1)}×`
    const rows: string[][] = []
    for (const r of [county, province]) {
      const scale = `${r.shape.name} (${r.sizes.players.toLocaleString('en')} players, ${r.sizes.visits.toLocaleString('en')} visits)`
      // Server time is judged as CPU: on a shared machine the wall time is mostly the wait for a core.
      const verdict = (v: number) => (r.shape.name === 'province' ? (v < TARGET_MS ? `< ${TARGET_MS} ms pass` : `< ${TARGET_MS} ms FAIL`) : '')
      rows.push([scale, `loader CPU (${r.loaded.visits} visits, ${r.loaded.photos} photos)`, ms(median(r.loaded.cpu)), ms(p95(r.loaded.cpu)), ratio(median(r.loaded.cpu)), verdict(p95(r.loaded.cpu))])
      rows.push([scale, 'loader wall', ms(median(r.loaded.wall)), ms(p95(r.loaded.wall)), ratio(median(r.loaded.wall)), ''])
      rows.push([scale, 'GET page: server process CPU a page (mean)', ms(r.page.cpu[0]), '', ratio(r.page.cpu[0]), verdict(r.page.cpu[0])])
      rows.push([scale, `GET page wall (${(r.page.bytes / 1024).toFixed(0)} KB HTML)`, ms(median(r.page.wall)), ms(p95(r.page.wall)), ratio(median(r.page.wall)), ''])
      rows.push([scale, 'GET /livez wall (floor)', ms(median(r.livez.wall)), ms(p95(r.livez.wall)), ratio(median(r.livez.wall)), ''])
    }
    return {
      title: `Day view ${PAGE} of a manager of 40 officers (${RUNS} runs after ${WARM_UP} to warm up; × = to the county's loader CPU median)`,
      columns: [
        { label: 'scale', align: 'left' },
        { label: 'measure', align: 'left' },
        { label: 'median', align: 'right' },
        { label: 'p95', align: 'right' },
        { label: '× county', align: 'right' },
        { label: 'target', align: 'left' },
      ],
      rows,
      notes: [
        `Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} on ${os.cpus().length} cores (wall times include waiting for a core).`,
        'Scaled down at province scale: photos only on the last 30 days\' visits; no photo files, personal data, search index or referrals (test/bench/day-view-data.ts).',
      ],
    }
  },
}
