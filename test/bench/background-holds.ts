// How long the refreshers' daily and rare jobs hold SQLite's write lock beside a request's
// writes (issue 22, decision 0841): on a copy of a seeded province of `--players` players
// (100,000 by default; seeded once into the temporary folder) with a clock for half the assigned players,
// each job runs in a thread set up as in the server (background-holds.job.ts) while the
// serving thread writes on the serving connection every PROBE_MS. With WANQI_LOCK_TRACE=<file>
// and WANQI_LOCK_TRACE_MS=0 (every hold written), prints per job its write transactions'
// holds (p50 / p99 / max, on a core / waiting for one) and the serving writes' waits.
//   WANQI_LOCK_TRACE=/tmp/t.jsonl WANQI_LOCK_TRACE_MS=0 npx tsx test/bench/background-holds.ts
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { sql } from 'kysely'
import { lockWaitersBuffer, openDatabase, SERVING_CONNECTION } from '../../db/connection.server'
import { traceMark } from '../../db/lock-trace.server'
import { openClocksFor } from '../../app/services/clocks/open-clocks.server'
import { rebuildClockSums } from '../../app/services/clocks/clock-sums.server'
import { rebuildMapCells } from '../../app/services/map-cells.server'
import { seedProvince } from './background-holds-seed'

const PROBE_MS = 10
const JOBS = ['queue', 'qualification', 'clocks', 'map'] as const
const argv = process.argv.slice(2)
const arg = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback)
const players = Number(arg('--players', '100000'))
const only = arg('--jobs', JOBS.join(',')).split(',')
const TRACE = process.env.WANQI_LOCK_TRACE ?? ''
if (!TRACE) throw new Error('set WANQI_LOCK_TRACE=<file> (and WANQI_LOCK_TRACE_MS=0)')

const pct = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}
const log = (m: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${m}`)

const seeded = path.join(os.tmpdir(), `wanqi-holds-province-${players}.sqlite`)
await seedProvince(seeded, players, log)
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-holds-')), 'db.sqlite')
fs.copyFileSync(seeded, file)
const { db } = openDatabase(file)
// A clock for half the assigned players (the seed opens none), over the last months.
const assigned = await db.selectFrom('market_players').select('id').where('assigned_officer_id', 'is not', null).orderBy('id').execute()
const clocked = assigned.filter((_, i) => i % 2 === 0)
for (let i = 0; i < clocked.length; i += 1000) {
  await db.transaction().execute(async (trx) => {
    for (const [k, p] of clocked.slice(i, i + 1000).entries())
      await trx
        .updateTable('market_players')
        .set({ channel: (i + k) % 3 ? 'loan_qr' : 'working_group', channel_at: new Date(Date.now() - ((i + k) % 120) * 86_400_000).toISOString() })
        .where('id', '=', p.id)
        .execute()
    await openClocksFor(trx, clocked.slice(i, i + 1000).map((p) => p.id))
  })
}
await rebuildClockSums(db)
await rebuildMapCells(db)
await db.updateTable('map_cells_state').set({ state: 'stale' }).where('id', '=', 1).execute()
// A day's changes before the clock sums' rebuild: 200 clocked players moved to another officer (their groups marked).
const officers = (await db.selectFrom('users').select('id').where('role', '=', 'officer').orderBy('id').execute()).map((o) => o.id)
for (const [k, p] of clocked.slice(0, 200).entries()) await db.updateTable('market_players').set({ assigned_officer_id: officers[(k * 7) % officers.length]! }).where('id', '=', p.id).execute()
await db.deleteFrom('qualification_queue').execute()
await db.insertInto('qualification_queue').columns(['player_id']).expression(db.selectFrom('market_players').select('id')).execute()
log(`${players.toLocaleString('en')} players, ${clocked.length.toLocaleString('en')} with a clock; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
await db.destroy()

const server = openDatabase(file, SERVING_CONNECTION)
const org = (await server.db.selectFrom('org_units').select('id').orderBy('id').executeTakeFirstOrThrow()).id
const url = `file:${file}`
const workerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'background-holds.worker.mjs')
const runs: Record<string, { start: number; end: number; ms: number; writes: number[]; load: string }> = {}
for (const job of JOBS.filter((j) => only.includes(j))) {
  traceMark(TRACE, job)
  const start = performance.timeOrigin + performance.now()
  const writes: number[] = []
  let done = false
  // The serving thread's writes, one every PROBE_MS, as requests' would.
  const probing = (async () => {
    for (let n = 0; !done; n++) {
      const t0 = performance.now()
      await server.db.updateTable('org_units').set({ name: sql<string>`name` }).where('id', '=', org).execute()
      writes.push(performance.now() - t0)
      await new Promise((resolve) => setTimeout(resolve, PROBE_MS))
    }
  })()
  const answer = await new Promise<{ result?: unknown; error?: string; ms: number }>((resolve, reject) => {
    const worker = new Worker(workerFile, { workerData: { url, lockWaiters: lockWaitersBuffer(), job }, execArgv: [] })
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  done = true
  await probing
  if (answer.error) throw new Error(`${job}: ${answer.error}`)
  runs[job] = { start, end: performance.timeOrigin + performance.now(), ms: answer.ms, writes, load: os.loadavg()[0]!.toFixed(1) }
  log(`${job}: ${JSON.stringify(answer.result)} in ${answer.ms.toFixed(0)} ms, load ${runs[job].load}`)
}
await server.db.destroy()
traceMark(TRACE, 'end')

type Line = { kind: string; thread?: string; start: number; end: number; heldMs?: number; waitedMs?: number; cpuMs?: number; runQueueMs?: number; first?: string | null; statements?: number }
const lines = fs.readFileSync(TRACE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)
const f = (n: number) => n.toFixed(1)
for (const [job, run] of Object.entries(runs)) {
  const within = (l: Line) => l.start >= run.start && l.end <= run.end
  // A lone write to the rebuild's temp table takes no lock on the database (0841).
  const holds = lines.filter((l) => l.kind === 'hold' && l.thread !== 'serving' && within(l) && !/clock_sums_next|^create temp|^drop table/i.test(l.first ?? ''))
  const held = holds.map((h) => h.heldMs!)
  const longest = holds.reduce<Line | null>((a, h) => (a === null || h.heldMs! > a.heldMs! ? h : a), null)
  const waits = lines.filter((l) => l.kind === 'wait' && l.thread === 'serving' && within(l)).map((w) => w.waitedMs!)
  console.log(
    `${job}: ${holds.length} holds, p50 ${f(pct(held, 0.5))} / p99 ${f(pct(held, 0.99))} / max ${f(Math.max(0, ...held))} ms, ${f(held.reduce((a, b) => a + b, 0))} ms in all` +
      (longest ? ` (longest: ${f(longest.cpuMs!)} on a core, ${f(longest.runQueueMs!)} waiting for one, ${longest.statements} statements, ${longest.first?.slice(0, 40)})` : '') +
      `; the serving writes: ${run.writes.length}, p50 ${f(pct(run.writes, 0.5))} / max ${f(Math.max(0, ...run.writes))} ms, ${waits.length} waited for the lock (max ${f(Math.max(0, ...waits))} ms); job ${run.ms.toFixed(0)} ms, load ${run.load}`,
  )
}
