// The loan QR code's public page under abuse beside the officers' pages (issue 25: "100
// submissions a second, refused or accepted, without slowing the officers' pages"). The app
// server runs in a process of its own (test/support/server-process.ts, as deployed) and the
// submissions are sent from a worker thread, so neither this process's probe nor its sending
// is what is measured. An officer's list (GET /my.data) is asked one request at a time, first
// alone (the baseline), then beside each rate of submissions (open loop: sent on the clock,
// not after the last answer; a submission's time counts from when it was due), half accepted,
// the rest refused (no proof of work, or over a phone's limit); the last rate is over the
// server's budget (LOAN_QR_PER_SECOND), whose excess is answered 503 at once. Per phase: the
// server's CPU time and its event loop's delay (test/support/memory-probe.cjs), and how often
// it logged its loop held over 100 ms. Same server, seeded demo county, same run.
// `npm run bench -- qr.bench [--duration N]` (`qr` alone runs qr-page too); QR_RATES=100,300 to choose the rates;
// QR_CPU_PROF=DIR writes the server's CPU profile there (Node's --cpu-prof) when it stops.
// Taken: answered for a reason (accepted 303, no proof 400, over a limit 429), not shed (503).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { DEMO_PASSWORD, seedDatabase } from '../../db/seed/index'
import { LOAN_QR_CONSENT_VERSION } from '../../app/domain/loan-qr'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { issueLoanQrCode } from '../../app/services/loan-qr/issue-loan-qr-code.server'
import { issueLoanQrChallenge, solveLoanQrChallenge } from '../../app/services/loan-qr/loan-qr-challenge.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { Client } from '../support/http-client'
import { makeUscc } from '../support/lists'
import { freePort, startServerProcess, type MemorySample, type ServerProcess } from '../support/server-process'
import { TEST_DATA_KEY } from '../support/test-constants'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { ensureBuild, type Benchmark } from './harness'

/** The session secret startServerProcess gives the server: challenges made here are its own. */
const SERVER_SECRET = 'crash-test-session-secret'
const EXPECTED = [303, 400, 429, 503]

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (at - lo)
}

const p50p99 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return [quantile(sorted, 0.5), quantile(sorted, 0.99)] as const
}

/** GET /my.data one at a time until `until`; each answer's time. */
async function probe(officer: Client, until: number): Promise<number[]> {
  const times: number[] = []
  while (Date.now() < until) {
    const started = performance.now()
    const response = await officer.get('/my.data')
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`/my.data answered ${response.status}`)
    times.push(performance.now() - started)
  }
  return times
}

interface Submission {
  body: string
  ip: string
}

interface SenderResult {
  statuses: Record<string, number>
  times: number[]
  errors: string[]
  /** How late the thread sent its latest submission, ms: above a few ms, the sender was the bottleneck. */
  maxLateMs: number
}

/**
 * The worker thread's sender: each submission on its due time (a tick every 2 ms sends all
 * that are due), over keep-alive connections as many as it needs, like many phones at once.
 */
const SENDER = `
const { parentPort, workerData } = require('node:worker_threads')
const http = require('node:http')
const { base, token, submissions, rate, startAt } = workerData
const url = new URL(base)
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
const statuses = {}
const times = []
const errors = []
let maxLateMs = 0
let next = 0
let done = 0
function send(s, due) {
  const body = Buffer.from(s.body)
  const req = http.request({ host: url.hostname, port: url.port, path: '/q/' + token, method: 'POST', agent, headers: {
    'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length, Origin: base, 'X-Forwarded-For': s.ip,
  } }, (res) => {
    res.on('data', () => {})
    res.on('end', () => {
      times.push(Date.now() - due)
      statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1
      finish()
    })
  })
  req.on('error', (error) => { errors.push(String(error)); finish() })
  req.end(body)
}
function finish() {
  if (++done === submissions.length) { agent.destroy(); parentPort.postMessage({ statuses, times, errors, maxLateMs }) }
}
// The schedule of the load itself (a submission due every 1000/rate ms, each timed from when
// it was due), not a wait for a state: the bench measures pages beside this rate.
function tick() {
  const now = Date.now()
  while (next < submissions.length) {
    const due = startAt + (next * 1000) / rate
    if (due > now) break
    maxLateMs = Math.max(maxLateMs, now - due)
    send(submissions[next++], due)
  }
  if (next < submissions.length) setTimeout(tick, 2)
}
setTimeout(tick, Math.max(0, startAt - Date.now()))
`

function sendFromThread(data: { base: string; token: string; submissions: Submission[]; rate: number; startAt: number }): Promise<SenderResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SENDER, { eval: true, workerData: data })
    worker.once('message', (result: SenderResult) => void worker.terminate().then(() => resolve(result)))
    worker.once('error', reject)
  })
}

/** Count `count` submissions from `from` on: half accepted, a quarter without proof of work, a quarter on one phone. */
function prepare(token: string, from: number, count: number, sharedPhone: string): Submission[] {
  const out: Submission[] = []
  for (let n = 0; n < count; n++) {
    const i = from + n
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
    const challenge = issueLoanQrChallenge(SERVER_SECRET, token)
    const kind = i % 4
    const nonce = kind === 2 ? '0' : solveLoanQrChallenge(challenge)
    const phone = kind === 3 ? sharedPhone : `139${String(10_000_000 + i).slice(-8)}`
    const body = new URLSearchParams({ kind: 'enterprise', name: `压测企业${i}`, uscc: makeUscc(500_000 + i), contactName: '压测', phone, amountWan: '10', purpose: '周转', consent: LOAN_QR_CONSENT_VERSION, challenge, nonce })
    out.push({ body: body.toString(), ip })
  }
  return out
}

const held = (output: string) => (output.match(/event loop held/g) ?? []).length

export const benchmark: Benchmark = {
  name: 'qr',
  async run({ durationSeconds, log }) {
    ensureBuild(log)
    const rates = (process.env.QR_RATES ?? '100,300').split(',').map(Number)
    if (rates.some((r) => !Number.isInteger(r) || r < 1)) throw new Error(`QR_RATES must be whole numbers, got ${process.env.QR_RATES}`)
    let database: TestDatabase | undefined
    let server: ServerProcess | undefined
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-qr-bench-'))
    try {
      database = await createTestDatabase()
      log(`seeding the demo county (${database.dialect})`)
      await seedDatabase(database.db, { scale: 'county', seed: 1, pii: createPersonalDataCipher(TEST_DATA_KEY) })
      const officerRow = await database.db.selectFrom('users').select('id').where('username', '=', 'officer').executeTakeFirstOrThrow()
      const { token } = await issueLoanQrCode(database.db, SYSTEM_ACTOR, { kind: 'all' }, { orgUnitId: null, officerId: officerRow.id })
      log('starting the server process')
      const profile = process.env.QR_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.QR_CPU_PROF)}`] : []
      server = await startServerProcess({ databaseUrl: database.url, port: await freePort(), dir, memoryProbe: true, env: { TRUST_PROXY: '1' }, nodeArgs: profile })
      const base = server.url
      const officer = new Client(base)
      if ((await officer.signIn('officer', DEMO_PASSWORD)).status !== 302) throw new Error('the officer could not sign in')
      const pageBytes = Buffer.byteLength(await (await fetch(`${base}/q/${token}`)).text())
      // Warm the officer's list and the QR page's POST path before any figure is taken.
      await probe(officer, Date.now() + 1000)

      // Every submission ready before the clock starts: challenges made and solved.
      const prepared: Submission[][] = []
      let from = 0
      for (const [k, rate] of rates.entries()) {
        const total = rate * durationSeconds
        log(`solving ${total} challenges for ${rate}/s`)
        prepared.push(prepare(token, from, total, `1380000000${k}`))
        from += total
      }

      const rows: string[][] = []
      const notes: string[] = []
      const summary: string[] = []
      // Each phase from its sample to the next: the submissions' phase lasts until the last is answered.
      let sampledAt = performance.now()
      const phaseServer = async (before: MemorySample, output: number) => {
        const after = await server!.memory()
        const wallMs = performance.now() - sampledAt
        sampledAt = performance.now()
        return { cpu: ((after.cpuMs - before.cpuMs) / wallMs) * 100, wallS: wallMs / 1000, loopP99: after.loopDelayP99Ms, loopMax: after.loopDelayMaxMs, held: held(server!.output()) - output, after }
      }
      let sample = await server.memory()
      sampledAt = performance.now()

      log(`/my.data alone: ${durationSeconds} s`)
      let outputAt = held(server.output())
      const alone = await probe(officer, Date.now() + durationSeconds * 1000)
      const aloneServer = await phaseServer(sample, outputAt)
      sample = aloneServer.after
      const [aloneP50, aloneP99] = p50p99(alone)
      const serverCell = (s: Awaited<ReturnType<typeof phaseServer>>) => `${s.cpu.toFixed(0)}% of ${s.wallS.toFixed(0)} s, loop p99 ${s.loopP99.toFixed(0)} max ${s.loopMax.toFixed(0)} ms, held>100ms ×${s.held}`
      rows.push(['GET /my.data alone (baseline)', String(alone.length), aloneP50.toFixed(1), aloneP99.toFixed(1), '1.00×', serverCell(aloneServer)])

      for (const [k, rate] of rates.entries()) {
        log(`/my.data beside ${rate} submissions a second: ${durationSeconds} s`)
        outputAt = held(server.output())
        const startAt = Date.now() + 200
        const sent = sendFromThread({ base, token, submissions: prepared[k]!, rate, startAt })
        const beside = await probe(officer, startAt + durationSeconds * 1000)
        const sender = await sent
        const besideServer = await phaseServer(sample, outputAt)
        sample = besideServer.after
        const unexpected = Object.keys(sender.statuses).filter((s) => !EXPECTED.includes(Number(s)))
        if (unexpected.length) throw new Error(`submissions answered ${unexpected.join(', ')}`)
        const [p50, p99] = p50p99(beside)
        const [subP50, subP99] = p50p99(sender.times)
        rows.push([`GET /my.data beside ${rate} submissions/s`, String(beside.length), p50.toFixed(1), p99.toFixed(1), `${(p50 / aloneP50).toFixed(2)}×`, serverCell(besideServer)])
        rows.push([`  POST /q/<token> at ${rate}/s`, String(prepared[k]!.length), subP50.toFixed(1), subP99.toFixed(1), '', ''])
        const count = (s: number) => sender.statuses[s] ?? 0
        const failed = sender.errors.length ? `, ${sender.errors.length} connections failed (${[...new Set(sender.errors)].slice(0, 2).join('; ')})` : ''
        const taken = count(303) + count(400) + count(429)
        const share = (taken / prepared[k]!.length) * 100
        summary.push(`  ${String(rate).padStart(4)}/s  taken ${share.toFixed(0).padStart(3)}% (${taken}/${prepared[k]!.length})  tries p50/p99 ${subP50.toFixed(0)}/${subP99.toFixed(0)} ms  /my.data p50/p99 ${aloneP50.toFixed(0)}/${aloneP99.toFixed(0)} alone → ${p50.toFixed(0)}/${p99.toFixed(0)} beside (${(p50 / aloneP50).toFixed(2)}×)`)
        notes.push(`at ${rate}/s: ${count(303)} accepted (303), ${count(400)} without proof of work (400), ${count(429)} over a phone's limit (429), ${count(503)} over the budget (503)${failed}; the sender's latest send ${Math.round(sender.maxLateMs)} ms late`)
      }
      notes.push('p50 ratio: beside / alone; server: its CPU time over the phase until the last answer (100% = one core, all threads), its event loop delay, and its "event loop held" warnings')
      notes.push(`the public page weighs ${pageBytes.toLocaleString('en-US')} bytes (limit 51,200), with no script or style file to fetch`)
      notes.push(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}`)
      notes.push('summary (taken: answered for a reason, accepted or refused 400/429, not shed 503):', ...summary)
      return {
        title: `qr: the loan QR page's submissions beside an officer's list (${database.dialect}, seeded demo county, the server in its own process), ${durationSeconds} s each`,
        columns: [
          { label: 'measure', align: 'left' },
          { label: 'requests', align: 'right' },
          { label: 'p50 ms', align: 'right' },
          { label: 'p99 ms', align: 'right' },
          { label: 'p50 ratio', align: 'right' },
          { label: 'server', align: 'left' },
        ],
        rows,
        notes,
      }
    } finally {
      await server?.stop()
      await database?.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },
}
