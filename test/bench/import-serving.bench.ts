// A big import's commit beside the pages: the real server (app/cli/serve.server.ts, in a
// process of its own, on SQLite) commits a 1,000,000-row list (`--rows N` for fewer) through
// its import runner (the writer thread, its own connection), while three probes ask what a
// person and a phone would: GET /livez, GET /my.data (an officer's list) and POST
// /api/v1/visits, each every PROBE_MS. Their p50/p99/max during the commit are reported
// beside the same probes for `--duration` seconds with nothing else running (the baseline,
// same run, same server), with the commit's pace against the fastest raw insert of the same
// rows (import.bench.ts's baseline) and the machine's load.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createImportJob } from '../../app/services/import/import-jobs.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { scopeOf } from '../../app/domain/scope'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { createUser } from '../../app/services/users/create-user.server'
import { freePort, startServerProcess } from '../support/server-process'
import type { TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { Client } from '../support/http-client'
import { playerFields } from '../support/fixtures'
import { ensureBuild, type Benchmark } from './harness'
import { freshDatabase, rawInserts, writeList } from './import.bench'

const DEFAULT_ROWS = 1_000_000
const PROBE_MS = 100
const PASSWORD = 'bench-password-1'
const MB = 1024 * 1024

type Probe = 'GET /livez' | 'GET /my.data (officer)' | 'POST /api/v1/visits'

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN
}

type Stall = { ms: number; during: string[]; cpuMs?: number; runQueueMs?: number }

/**
 * Why the thread was late, from its own schedule over each stall's window (the loop watch's
 * cpuMs and runQueueMs): on a core (work on the thread), ready but given no core (the
 * machine's doing), or neither (asleep in a blocking call). Each stall goes to the larger.
 */
export function stallCauses(stalls: Stall[]): string {
  const known = stalls.filter((s) => s.cpuMs !== undefined && s.runQueueMs !== undefined)
  if (known.length === 0) return 'the thread\'s schedule not reported (not Linux)'
  const causes = new Map<string, Stall[]>()
  for (const s of known) {
    const window = s.ms + 20
    const asleep = Math.max(0, window - s.cpuMs! - s.runQueueMs!)
    const cause = s.cpuMs! >= s.runQueueMs! && s.cpuMs! >= asleep ? 'working on the thread' : s.runQueueMs! >= asleep ? 'waiting for a core' : 'asleep (a blocking call)'
    causes.set(cause, [...(causes.get(cause) ?? []), s])
  }
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
  const parts = [...causes].map(([cause, list]) => `${list.length} ${cause} (longest ${Math.max(...list.map((s) => s.ms))} ms)`)
  return `${parts.join(', ')}; over all stalls ${sum(known.map((s) => s.cpuMs!))} ms on a core, ${sum(known.map((s) => s.runQueueMs!))} ms waiting for one, of ${sum(known.map((s) => s.ms))} ms late`
}

type ThreadTime = { name: string; cpuS: number; waitS: number }

/**
 * The server's threads' time on a core and waiting for one (Linux's schedstat) by thread id,
 * with their names (the background threads name themselves, app/server/thread-priority.server.ts;
 * the serving thread is `serving`); empty where /proc does not say.
 */
function threadTimes(pid: number): Map<number, ThreadTime> {
  const times = new Map<number, ThreadTime>()
  let tids: string[] = []
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`)
  } catch {
    return times
  }
  for (const tid of tids) {
    try {
      const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ').map(Number)
      const name = Number(tid) === pid ? 'serving' : fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      times.set(Number(tid), { name, cpuS: run / 1e9, waitS: wait / 1e9 })
    } catch {
      // The thread ended meanwhile.
    }
  }
  return times
}

/** Samples the threads every second until stopped, so threads that end (the writer) are counted up to their last second. */
function watchThreads(pid: number) {
  const before = threadTimes(pid)
  const last = new Map(before)
  const sample = () => {
    for (const [tid, time] of threadTimes(pid)) last.set(tid, time)
  }
  const timer = setInterval(sample, 1000)
  timer.unref()
  return {
    /** Each thread name's seconds on a core / waiting for one since the start. */
    stop(): string {
      clearInterval(timer)
      sample()
      if (last.size === 0) return "the server's threads' schedule: not readable here (no /proc)"
      const byName = new Map<string, { cpuS: number; waitS: number }>()
      for (const [tid, time] of last) {
        const sum = byName.get(time.name) ?? { cpuS: 0, waitS: 0 }
        byName.set(time.name, { cpuS: sum.cpuS + time.cpuS - (before.get(tid)?.cpuS ?? 0), waitS: sum.waitS + time.waitS - (before.get(tid)?.waitS ?? 0) })
      }
      const rows = [...byName]
        .filter(([name, t]) => t.cpuS >= 0.5 || name === 'serving')
        .sort(([a, x], [b, y]) => (a === 'serving' ? -1 : b === 'serving' ? 1 : y.cpuS - x.cpuS))
      return `the server's threads over the commit, s on a core / s ready but waiting for one: ${rows.map(([name, t]) => `${name} ${t.cpuS.toFixed(1)} / ${t.waitS.toFixed(1)}`).join(', ')}`
    },
  }
}

export const benchmark: Benchmark = {
  name: 'import-serving',
  async run({ rows: requested, durationSeconds, log }) {
    ensureBuild(log)
    const rows = requested ?? DEFAULT_ROWS
    const pii = createPersonalDataCipher(TEST_DATA_KEY)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-bench-import-serving-'))
    const databases: TestDatabase[] = []
    try {
      const file = path.join(dir, `list-${rows}.csv`)
      await writeList(file, rows)
      const bytes = fs.statSync(file).size
      log(`wrote ${rows.toLocaleString('en')} rows, ${(bytes / MB).toFixed(0)} MB`)

      const database = await freshDatabase(databases)
      const { db } = database
      const hq = await db.selectFrom('org_units').select(['id', 'path']).executeTakeFirstOrThrow()
      const managerId = await createUser(db, SYSTEM_ACTOR, { username: 'bench.manager', name: 'bench manager', role: 'manager', orgUnitId: hq.id, password: PASSWORD })
      const officerId = await createUser(db, SYSTEM_ACTOR, { username: 'bench.officer', name: 'bench officer', role: 'officer', orgUnitId: hq.id, password: PASSWORD })
      const players: number[] = []
      for (let i = 0; i < 50; i++) players.push(await createPlayer(db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields(`探针企业${i}`), orgUnitId: hq.id }))
      await assignPlayers(db, { actor: { id: managerId, username: 'bench.manager', ip: null }, scope: scopeOf({ id: managerId, role: 'manager', orgPath: hq.path }) }, { playerIds: players, officerId: officerId, reason: 'bench' })

      // IMPORT_SERVING_NODE_ARGS: Node's flags for the server, to look inside it (`--cpu-prof --cpu-prof-dir=DIR`, `--trace-gc`).
      const nodeArgs = process.env.IMPORT_SERVING_NODE_ARGS?.split(' ').filter(Boolean)
      // IMPORT_SERVING_NICE: the server's nice value (e.g. -5, as systemd's Nice= would set it on a machine shared with other work).
      const nice = process.env.IMPORT_SERVING_NICE ? Number(process.env.IMPORT_SERVING_NICE) : undefined
      if (nice !== undefined && !Number.isInteger(nice)) throw new Error(`IMPORT_SERVING_NICE must be a whole number, got ${process.env.IMPORT_SERVING_NICE}`)
      // IMPORT_SERVING_RR: the server's SCHED_RR priority (e.g. 1, as systemd's CPUSchedulingPolicy=rr would set it).
      const realTime = process.env.IMPORT_SERVING_RR ? Number(process.env.IMPORT_SERVING_RR) : undefined
      const server = await startServerProcess({ databaseUrl: database.url, port: await freePort(), dir: path.join(dir, 'server'), env: { LOG_LEVEL: 'info' }, nodeArgs, nice, realTime })
      if (nice !== undefined) log(`the server runs at nice ${nice}`)
      if (realTime !== undefined) log(`the server runs at SCHED_RR ${realTime}`)
      try {
        const officer = new Client(server.url)
        if ((await officer.signIn('bench.officer', PASSWORD)).status !== 302) throw new Error('the officer could not sign in')
        let visit = 0
        const ask: Record<Probe, () => Promise<Response>> = {
          'GET /livez': () => fetch(`${server.url}/livez`),
          'GET /my.data (officer)': () => officer.get('/my.data'),
          'POST /api/v1/visits': () =>
            officer.request('/api/v1/visits', {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ id: `probe-${process.pid}-${++visit}`, playerId: players[visit % players.length], channel: 'phone', hasNeed: false }),
            }),
        }
        /** Each probe every PROBE_MS until `done()` says stop: latencies in ms, and failures. */
        const probe = async (done: () => boolean) => {
          const latencies = new Map<Probe, number[]>()
          const failures: string[] = []
          await Promise.all(
            (Object.keys(ask) as Probe[]).map(async (label) => {
              const times: number[] = []
              latencies.set(label, times)
              while (!done()) {
                const started = performance.now()
                try {
                  const response = await ask[label]()
                  await response.arrayBuffer()
                  if (response.status >= 400) failures.push(`${label}: ${response.status}`)
                } catch (error) {
                  failures.push(`${label}: ${String(error)}`)
                }
                const ms = performance.now() - started
                times.push(ms)
                if (ms < PROBE_MS) await new Promise((resolve) => setTimeout(resolve, PROBE_MS - ms))
              }
            }),
          )
          return { latencies, failures }
        }

        log(`the probes alone for ${durationSeconds} s`)
        const quietUntil = Date.now() + durationSeconds * 1000
        const quiet = await probe(() => Date.now() >= quietUntil)

        // As the CLI's import does: no preview; the runner of the server takes the job and
        // commits it through its writer thread.
        const jobId = await createImportJob(db, { ...SYSTEM_ACTOR, username: 'bench' }, { source: 'tax', fileName: path.basename(file), filePath: file, fileBytes: bytes, orgUnitId: hq.id })
        const started = performance.now()
        const outputBefore = server.output().length
        const threads = watchThreads(server.pid)
        await db.updateTable('import_jobs').set({ status: 'queued', merge_households: 1 }).where('id', '=', jobId).execute()
        log('the commit, with the probes')
        let status = 'queued'
        const watcher = (async () => {
          while (status !== 'done' && status !== 'failed') {
            await new Promise((resolve) => setTimeout(resolve, 250))
            status = (await db.selectFrom('import_jobs').select('status').where('id', '=', jobId).executeTakeFirstOrThrow()).status
          }
        })()
        const busy = await probe(() => status === 'done' || status === 'failed')
        await watcher
        const commitSeconds = (performance.now() - started) / 1000
        const threadsNote = threads.stop()
        log(threadsNote)
        // The server's own loop watch (app/http/loop-watch.server.ts): each time its thread was held > 100 ms.
        const stalls = server
          .output()
          .slice(outputBefore)
          .split('\n')
          .flatMap((line) => {
            try {
              const entry = JSON.parse(line) as { message?: string; ms?: number; during?: string[]; cpuMs?: number; runQueueMs?: number }
              return entry.message === 'event loop held' ? [{ ms: entry.ms ?? 0, during: entry.during ?? [], cpuMs: entry.cpuMs, runQueueMs: entry.runQueueMs }] : []
            } catch {
              return []
            }
          })
        // What the server said of its failures (a 500's cause), once each.
        const errors = [
          ...new Set(
            server
              .output()
              .slice(outputBefore)
              .split('\n')
              .flatMap((line) => {
                try {
                  const entry = JSON.parse(line) as { level?: string; message?: string; error?: { message?: string } }
                  return entry.level === 'error' ? [`${entry.message}: ${entry.error?.message ?? ''}`] : []
                } catch {
                  return []
                }
              }),
          ),
        ]
        // The runner's own histogram of the thread's lateness over the job (monitorEventLoopDelay).
        const jobDelay = server
          .output()
          .slice(outputBefore)
          .split('\n')
          .flatMap((line) => {
            try {
              const entry = JSON.parse(line) as { message?: string; loopDelayMs?: { p50: number; p99: number; max: number } }
              return entry.message === 'import job stopped' && entry.loopDelayMs ? [entry.loopDelayMs] : []
            } catch {
              return []
            }
          })
          .at(-1)
        // Issue 22: every line that names SQLite's lock (a 500's cause, a background thread's
        // failed turn), by what logged it, and the 500s the probes got.
        const lockLines = server
          .output()
          .slice(outputBefore)
          .split('\n')
          .filter((line) => /database is locked|SQLITE_BUSY/.test(line))
        const lockBy = new Map<string, number>()
        for (const line of lockLines) {
          let what = 'unparsed'
          try {
            const entry = JSON.parse(line) as { level?: string; message?: string }
            what = `${entry.level ?? '?'} "${entry.message ?? ''}"`
          } catch {
            // kept as unparsed
          }
          lockBy.set(what, (lockBy.get(what) ?? 0) + 1)
        }
        const lockNote = lockLines.length
          ? `the server logged "database is locked" ${lockLines.length} times during the commit: ${[...lockBy].map(([what, n]) => `${n}× ${what}`).join('; ')}`
          : 'the server never logged "database is locked" during the commit'
        log(lockNote)
        const delayNote = jobDelay
          ? `the server's event loop delay over the commit (monitorEventLoopDelay): p50 ${jobDelay.p50} / p99 ${jobDelay.p99} / max ${jobDelay.max} ms`
          : "the server's event loop delay over the commit: not reported"
        log(delayNote)
        const stallNote = stalls.length
          ? `the server's thread was held > 100 ms ${stalls.length} times during the commit, the longest ${Math.max(...stalls.map((s) => s.ms))} ms; ${stallCauses(stalls)}; with: ${[...new Set(stalls.map((s) => s.during.join('+') || 'requests only'))].join('; ')}`
          : "the server's thread was never held > 100 ms during the commit"
        log(stallNote)
        const load = os.loadavg()
        if (status !== 'done') throw new Error(`the import ended ${status}: ${server.output().slice(-2000)}`)
        const stored = Number((await db.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).where('import_job_id', '=', jobId).executeTakeFirstOrThrow()).n)
        if (stored !== rows) throw new Error(`expected ${rows} players stored, found ${stored}`)
        // The server's peak resident memory (its writer and prepare threads included): issue 22 saw 1.5 GB at a million rows.
        const peak = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]
        const memoryNote = peak ? `the server's peak resident memory (VmHWM, threads included): ${(Number(peak) / 1024).toFixed(0)} MB` : "the server's peak memory: not readable here (no /proc)"
        log(memoryNote)
        await server.stop()
        // Said now too: the raw baseline after it takes a while on a busy machine.
        const summary = (label: Probe) => `${label}: alone p50 ${percentile(quiet.latencies.get(label)!, 0.5).toFixed(0)} / p99 ${percentile(quiet.latencies.get(label)!, 0.99).toFixed(0)} ms; during the commit p50 ${percentile(busy.latencies.get(label)!, 0.5).toFixed(0)} / p99 ${percentile(busy.latencies.get(label)!, 0.99).toFixed(0)} / max ${Math.max(...busy.latencies.get(label)!).toFixed(0)} ms`
        log(`the commit took ${commitSeconds.toFixed(1)} s (load ${load.map((l) => l.toFixed(1)).join(', ')}); ${(Object.keys(ask) as Probe[]).map(summary).join('; ')}`)

        log('the raw insert baseline')
        const raws = await rawInserts([await freshDatabase(databases), await freshDatabase(databases)], pii, rows, log)
        const fastest = raws.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a))
        const importRate = rows / commitSeconds
        const cell = (values: number[] | undefined, q: number) => (values?.length ? `${percentile(values, q).toFixed(0)} ms` : '-')
        const tableRows = (Object.keys(ask) as Probe[]).flatMap((label) => [
          [`${label}, alone`, String(quiet.latencies.get(label)!.length), cell(quiet.latencies.get(label), 0.5), cell(quiet.latencies.get(label), 0.99), `${Math.max(...quiet.latencies.get(label)!).toFixed(0)} ms`],
          [`${label}, during the commit`, String(busy.latencies.get(label)!.length), cell(busy.latencies.get(label), 0.5), cell(busy.latencies.get(label), 0.99), `${Math.max(...busy.latencies.get(label)!).toFixed(0)} ms`],
        ])
        return {
          title: `import beside the pages: ${rows.toLocaleString('en')} rows (${(bytes / MB).toFixed(0)} MB) committed by the server's runner while probes ask every ${PROBE_MS} ms`,
          columns: [
            { label: 'probe', align: 'left' },
            { label: 'count', align: 'right' },
            { label: 'p50', align: 'right' },
            { label: 'p99', align: 'right' },
            { label: 'max', align: 'right' },
          ],
          rows: tableRows,
          notes: [
            `the commit: ${commitSeconds.toFixed(1)} s, ${Math.round(importRate).toLocaleString('en')} rows/s; the fastest raw insert (${fastest.label}) ${Math.round(fastest.rowsPerSecond).toLocaleString('en')} rows/s: ${(importRate / fastest.rowsPerSecond).toFixed(2)}× (the commit's time includes reading, checking and deriving every row)`,
            stallNote,
            threadsNote,
            delayNote,
            memoryNote,
            lockNote,
            `500s during the commit: ${busy.failures.filter((f) => f.endsWith(': 500')).length}`,
            `failures: alone ${quiet.failures.length}, during the commit ${busy.failures.length}${busy.failures.length ? `: ${[...new Set(busy.failures)].slice(0, 5).join('; ')}` : ''}${errors.length ? `; the server's errors: ${errors.slice(0, 5).join('; ')}` : ''}`,
            `load average at the end of the commit (1, 5, 15 min): ${load.map((l) => l.toFixed(2)).join(', ')} on ${os.availableParallelism()} cores`,
          ],
        }
      } finally {
        await server.stop()
        // IMPORT_SERVING_LOG: the server's whole output kept in this file (its warnings, `--trace-gc`'s lines).
        if (process.env.IMPORT_SERVING_LOG) fs.writeFileSync(process.env.IMPORT_SERVING_LOG, server.output())
      }
    } finally {
      for (const database of databases) await database.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },
}
