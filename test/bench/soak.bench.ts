// A bounded soak at province scale (1,000,000 players) on loopback: 200 officers browsing
// their lists and players and saving visits, 10 managers and up to 2 hq analysts (the
// province seeds one) on their pages,
// for SOAK_SECONDS (default 300) after a 30 s ramp-up in which they arrive one by one, each
// pausing 5–15 s between pages (a person reading a page, not a script; 200 officers at once
// is the busy hour of a province's 2,000). The server is the real one, as deployed
// (app/cli/serve.server.ts in a process of its own, with its background work: the figures'
// drain, the map's cells, qualification); the callers run in two threads of this process.
// Reported, for the requests after the ramp: counts, errors, p50/p99 latency by page; the
// server's live memory every 15 s, read after a full collection (flat: the last quarter's
// heap within 10% of the first's), and how late its event loop ran; then every visit the
// server acknowledged is looked for in the database.
// With SOAK_SERVERS=3 and SOAK_DATABASE_URL (a seeded PostgreSQL database) the callers go
// through nginx to three app servers instead (README, "Several app servers"), and the third
// is killed halfway through: no visit acknowledged before or after may be lost.
import { Worker } from 'node:worker_threads'
import { DEMO_PASSWORD } from '../../db/seed/index'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../../db/connection.server'
import { startNginx, type Nginx } from '../support/nginx'
import { freePort, startServerProcess, type MemorySample, type ServerProcess } from '../support/server-process'
import type { TestDatabase } from '../support/test-db'
import { Client } from '../support/http-client'
import { ensureBuild, type Benchmark } from './harness'
import { openProvinceCopy } from './province'
import { officersHoldingPlayers, openStaffDatabase } from './soak-staff'
import { TEST_DATA_KEY } from '../support/test-server'

// SOAK_OFFICERS and SOAK_MANAGERS change these (2,000 officers is the province's whole staff).
const OFFICERS = Number(process.env.SOAK_OFFICERS ?? 200)
const MANAGERS = Number(process.env.SOAK_MANAGERS ?? 10)
const HQ = 2
const THREADS = 2
/** Sign-ins in flight at once before the soak. */
const SIGN_INS = 8
const RAMP_SECONDS = 30
const SAMPLE_SECONDS = 15
/** How much the live heap may grow from the first quarter of the soak to the last. */
const FLAT = 1.1

interface Caller {
  kind: 'officer' | 'manager' | 'hq'
  cookie: string
  /** An officer's players, to open and visit. */
  players: number[]
}

interface ThreadResult {
  latencies: Record<string, number[]>
  errors: string[]
  saved: string[]
}

/** One thread's callers: each loops over its pages with a think time until the end. */
const CALLERS = `
const { parentPort, workerData } = require('node:worker_threads')
const crypto = require('node:crypto')
const { base, callers, rampEnd, until } = workerData
const latencies = {}
const errors = []
const saved = []
const pause = () => new Promise((r) => setTimeout(r, 5000 + Math.random() * 10000))
async function ask(label, path, init = {}, expect = [200]) {
  const started = performance.now()
  try {
    // A change says where it comes from, as a browser's does (one that says nothing is refused).
    const origin = init.method && init.method !== 'GET' ? { Origin: base } : {}
    const response = await fetch(base + path, { ...init, headers: { ...(init.headers || {}), ...origin, Cookie: init.cookie }, redirect: 'manual' })
    const body = await response.text()
    if (Date.now() - (performance.now() - started) >= rampEnd) (latencies[label] ??= []).push(performance.now() - started)
    if (!expect.includes(response.status)) errors.push(label + ' ' + response.status + ' ' + body.slice(0, 120))
    return { status: response.status, body }
  } catch (error) {
    // fetch says only "fetch failed": its cause says why (a timeout, a refused connection).
    errors.push(label + ' ' + String(error) + (error && error.cause ? ' (' + (error.cause.code || error.cause.message) + ')' : ''))
    return { status: 0, body: '' }
  }
}
async function officer(c) {
  let i = 0
  while (Date.now() < until) {
    await ask('officer: GET /my', '/my', { cookie: c.cookie })
    await pause()
    const player = c.players[i++ % c.players.length]
    await ask('officer: GET /players/:id', '/players/' + player, { cookie: c.cookie })
    await pause()
    const id = crypto.randomUUID()
    const body = JSON.stringify({ id, playerId: player, channel: 'phone', hasNeed: false, notes: 'soak ' + id.slice(0, 8) })
    const answer = await ask('officer: POST /api/v1/visits', '/api/v1/visits', { method: 'POST', cookie: c.cookie, headers: { 'Content-Type': 'application/json' }, body }, [201])
    if (answer.status === 201) saved.push(id)
    await pause()
    await ask('officer: GET /players?q=', '/players?q=' + encodeURIComponent('公司'), { cookie: c.cookie })
    await pause()
  }
}
async function manager(c, hq) {
  while (Date.now() < until) {
    await ask((hq ? 'hq' : 'manager') + ': GET /dashboard', '/dashboard?period=year', { cookie: c.cookie })
    await pause()
    await ask((hq ? 'hq' : 'manager') + ': GET /players', '/players', { cookie: c.cookie })
    await pause()
    if (!hq) {
      await ask('manager: GET /visits', '/visits', { cookie: c.cookie })
      await pause()
    }
  }
}
// Arriving one by one over the ramp, not all at the same instant.
const arrive = () => new Promise((r) => setTimeout(r, Math.random() * (rampEnd - Date.now())))
Promise.all(callers.map(async (c) => (await arrive(), c.kind === 'officer' ? officer(c) : manager(c, c.kind === 'hq'))))
  .then(() => parentPort.postMessage({ latencies, errors, saved }))
  .catch((error) => parentPort.postMessage({ latencies, errors: [...errors, String(error)], saved }))
`

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN
}

export const benchmark: Benchmark = {
  name: 'soak',
  async run({ log }) {
    ensureBuild(log)
    const seconds = Number(process.env.SOAK_SECONDS ?? 300)
    let database: TestDatabase | undefined
    try {
      // SOAK_DATABASE_URL: an existing seeded database (the province or the county, on
      // PostgreSQL for several servers) instead of a copy of the SQLite province. The soak
      // adds visits to it.
      const given = process.env.SOAK_DATABASE_URL
      // SOAK_SERVERS=3: three server processes behind nginx (docs/nginx.example.conf), as
      // the several-servers test runs them; every caller goes through nginx. Without a seeded
      // database, a staff one is made on TEST_DATABASE_URL's server (soak-staff.ts).
      const count = Number(process.env.SOAK_SERVERS ?? 1)
      let dataKey = given ? process.env.DATA_KEY : undefined
      if (given) {
        const handle = openDatabase(given)
        database = { ...handle, url: given, destroy: () => handle.db.destroy() }
      } else if (count > 1) {
        database = await openStaffDatabase(OFFICERS, log)
        dataKey = TEST_DATA_KEY
      } else database = await openProvinceCopy(log)
      const { db } = database
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-soak-'))
      if (count > 1 && database.dialect !== 'postgres') throw new Error('several app servers share one PostgreSQL: set SOAK_DATABASE_URL=postgres://… (a seeded database)')
      log(`starting ${count} server process${count > 1 ? 'es' : ''} (app/cli/serve.server.ts)`)
      const servers: ServerProcess[] = []
      let nginx: Nginx | null = null
      for (let i = 0; i < count; i++) {
        // A database seeded apart was encrypted with its own DATA_KEY: the servers need it.
        const env = { ...(count > 1 ? { TRUST_PROXY: '1' } : {}), ...(dataKey ? { DATA_KEY: dataKey } : {}) }
        servers.push(await startServerProcess({ databaseUrl: database.url, port: await freePort(), dir, memoryProbe: true, env }))
      }
      if (count > 1) nginx = await startNginx(servers.map((s) => Number(new URL(s.url).port)), path.join(dir, 'nginx'))
      // The first server's memory and event loop are sampled; the callers go through nginx when there is one.
      const server = servers[0]
      const base = nginx?.url ?? server.url
      try {
        // Officers who hold players, spread over the outlets; managers and hq as seeded.
        const officers = await officersHoldingPlayers(db, OFFICERS)
        const managers = await db.selectFrom('users').select(['username']).where('role', '=', 'manager').where('active', '=', 1).orderBy('id').limit(MANAGERS).execute()
        const analysts = await db.selectFrom('users').select(['username']).where('role', '=', 'hq').where('active', '=', 1).orderBy('id').limit(HQ).execute()
        if (officers.length < OFFICERS) throw new Error(`only ${officers.length} officers hold players`)
        log(`signing in ${officers.length} officers, ${managers.length} managers and ${analysts.length} hq (a password hash each)`)
        const cookieOf = async (username: string) => {
          const client = new Client(base)
          const response = await client.signIn(username, DEMO_PASSWORD)
          if (response.status !== 302) throw new Error(`signing in as ${username} answered ${response.status}`)
          return `wanqi_session=${client.cookie('wanqi_session')}`
        }
        // Signed in SIGN_INS at a time: one by one, a busy machine took 13 min for 2,000
        // (decision 0251), the sign-ins waiting on the scheduler rather than on the hash.
        const wanted: { kind: Caller['kind']; username: string; officerId?: number }[] = [
          ...officers.map((o) => ({ kind: 'officer' as const, username: o.username, officerId: o.id })),
          ...managers.map((m) => ({ kind: 'manager' as const, username: m.username })),
          ...analysts.map((a) => ({ kind: 'hq' as const, username: a.username })),
        ]
        const callers: Caller[] = new Array(wanted.length)
        let next = 0
        const signInLane = async () => {
          while (next < wanted.length) {
            const i = next++
            const w = wanted[i]
            const players =
              w.officerId === undefined
                ? []
                : (await db.selectFrom('market_players').select('id').where('assigned_officer_id', '=', w.officerId).orderBy('id').limit(20).execute()).map((p) => p.id)
            callers[i] = { kind: w.kind, cookie: await cookieOf(w.username), players }
          }
        }
        const signInStarted = Date.now()
        await Promise.all(Array.from({ length: SIGN_INS }, signInLane))
        log(`signed in in ${((Date.now() - signInStarted) / 1000).toFixed(0)} s`)
        const visitsBefore = Number((await db.selectFrom('visits').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

        log(`soaking for ${seconds} s`)
        const started = Date.now()
        const rampEnd = started + RAMP_SECONDS * 1000
        const until = rampEnd + seconds * 1000
        const memory: (MemorySample & { at: number })[] = []
        const sample = async () => memory.push({ at: Math.round((Date.now() - started) / 1000), ...(await server.memory()) })
        await sample()
        const callersCpu = process.cpuUsage()
        const sampler = setInterval(() => void sample(), SAMPLE_SECONDS * 1000)
        // Several servers: the last one is killed (SIGKILL, as a crash) halfway through the
        // soak; nginx sends the rest to the others, and no visit it acknowledged may be lost.
        // The timer is the soak's own schedule (half its fixed length), not a wait for a state:
        // what is asserted afterwards (every acknowledged visit found) holds whenever it fires.
        let killedAt: number | null = null
        const killer =
          servers.length > 1
            ? setTimeout(() => {
                killedAt = Math.round((Date.now() - rampEnd) / 1000)
                log(`killing server ${servers.length} (SIGKILL) ${killedAt} s into the soak`)
                void servers.at(-1)!.kill()
              }, rampEnd + (seconds * 1000) / 2 - Date.now())
            : null
        const shares = Array.from({ length: THREADS }, (_, i) => callers.filter((_, j) => j % THREADS === i))
        const results = await Promise.all(
          shares.map(
            (share) =>
              new Promise<ThreadResult>((resolve, reject) => {
                const worker = new Worker(CALLERS, { eval: true, workerData: { base, callers: share, rampEnd, until } })
                worker.once('message', (result: ThreadResult) => void worker.terminate().then(() => resolve(result)))
                worker.once('error', reject)
              }),
          ),
        )
        clearInterval(sampler)
        if (killer) clearTimeout(killer)
        await sample()
        const callersUsage = process.cpuUsage(callersCpu)
        const callersCpuMs = (callersUsage.user + callersUsage.system) / 1000
        const soakedMs = Date.now() - started

        const latencies: Record<string, number[]> = {}
        for (const r of results) for (const [label, values] of Object.entries(r.latencies)) (latencies[label] ??= []).push(...values)
        const errors = results.flatMap((r) => r.errors)
        const saved = results.flatMap((r) => r.saved)
        // Every acknowledged visit is there, once.
        let found = 0
        for (let i = 0; i < saved.length; i += 500) {
          found += Number((await db.selectFrom('visits').select((eb) => eb.fn.countAll().as('n')).where('id', 'in', saved.slice(i, i + 500)).executeTakeFirstOrThrow()).n)
        }
        const visitsAfter = Number((await db.selectFrom('visits').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
        const requests = Object.values(latencies).reduce((n, v) => n + v.length, 0)
        // Judged after the ramp, once every caller is in.
        const loaded = memory.filter((m) => m.at >= RAMP_SECONDS)
        const quarter = Math.max(1, Math.floor(loaded.length / 4))
        const heapStart = loaded.slice(0, quarter).reduce((s, m) => s + m.heapUsedMb, 0) / quarter
        const heapEnd = loaded.slice(-quarter).reduce((s, m) => s + m.heapUsedMb, 0) / quarter
        const flat = heapEnd <= heapStart * FLAT
        const rows: string[][] = Object.entries(latencies)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([label, values]) => [label, values.length.toLocaleString('en'), `${percentile(values, 0.5).toFixed(1)} ms`, `${percentile(values, 0.99).toFixed(1)} ms`])
        const notes = [
          `${requests.toLocaleString('en')} requests in ${seconds} s after the ramp (${(requests / seconds).toFixed(0)} a second) from ${callers.length} callers; ${errors.length} errors${errors.length ? `: ${[...new Set(errors)].slice(0, 5).join('; ')}` : ''}`,
          `visits: ${saved.length.toLocaleString('en')} acknowledged, ${found.toLocaleString('en')} of them stored; ${(visitsAfter - visitsBefore).toLocaleString('en')} new rows in all`,
          `server memory after a full collection (s: heap MB / rss MB): ${memory.map((m) => `${m.at}: ${m.heapUsedMb.toFixed(0)}/${m.rssMb.toFixed(0)}`).join(', ')}`,
          `the server's event loop, its longest delay in each ${SAMPLE_SECONDS} s (ms): ${memory.slice(1).map((m) => m.loopDelayMaxMs.toFixed(0)).join(', ')}; the 99th percentile at most ${Math.max(...memory.slice(1).map((m) => m.loopDelayP99Ms)).toFixed(0)} ms`,
          `CPU over the soak, in cores busy (of ${os.availableParallelism()}): the server ${((memory.at(-1)!.cpuMs - memory[0].cpuMs) / soakedMs).toFixed(2)}, the callers ${(callersCpuMs / soakedMs).toFixed(2)}`,
          `live heap ${flat ? 'flat' : 'GROWING'}: first quarter ${heapStart.toFixed(1)} MB, last quarter ${heapEnd.toFixed(1)} MB (flat: within ${Math.round((FLAT - 1) * 100)}%)`,
        ]
        if (errors.length) {
          // By page and answer (the status, or the failure's first words), most first.
          const kinds = new Map<string, number>()
          for (const e of errors) {
            const kind = e.replace(/ (\d{3}) .*$/s, ' $1')
            kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
          }
          notes.push(`errors by page and answer: ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join('; ')}`)
        }
        if (killedAt !== null) notes.push(`server ${servers.length} of ${servers.length} killed (SIGKILL) ${killedAt} s into the soak`)
        // Every server's warnings and errors, counted by message (all of them: the first ten
        // lines alone hid which 500 was which), then the error lines themselves.
        const logLines = servers.flatMap((s, i) => s.output().split('\n').filter((line) => /"level":"(error|warn)"/.test(line)).map((line) => ({ server: i + 1, line })))
        if (logLines.length) {
          const byMessage = new Map<string, number>()
          for (const { line } of logLines) {
            const { level, message } = JSON.parse(line) as { level: string; message: string }
            byMessage.set(`${level} "${message}"`, (byMessage.get(`${level} "${message}"`) ?? 0) + 1)
          }
          notes.push(`the servers' log, warnings and errors by message: ${[...byMessage].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ×${n}`).join('; ')}`)
          const errorLines = logLines.filter(({ line }) => line.includes('"level":"error"'))
          if (errorLines.length) notes.push(`error lines (first 10 of ${errorLines.length}):\n${errorLines.slice(0, 10).map(({ server, line }) => `server ${server}: ${line.slice(0, 600)}`).join('\n')}`)
        }
        // Refused, but with the figures measured: a loaded machine's one slow render should not hide them.
        const table = rows.map((r) => `  ${r[0]}: ${r[1]} requests, p50 ${r[2]}, p99 ${r[3]}`).join('\n')
        // With a server killed, the requests it held fail (nginx resends no POST; a 502 or a
        // cut connection): those are expected. An answer of the app's own 5xx never is.
        const appErrors = errors.filter((e) => / 5\d\d /.test(e) && !/ 50[234] /.test(e))
        const failed = killedAt === null ? errors.length > 0 : appErrors.length > 0
        // A visit the killed server (or a cut connection) stored without its answer reaching
        // the caller is a row more than acknowledged: the phone sends it again under the same
        // id and it is stored once. Lost is what was acknowledged and is not there.
        const rowsAsExpected = killedAt === null ? visitsAfter - visitsBefore === saved.length : visitsAfter - visitsBefore >= saved.length
        if (failed || found !== saved.length || !rowsAsExpected || !flat) throw new Error(`${notes.join('\n')}\nlatencies:\n${table}`)
        return {
          title: `Soak${given || count > 1 ? '' : ' at province scale'}${count > 1 ? ` through nginx to ${count} app servers` : ''}: ${callers.length - managers.length - analysts.length} officers, ${managers.length} managers, ${analysts.length} hq for ${seconds} s after a ${RAMP_SECONDS} s ramp (5–15 s between pages)`,
          columns: [
            { label: 'request', align: 'left' },
            { label: 'count', align: 'right' },
            { label: 'p50', align: 'right' },
            { label: 'p99', align: 'right' },
          ],
          rows,
          notes,
        }
      } finally {
        await nginx?.stop()
        for (const s of servers) await s.stop()
        fs.rmSync(dir, { recursive: true, force: true })
      }
    } finally {
      await database?.destroy()
    }
  },
}
