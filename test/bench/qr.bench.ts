// The loan QR code's public page under abuse beside the officers' pages (issue 25: "100
// submissions a second, refused or accepted, without slowing the officers' pages"). The app
// runs as deployed (test/support/server-process.ts), by default (QR_SERVERS=two, decision 0891)
// as the officers' server and a second process serving only the loan QR page (SERVE_ONLY=
// loan-qr) on the same database, the tries sent to that one; QR_SERVERS=one sends them to the
// officers' server itself. Both the submissions and the officers' pages are sent from worker
// threads, so neither this process's probe nor its sending is what is measured. The code's
// leads land in the list of an officer whose pages are not asked for (a measured list growing by
// ~1,500 firms a phase would time a bigger list, not the tries beside it). Seeded demo county,
// one run; each rate of QR_RATES (open loop: a submission sent when due, timed from then; half
// accepted, the rest refused: no proof of work, or over a phone's limit) is measured three ways:
// - officers on their own schedule (open loop, the question issue 25 asks): the officers' pages
//   (GET /my.data, /my, /players/:id, /players?q=, POST /api/v1/visits, in turn) requested at
//   Poisson-distributed moments, OFFICER_RATE a second (default 20: the soak's busy hour of a
//   province, 200 of its 2,000 officers at once each opening a page every 5-15 s, decision
//   0591; one server serves them all), the same seeded schedule alone and beside the
//   submissions, each answer timed from when its request was due (a stalled server is not
//   hidden by a caller that waited for it);
// - a throughput share (closed loop, kept from 0561/0641): GET /my.data one request after the
//   other with no pause, alone and beside: that officer alone keeps the serving thread busy,
//   so the ratio says what share of a saturated thread the submissions take, not what an
//   officer waits;
// - the submissions alone: the serving thread's time (event loop not idle) and the process's
//   CPU time per try, over an idle server's.
// Per phase: the server's CPU time, its event loop's delay (test/support/memory-probe.cjs),
// and how often it logged its loop held over 100 ms.
// `npm run bench -- qr [--duration N]`; QR_RATES=100,300 to
// choose the rates; OFFICER_RATE=20 the officers' pages a second;
// QR_CPU_PROF=DIR writes the officers' server's CPU profile there (Node's --cpu-prof) when it
// stops; QR_SERVER_LOG=FILE writes its log at debug level (a line per request with its time in
// the server) there, after the phases' start times.
// The "server" figures are the officers' server's (its process, its serving thread).
// Taken: answered for a reason (accepted 303, no proof 400, over a limit 429), not shed (503).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { DEMO_PASSWORD, seedDatabase } from '../../db/seed/index'
import { LOAN_QR_CONSENT_VERSION } from '../../app/domain/loan-qr'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { issueLoanQrCode } from '../../app/services/loan-qr/issue-loan-qr-code.server'
import { issueLoanQrChallenge, solveLoanQrChallenge, wrongLoanQrNonce } from '../../app/services/loan-qr/loan-qr-challenge.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { Client } from '../support/http-client'
import { makeUscc } from '../support/lists'
import { freePort, startServerProcess, type MemorySample, type ServerProcess } from '../support/server-process'
import { TEST_DATA_KEY } from '../support/test-constants'
import { traceMark } from '../../db/lock-trace.server'
import { summarizeLockTrace } from './lock-trace'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { ensureBuild, type Benchmark } from './harness'
import { officersHoldingPlayers } from './soak-staff'

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
// A connection idle 3 s is closed here before the server's 5 s keep-alive timeout can close it under a request.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, timeout: 3000 })
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

/** An officer the open-loop load asks pages as: a signed-in session and a few of their players. */
interface OfficerSession {
  cookie: string
  players: number[]
}

interface OfficerLoadResult {
  /** Per page, each answer's time from when its request was due, ms. */
  times: Record<string, number[]>
  errors: string[]
  maxLateMs: number
}

/** The pages of the open-loop load, asked in turn: the soak's officer pages and the list's data. */
const OFFICER_PAGES = ['GET /my.data', 'GET /my', 'GET /players/:id', 'GET /players?q=', 'POST /api/v1/visits'] as const

/**
 * The worker thread's officers: requests due at Poisson-distributed moments (independent
 * people), the same seeded schedule every phase, each sent when due whatever the answers
 * before it, over keep-alive connections as many as needed, and timed from when it was due.
 */
const OFFICERS = `
const { parentPort, workerData } = require('node:worker_threads')
const http = require('node:http')
const crypto = require('node:crypto')
const { base, officers, pages, rate, seconds, startAt, seed } = workerData
const url = new URL(base)
// A connection idle 3 s is closed here before the server's 5 s keep-alive timeout can close it under a request.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, timeout: 3000 })
// mulberry32: the same arrivals in every phase.
let state = seed >>> 0
function random() {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const due = []
for (let at = 0; ; ) {
  at += (-Math.log(1 - random()) / rate) * 1000
  if (at >= seconds * 1000) break
  due.push(startAt + at)
}
const times = {}
const errors = []
let maxLateMs = 0
let next = 0
let done = 0
function send(i, dueAt) {
  const officer = officers[i % officers.length]
  const page = pages[i % pages.length]
  const player = officer.players[Math.floor(i / pages.length) % officer.players.length]
  let method = 'GET'
  let path
  let body = null
  const headers = { Cookie: officer.cookie }
  if (page === 'GET /my.data') path = '/my.data'
  else if (page === 'GET /my') path = '/my'
  else if (page === 'GET /players/:id') path = '/players/' + player
  else if (page === 'GET /players?q=') path = '/players?q=' + encodeURIComponent('公司')
  else {
    method = 'POST'
    path = '/api/v1/visits'
    const id = crypto.randomUUID()
    body = Buffer.from(JSON.stringify({ id, playerId: player, channel: 'phone', hasNeed: false, notes: 'qr bench ' + id.slice(0, 8) }))
    Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': body.length, Origin: base })
  }
  const req = http.request({ host: url.hostname, port: url.port, path, method, agent, headers }, (res) => {
    res.on('data', () => {})
    res.on('end', () => {
      const ok = method === 'POST' ? res.statusCode === 201 : res.statusCode === 200
      if (ok) (times[page] ??= []).push(Date.now() - dueAt)
      else errors.push(page + ' answered ' + res.statusCode)
      finish()
    })
  })
  req.on('error', (error) => { errors.push(page + ' ' + String(error)); finish() })
  req.end(body ?? undefined)
}
function finish() {
  if (++done === due.length) { agent.destroy(); parentPort.postMessage({ times, errors, maxLateMs }) }
}
// The schedule of the load itself, not a wait for a state: each request goes when it is due,
// the timer set for the next one (not polled every millisecond: this thread shares the
// machine's cores with the server it measures).
function tick() {
  const now = Date.now()
  while (next < due.length && due[next] <= now) {
    maxLateMs = Math.max(maxLateMs, now - due[next])
    send(next, due[next])
    next++
  }
  if (next < due.length) setTimeout(tick, Math.max(0, due[next] - Date.now()))
}
if (due.length === 0) parentPort.postMessage({ times, errors, maxLateMs })
else setTimeout(tick, Math.max(0, startAt - Date.now()))
`

function officersFromThread(data: { base: string; officers: OfficerSession[]; pages: readonly string[]; rate: number; seconds: number; startAt: number; seed: number }): Promise<OfficerLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(OFFICERS, { eval: true, workerData: data })
    worker.once('message', (result: OfficerLoadResult) => void worker.terminate().then(() => resolve(result)))
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
    const nonce = kind === 2 ? wrongLoanQrNonce(challenge) : solveLoanQrChallenge(challenge)
    const phone = kind === 3 ? sharedPhone : `139${String(10_000_000 + i).slice(-8)}`
    const body = new URLSearchParams({ kind: 'enterprise', name: `压测企业${i}`, uscc: makeUscc(500_000 + i), contactName: '压测', phone, amountWan: '10', purpose: '周转', consent: LOAN_QR_CONSENT_VERSION, challenge, nonce })
    out.push({ body: body.toString(), ip })
  }
  return out
}

const held = (output: string) => (output.match(/event loop held/g) ?? []).length

/** The officers' demo sessions the open-loop load uses: officers of the seeded county who hold players. */
const OFFICER_SESSIONS = 8

export const benchmark: Benchmark = {
  name: 'qr',
  async run({ durationSeconds, log }) {
    ensureBuild(log)
    const rates = (process.env.QR_RATES ?? '100,300').split(',').map(Number)
    if (rates.some((r) => !Number.isInteger(r) || r < 1)) throw new Error(`QR_RATES must be whole numbers, got ${process.env.QR_RATES}`)
    const servers = process.env.QR_SERVERS ?? 'two'
    if (servers !== 'one' && servers !== 'two') throw new Error(`QR_SERVERS must be one or two, got ${process.env.QR_SERVERS}`)
    const officerRate = Number(process.env.OFFICER_RATE ?? 20)
    if (!(officerRate > 0)) throw new Error(`OFFICER_RATE must be a positive number, got ${process.env.OFFICER_RATE}`)
    let database: TestDatabase | undefined
    let server: ServerProcess | undefined
    let publicServer: ServerProcess | undefined
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-qr-bench-'))
    try {
      database = await createTestDatabase()
      log(`seeding the demo county (${database.dialect})`)
      await seedDatabase(database.db, { scale: 'county', seed: 1, pii: createPersonalDataCipher(TEST_DATA_KEY) })
      const fieldOfficers = await officersHoldingPlayers(database.db, OFFICER_SESSIONS)
      // The code's leads land in the list of an officer whose pages are not measured: each
      // phase of tries adds ~1,500 firms to that list, and a measured officer's list growing
      // from phase to phase would time a bigger list, not the tries' load beside it.
      const measured = [...fieldOfficers.map((o) => o.username), 'officer']
      const qrOfficer = await database.db.selectFrom('users').select('id').where('role', '=', 'officer').where('active', '=', 1).where('username', 'not in', measured).orderBy('id', 'desc').executeTakeFirstOrThrow()
      const { token } = await issueLoanQrCode(database.db, SYSTEM_ACTOR, { kind: 'all' }, { orgUnitId: null, officerId: qrOfficer.id })
      log('starting the server process')
      // QR_LOCK_TRACE=<file>: the server (not this process) traces its lock waits and holds
      // (db/lock-trace.server.ts, WANQI_LOCK_TRACE), each phase marked, summed up in the notes.
      const traceFile = process.env.QR_LOCK_TRACE ? path.resolve(process.env.QR_LOCK_TRACE) : undefined
      if (traceFile) fs.writeFileSync(traceFile, '')
      const profile = process.env.QR_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.QR_CPU_PROF)}`] : []
      server = await startServerProcess({ databaseUrl: database.url, port: await freePort(), dir, memoryProbe: true, env: { TRUST_PROXY: '1', ...(process.env.QR_SERVER_LOG ? { LOG_LEVEL: 'debug' } : {}), ...(traceFile ? { WANQI_LOCK_TRACE: traceFile } : {}) }, nodeArgs: profile })
      const base = server.url
      // QR_SERVERS=two (the default, as deployed with a public page, decision 0891): the tries
      // go to a second process limited to the loan QR page (SERVE_ONLY=loan-qr), on the same
      // database; `one`: to the officers' server itself.
      let publicBase = base
      if (servers === 'two') {
        publicServer = await startServerProcess({ databaseUrl: database.url, port: await freePort(), dir: path.join(dir, 'public'), memoryProbe: true, env: { TRUST_PROXY: '1', SERVE_ONLY: 'loan-qr' } })
        publicBase = publicServer.url
      }
      const officer = new Client(base)
      if ((await officer.signIn('officer', DEMO_PASSWORD)).status !== 302) throw new Error('the officer could not sign in')
      const sessions: OfficerSession[] = []
      for (const o of fieldOfficers) {
        const client = new Client(base)
        if ((await client.signIn(o.username, DEMO_PASSWORD)).status !== 302) throw new Error(`${o.username} could not sign in`)
        const players = (await database.db.selectFrom('market_players').select('id').where('assigned_officer_id', '=', o.id).orderBy('id').limit(20).execute()).map((p) => p.id)
        sessions.push({ cookie: `wanqi_session=${client.cookie('wanqi_session')}`, players })
      }
      const pageBytes = Buffer.byteLength(await (await fetch(`${publicBase}/q/${token}`)).text())
      // Warm the officer's list, the officers' pages and the QR page's POST path before any figure is taken.
      await probe(officer, Date.now() + 1000)
      await officersFromThread({ base, officers: sessions, pages: OFFICER_PAGES, rate: officerRate, seconds: 1, startAt: Date.now() + 50, seed: 7 })

      // Every submission ready before the clock starts: challenges made and solved, three
      // phases a rate (alone, beside the closed loop, beside the open loop).
      const prepared: Submission[][][] = []
      let from = 0
      for (const [k, rate] of rates.entries()) {
        const total = rate * durationSeconds
        log(`solving ${3 * total} challenges for ${rate}/s`)
        const phases: Submission[][] = []
        for (let phase = 0; phase < 3; phase++) {
          phases.push(prepare(token, from, total, `138000000${k}${phase}`))
          from += total
        }
        prepared.push(phases)
      }

      const rows: string[][] = []
      const notes: string[] = []
      const summary: string[] = []
      // Each phase from its sample to the next: a submissions' phase lasts until the last is answered.
      let sampledAt = performance.now()
      const phaseServer = async (before: MemorySample, output: number) => {
        const after = await server!.memory()
        const wallMs = performance.now() - sampledAt
        sampledAt = performance.now()
        return {
          cpu: ((after.cpuMs - before.cpuMs) / wallMs) * 100,
          cpuMs: after.cpuMs - before.cpuMs,
          activeMs: after.loopActiveMs - before.loopActiveMs,
          wallMs,
          wallS: wallMs / 1000,
          loopP99: after.loopDelayP99Ms,
          loopMax: after.loopDelayMaxMs,
          held: held(server!.output()) - output,
          after,
        }
      }
      type Phase = Awaited<ReturnType<typeof phaseServer>>
      const serverCell = (s: Phase) => `${s.cpu.toFixed(0)}% of ${s.wallS.toFixed(0)} s, thread ${((s.activeMs / s.wallMs) * 100).toFixed(0)}% at work, loop p99 ${s.loopP99.toFixed(0)} max ${s.loopMax.toFixed(0)} ms, held>100ms ×${s.held}`
      let sample = await server.memory()
      sampledAt = performance.now()
      let outputAt = 0
      const phaseMarks: string[] = []
      const startPhase = (phase: string) => {
        phaseMarks.push(`${new Date().toISOString()} ${phase}`)
        outputAt = held(server!.output())
        if (traceFile) traceMark(traceFile, phase)
      }
      const endPhase = async () => {
        const s = await phaseServer(sample, outputAt)
        sample = s.after
        return s
      }

      // An idle server: what its thread and process spend doing nothing (timers, the loop
      // watch, the background loops), taken from the submissions' phases to cost a try.
      log(`the server idle: ${durationSeconds} s`)
      startPhase('idle')
      // The phase's length, not a wait for a state: the server is measured doing nothing for it.
      await new Promise((resolve) => setTimeout(resolve, durationSeconds * 1000))
      const idle = await endPhase()
      const idleActivePerMs = idle.activeMs / idle.wallMs
      const idleCpuPerMs = idle.cpuMs / idle.wallMs

      log(`officers' pages alone, ${officerRate} a second on their own schedule: ${durationSeconds} s`)
      const seed = 2026
      const openLoop = (startAt: number) => officersFromThread({ base, officers: sessions, pages: OFFICER_PAGES, rate: officerRate, seconds: durationSeconds, startAt, seed })
      startPhase('officers alone')
      const openAlone = await openLoop(Date.now() + 200)
      const openAloneServer = await endPhase()
      if (openAlone.errors.length) throw new Error(`the officers' pages failed alone: ${[...new Set(openAlone.errors)].slice(0, 3).join('; ')}`)

      log(`/my.data one after another alone (throughput share): ${durationSeconds} s`)
      startPhase('my.data closed loop alone')
      const alone = await probe(officer, Date.now() + durationSeconds * 1000)
      const closedAloneServer = await endPhase()
      const [aloneP50, aloneP99] = p50p99(alone)

      const pagesOf = (result: OfficerLoadResult) => OFFICER_PAGES.map((page) => result.times[page] ?? [])
      const allOf = (result: OfficerLoadResult) => pagesOf(result).flat()
      const [openAloneP50, openAloneP99] = p50p99(allOf(openAlone))
      rows.push([`officers' pages at ${officerRate}/s, own schedule, alone (baseline)`, String(allOf(openAlone).length), openAloneP50.toFixed(1), openAloneP99.toFixed(1), '1.00×', '1.00×', serverCell(openAloneServer)])
      for (const page of OFFICER_PAGES) {
        const [p50, p99] = p50p99(openAlone.times[page] ?? [])
        rows.push([`  ${page}`, String((openAlone.times[page] ?? []).length), p50.toFixed(1), p99.toFixed(1), '', '', ''])
      }
      rows.push(['GET /my.data one after another, alone (throughput share baseline)', String(alone.length), aloneP50.toFixed(1), aloneP99.toFixed(1), '1.00×', '1.00×', serverCell(closedAloneServer)])

      const statusCounts = (sender: SenderResult) => {
        const unexpected = Object.keys(sender.statuses).filter((s) => !EXPECTED.includes(Number(s)))
        if (unexpected.length) throw new Error(`submissions answered ${unexpected.join(', ')}`)
        const count = (s: number) => sender.statuses[s] ?? 0
        return { count, taken: count(303) + count(400) + count(429) }
      }
      for (const [k, rate] of rates.entries()) {
        const [qrAlone, qrClosed, qrOpen] = prepared[k]!
        const total = qrAlone!.length

        log(`${rate} submissions a second alone: ${durationSeconds} s`)
        startPhase(`tries alone at ${rate}/s`)
        const publicBefore = await publicServer?.memory()
        const sentAlone = await sendFromThread({ base: publicBase, token, submissions: qrAlone!, rate, startAt: Date.now() + 200 })
        const publicAfter = await publicServer?.memory()
        const qrServer = await endPhase()
        const publicCpuPerTry = publicBefore && publicAfter ? (publicAfter.cpuMs - publicBefore.cpuMs) / total : null
        const soloCounts = statusCounts(sentAlone)
        const activePerTry = (qrServer.activeMs - idleActivePerMs * qrServer.wallMs) / total
        const cpuPerTry = (qrServer.cpuMs - idleCpuPerMs * qrServer.wallMs) / total
        const [soloP50, soloP99] = p50p99(sentAlone.times)
        rows.push([`POST /q/<token> at ${rate}/s alone`, String(total), soloP50.toFixed(1), soloP99.toFixed(1), '', '', serverCell(qrServer)])

        log(`officers' pages on their own schedule beside ${rate} submissions a second: ${durationSeconds} s`)
        startPhase(`officers beside tries at ${rate}/s`)
        const startAt = Date.now() + 200
        const sentOpen = sendFromThread({ base: publicBase, token, submissions: qrOpen!, rate, startAt })
        const openBeside = await openLoop(startAt)
        const senderOpen = await sentOpen
        const openServer = await endPhase()
        if (openBeside.errors.length) throw new Error(`the officers' pages failed beside the submissions: ${[...new Set(openBeside.errors)].slice(0, 3).join('; ')}`)
        const openCounts = statusCounts(senderOpen)
        const [openP50, openP99] = p50p99(allOf(openBeside))
        rows.push([`officers' pages at ${officerRate}/s, own schedule, beside ${rate} submissions/s`, String(allOf(openBeside).length), openP50.toFixed(1), openP99.toFixed(1), `${(openP50 / openAloneP50).toFixed(2)}×`, `${(openP99 / openAloneP99).toFixed(2)}×`, serverCell(openServer)])
        for (const page of OFFICER_PAGES) {
          const [a50, a99] = p50p99(openAlone.times[page] ?? [])
          const [p50, p99] = p50p99(openBeside.times[page] ?? [])
          rows.push([`  ${page}`, String((openBeside.times[page] ?? []).length), p50.toFixed(1), p99.toFixed(1), `${(p50 / a50).toFixed(2)}×`, `${(p99 / a99).toFixed(2)}×`, ''])
        }
        const [subOpenP50, subOpenP99] = p50p99(senderOpen.times)
        rows.push([`  POST /q/<token> at ${rate}/s`, String(total), subOpenP50.toFixed(1), subOpenP99.toFixed(1), '', '', ''])

        log(`/my.data one after another beside ${rate} submissions a second (throughput share): ${durationSeconds} s`)
        startPhase(`my.data closed loop beside tries at ${rate}/s`)
        const closedAt = Date.now() + 200
        const sentClosed = sendFromThread({ base: publicBase, token, submissions: qrClosed!, rate, startAt: closedAt })
        const beside = await probe(officer, closedAt + durationSeconds * 1000)
        const senderClosed = await sentClosed
        const closedServer = await endPhase()
        const closedCounts = statusCounts(senderClosed)
        const [p50, p99] = p50p99(beside)
        rows.push([`GET /my.data one after another, beside ${rate} submissions/s (throughput share)`, String(beside.length), p50.toFixed(1), p99.toFixed(1), `${(p50 / aloneP50).toFixed(2)}×`, `${(p99 / aloneP99).toFixed(2)}×`, serverCell(closedServer)])
        const [subP50, subP99] = p50p99(senderClosed.times)
        rows.push([`  POST /q/<token> at ${rate}/s`, String(total), subP50.toFixed(1), subP99.toFixed(1), '', '', ''])

        const share = (taken: number) => `${((taken / total) * 100).toFixed(0)}%`
        const counted = (label: string, sender: SenderResult, c: ReturnType<typeof statusCounts>) => {
          const failed = sender.errors.length ? `, ${sender.errors.length} connections failed (${[...new Set(sender.errors)].slice(0, 2).join('; ')})` : ''
          return `at ${rate}/s ${label}: ${c.count(303)} accepted (303), ${c.count(400)} without proof of work (400), ${c.count(429)} over a phone's limit (429), ${c.count(503)} over the budget (503)${failed}; the sender's latest send ${Math.round(sender.maxLateMs)} ms late`
        }
        notes.push(counted('alone', sentAlone, soloCounts), counted('beside the officers on their schedule', senderOpen, openCounts), counted('beside the closed loop', senderClosed, closedCounts))
        notes.push(`the officers' load: latest request ${Math.round(openAlone.maxLateMs)} ms late alone, ${Math.round(openBeside.maxLateMs)} ms beside ${rate}/s`)
        summary.push(
          `  ${String(rate).padStart(4)}/s  taken ${share(openCounts.taken)} (${openCounts.taken}/${total}) beside the officers, ${share(soloCounts.taken)} alone  tries p50/p99 ${subOpenP50.toFixed(0)}/${subOpenP99.toFixed(0)} ms`,
          `         per try: the officers' server's serving thread ${activePerTry.toFixed(2)} ms, its CPU ${cpuPerTry.toFixed(2)} ms (the submissions alone, less an idle server's)${publicCpuPerTry === null ? '' : `; the loan QR page's process ${publicCpuPerTry.toFixed(2)} ms of CPU`}`,
          `         officers' pages at ${officerRate}/s on their schedule: p50 ${openAloneP50.toFixed(1)} → ${openP50.toFixed(1)} ms (${(openP50 / openAloneP50).toFixed(2)}×), p99 ${openAloneP99.toFixed(1)} → ${openP99.toFixed(1)} ms (${(openP99 / openAloneP99).toFixed(2)}×)`,
          `         throughput share, /my.data one after another: p50 ${aloneP50.toFixed(1)} → ${p50.toFixed(1)} ms (${(p50 / aloneP50).toFixed(2)}×), p99 ${aloneP99.toFixed(1)} → ${p99.toFixed(1)} ms (${(p99 / aloneP99).toFixed(2)}×)`,
        )
      }
      notes.push(`idle server: thread ${((idle.activeMs / idle.wallMs) * 100).toFixed(1)}% at work, CPU ${idle.cpu.toFixed(1)}% of a core`)
      notes.push('ratios: beside / alone in this run; server: its CPU time over the phase until the last answer (100% = one core, all threads), how much of it the serving thread was at work, its event loop delay, and its "event loop held" warnings')
      notes.push(`officers' pages: ${officerRate} a second at Poisson moments (OFFICER_RATE), ${sessions.length} officers in turn, pages in turn, each timed from when it was due; the same schedule alone and beside`)
      notes.push(`the public page weighs ${pageBytes.toLocaleString('en-US')} bytes (limit 51,200), with no script or style file to fetch`)
      notes.push(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}`)
      if (traceFile) notes.push(...summarizeLockTrace(traceFile))
      if (process.env.QR_SERVER_LOG) fs.writeFileSync(process.env.QR_SERVER_LOG, phaseMarks.join('\n') + '\n---\n' + server.output())
      notes.push('summary (taken: answered for a reason, accepted or refused 400/429, not shed 503):', ...summary)
      return {
        title: `qr: the loan QR page's submissions beside the officers' pages (${database.dialect}, seeded demo county, ${servers === 'two' ? "the tries to a process serving only the loan QR page, the officers to the officers' server" : 'one server process for both'}), ${durationSeconds} s each`,
        columns: [
          { label: 'measure', align: 'left' },
          { label: 'requests', align: 'right' },
          { label: 'p50 ms', align: 'right' },
          { label: 'p99 ms', align: 'right' },
          { label: 'p50 ratio', align: 'right' },
          { label: 'p99 ratio', align: 'right' },
          { label: 'server', align: 'left' },
        ],
        rows,
        notes,
      }
    } finally {
      await publicServer?.stop()
      await server?.stop()
      await database?.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },
}
