// Crashes of the real server (app/cli/serve.server.ts in a child process, SIGKILLed where it
// stands, then started again on the same database): in the middle of an import's commit,
// of an officer's visit sync, and of an outbox delivery to the loan system. Afterwards the
// SQLite file passes its integrity check, the import holds a whole number of batches and
// then resumes to exactly the file's rows, every visit the client saw acknowledged is
// stored and a resend stores the rest once each, and the loan system opens one application
// per referral, none lost.
//
// Two waits of the design are a minute long: a job whose runner stopped beating is taken
// over after a minute, and an outbox entry claimed by a dead worker is claimed again after
// a minute. While the server is down the test moves those stamps a minute back instead of
// waiting, as if the server had stayed down that long.
//
// A start is the file's main cost (about 3 s of CPU), so the server a test restarts after
// its crash is left running for the next test, which starts one only if none runs: five
// starts instead of seven, every crash and restart as before.
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { PLAIN_CLOCKS } from '../../app/domain/clocks'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { handOffCase } from '../../app/services/referrals.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { parseVisit } from '../../app/forms/visit'
import { PASSWORD, addUser, buildOrg, playerFields } from '../support/fixtures'
import { listRows, makeUscc } from '../support/lists'
import { startLoanStandIn, type LoanStandIn } from '../support/loan-stand-in'
import { freePort, startServerProcess, waitFor, type ServerProcess } from '../support/server-process'
import { csvText } from '../support/spreadsheets'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY, WAIT_MS } from '../support/test-constants'
import { Client } from '../support/http-client'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const LOAN_SECRET = 'crash-test-loan-secret' // what server-process.ts gives the server
const twoMinutesAgo = () => new Date(Date.now() - 2 * 60_000).toISOString()

let t: TestDatabase
let dir: string
let port: number
let loan: LoanStandIn
let server: ServerProcess | null = null
let org: Awaited<ReturnType<typeof buildOrg>>
let managerId: number
let officerId: number

beforeAll(async () => {
  t = await createTestDatabase()
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-crash-'))
  org = await buildOrg(t.db)
  managerId = await addUser(t.db, 'mgr', 'manager', org.outletA1.id)
  officerId = await addUser(t.db, 'off', 'officer', org.outletA1.id)
  loan = await startLoanStandIn(LOAN_SECRET)
  // One port for every start, so a client's next request after the restart reaches the new server.
  port = await freePort()
})

afterAll(async () => {
  await server?.kill()
  await loan?.stop()
  await t?.destroy()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

async function start(): Promise<ServerProcess> {
  await server?.kill() // left running by a test that failed half way
  server = await startServerProcess({ databaseUrl: t.url, port, dir, env: { LOAN_SYSTEM_URL: loan.url } })
  return server
}

/** The server running on the test's database: the one an earlier test restarted, or a new one. */
async function up(): Promise<ServerProcess> {
  return server ?? start()
}

async function kill() {
  await server!.kill()
  server = null
}

async function stop() {
  await server!.stop()
  server = null
}

async function signedIn(username: string): Promise<Client> {
  const client = new Client(`http://127.0.0.1:${port}`)
  expect((await client.signIn(username, PASSWORD)).status).toBe(302)
  return client
}

/**
 * What a restarted server would find: SQLite's own check of every page and index, and no
 * dangling reference. On a connection of its own: one that checked the search index before
 * another process wrote to it reports that index corrupt when it is not (SQLite's FTS5
 * keeps the index's layout from its last check), so the test's long-lived one will not do.
 */
function expectSqliteIntact() {
  if (t.dialect !== 'sqlite') return // PostgreSQL recovers from its write-ahead log on its own; there is no file to check
  const fresh = new SQLite(t.location, { fileMustExist: true })
  try {
    expect(fresh.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }])
    expect(fresh.pragma('foreign_key_check')).toEqual([])
  } finally {
    fresh.close()
  }
}

/**
 * Bytes the kernel holds unread for the server's end of the connection from `clientPort`
 * (Linux's /proc/net/tcp): none once the server has read them, which Node does with the
 * HTTP parser in the same turn, so the request is then in flight. Undefined while the
 * connection is not listed (not yet accepted by the kernel).
 */
async function unreadByServer(serverPort: number, clientPort: number): Promise<number | undefined> {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0')
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await fs.promises.readFile(table, 'utf8').catch(() => '')).split('\n').slice(1)
    for (const line of lines) {
      // sl local_address rem_address st tx_queue:rx_queue …
      const [, local, remote, , queues] = line.trim().split(/\s+/)
      if (local?.endsWith(`:${hex(serverPort)}`) && remote?.endsWith(`:${hex(clientPort)}`)) return parseInt(queues.split(':')[1], 16)
    }
  }
  return undefined
}

const officerActor = () => ({ actor: { id: officerId, username: 'off', ip: null }, scope: scopeOf({ id: officerId, role: 'officer', orgPath: org.outletA1.path }) })

async function playersForOfficer(prefix: string, count: number): Promise<number[]> {
  const ids: number[] = []
  for (let i = 0; i < count; i++) {
    ids.push(await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields(`${prefix}${i}`), orgUnitId: org.outletA1.id }))
  }
  const manager = { id: managerId, username: 'mgr', ip: null }
  await assignPlayers(t.db, { actor: manager, scope: scopeOf({ id: managerId, role: 'manager', orgPath: org.outletA1.path }) }, { playerIds: ids, officerId: officerId, reason: 'test' })
  return ids
}

describe('an import killed while committing', () => {
  // Rows per committed batch on the server's own thread (BATCH_ROWS in
  // app/services/import/import-jobs.server.ts), which commits files under 4 MB.
  const BATCH = 2000
  const ROWS = 12 * BATCH
  const usccs = Array.from({ length: ROWS }, (_, i) => makeUscc(100_000 + i))
  let jobId: number

  // One test, not two: the restart's behaviour is only defined after the crash before it.
  it('leaves an intact database holding a whole number of batches, the job\'s progress saying exactly which; after the restart it ends with exactly the file\'s rows, none twice', async () => {
    const csv = csvText(
      listRows(usccs.map((uscc, i) => ({ uscc, name: `周口崩溃测试第${i + 1}号商贸有限公司`, kind: '企业', registeredOn: '2020-05-01', status: '存续', address: `城关镇人民路${i + 1}号` }))),
    )
    const bytes = Buffer.from(csv, 'utf8')
    expect(bytes.length).toBeLessThan(4 * 1024 * 1024)

    await up()
    const manager = await signedIn('mgr')
    const form = new FormData()
    form.append('source', 'tax')
    form.append('file', new Blob([bytes], { type: 'text/csv' }), 'crash-list.csv')
    const upload = await manager.request('/imports?index', { method: 'POST', body: form })
    expect(upload.status).toBe(302)
    jobId = Number(/\/imports\/(\d+)$/.exec(upload.headers.get('Location') ?? '')?.[1])
    expect(jobId).toBeGreaterThan(0)

    const job = () => t.db.selectFrom('import_jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow()
    const previewed = await waitFor('the preview', async () => {
      const j = await job()
      if (j.status === 'failed') throw new Error(`the preview failed: ${j.error}`)
      return j.status === 'previewed' ? j : undefined
    }, { timeoutMs: WAIT_MS })
    expect(previewed).toMatchObject({ expected_rows: ROWS, rejected: 0 })

    const commit = await manager.post(`/imports/${jobId}?index`, { intent: 'commit', mergeHouseholds: '1' })
    expect(commit.status).toBe(200)
    // Some batches in, at least two to go: then the server dies, most likely inside a batch.
    await waitFor('the commit to be under way', async () => {
      const j = await job()
      if (j.status === 'done' || j.status === 'failed') throw new Error(`the import ended (${j.status}) before the server was killed: give it more rows`)
      return j.status === 'running' && j.rows_done >= BATCH && j.rows_done <= ROWS - 2 * BATCH ? j : undefined
    }, { timeoutMs: WAIT_MS, everyMs: 20 })
    await kill()

    expectSqliteIntact()
    const after = await job()
    expect(after.status).toBe('running')
    const stored = await t.db
      .selectFrom('market_players')
      .select((eb) => [eb.fn.countAll<number>().as('rows'), eb.fn.count<number>('uscc').distinct().as('usccs')])
      .where('import_job_id', '=', jobId)
      .executeTakeFirstOrThrow()
    const rows = Number(stored.rows)
    expect(rows).toBeGreaterThan(0)
    expect(rows).toBeLessThan(ROWS)
    expect(rows % BATCH).toBe(0)
    expect(Number(stored.usccs)).toBe(rows)
    // The progress was committed with the rows: the job resumes after the last of them
    // (the header is the file's row 1).
    expect(after).toMatchObject({ rows_done: rows, inserted: rows, last_row: rows + 1 })

    // The restart: the job resumes and ends with exactly the file's rows.
    await t.db.updateTable('import_jobs').set({ heartbeat_at: twoMinutesAgo() }).where('id', '=', jobId).execute()
    await start()
    const done = await waitFor('the resumed import to finish', async () => {
      const j = await t.db.selectFrom('import_jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow()
      if (j.status === 'failed') throw new Error(`the resumed import failed: ${j.error}`)
      return j.status === 'done' ? j : undefined
    }, { timeoutMs: WAIT_MS })
    expect(done).toMatchObject({ rows_done: ROWS, total_rows: ROWS, inserted: ROWS, updated: 0, rejected: 0, last_row: ROWS + 1 })
    const resumed = await t.db.selectFrom('market_players').select('uscc').where('import_job_id', '=', jobId).execute()
    expect(resumed.length).toBe(ROWS)
    expect(new Set(resumed.map((p) => p.uscc))).toEqual(new Set(usccs))
    expectSqliteIntact()
  })
})

describe('a visit sync killed mid-stream', () => {
  const VISITS = 300
  const KILL_AFTER = 100
  const PARALLEL = 4
  let visits: { id: string; playerId: number; channel: 'phone'; hasNeed: false; notes: string }[]
  const acknowledged = new Set<string>()
  const attempted = new Set<string>()
  let client: Client

  const send = (visit: (typeof visits)[number]) =>
    client.request('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(visit) })

  /** As the phone's queue does: a send that got no answer is sent again (a connection kept from before the crash may be dead). */
  async function sendUntilAnswered(visit: (typeof visits)[number]): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await send(visit)).status
      } catch (error) {
        if (attempt === 3) throw error
      }
    }
  }

  async function storedTimes(ids: string[]): Promise<Map<string, number>> {
    const times = new Map<string, number>()
    for (let i = 0; i < ids.length; i += 200) {
      const rows = await t.db
        .selectFrom('visits')
        .select(['id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('id', 'in', ids.slice(i, i + 200))
        .groupBy('id')
        .execute()
      for (const r of rows) times.set(r.id, Number(r.n))
    }
    return times
  }

  it('keeps every visit the client saw acknowledged; after the restart, a resend of the rest stores each visit once', async () => {
    const players = await playersForOfficer('同步崩溃测试企业', 6)
    const run = Date.now().toString(36)
    visits = Array.from({ length: VISITS }, (_, i) => ({ id: `crash-sync-${run}-${i}`, playerId: players[i % players.length], channel: 'phone', hasNeed: false, notes: `第${i}次回访` }))
    await up()
    client = await signedIn('off')

    // The phone's queue, several sends at a time; the server dies once KILL_AFTER are in,
    // with the others still on the wire. A send that gets no answer stays queued.
    let next = 0
    let down = false
    let killing: Promise<void> | null = null
    const unexpected: string[] = []
    const worker = async () => {
      while (!down && next < visits.length) {
        const visit = visits[next++]
        attempted.add(visit.id)
        let status: number
        try {
          status = (await send(visit)).status
        } catch {
          down = true // no answer: the connection was cut or refused
          return
        }
        if (status === 201) acknowledged.add(visit.id)
        else unexpected.push(`${visit.id}: ${status}`)
        if (acknowledged.size === KILL_AFTER && !killing) killing = kill()
      }
    }
    await Promise.all(Array.from({ length: PARALLEL }, worker))
    await killing
    expect(unexpected).toEqual([])
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER)
    expect(acknowledged.size).toBeLessThan(VISITS)

    expectSqliteIntact()
    const times = await storedTimes([...acknowledged])
    expect([...acknowledged].filter((id) => times.get(id) !== 1)).toEqual([])

    // The restart: the phone resends what it saw no answer to.
    await start()
    const left = visits.filter((v) => !acknowledged.has(v.id))
    const answers = new Map<string, number>()
    for (let i = 0; i < left.length; i += PARALLEL) {
      await Promise.all(left.slice(i, i + PARALLEL).map(async (v) => answers.set(v.id, await sendUntilAnswered(v))))
    }
    // 201 for a visit the crash lost (or that was never sent), 200 for one stored whose answer was lost.
    expect(left.filter((v) => ![200, 201].includes(answers.get(v.id)!)).map((v) => `${v.id}: ${answers.get(v.id)}`)).toEqual([])
    expect(left.filter((v) => !attempted.has(v.id) && answers.get(v.id) !== 201).map((v) => v.id)).toEqual([])
    const timesAfter = await storedTimes(visits.map((v) => v.id))
    expect(visits.filter((v) => timesAfter.get(v.id) !== 1).map((v) => `${v.id}: ${timesAfter.get(v.id) ?? 0}`)).toEqual([])
    const officerVisits = await t.db.selectFrom('visits').select((eb) => eb.fn.countAll<number>().as('n')).where('officer_id', '=', officerId).where('id', 'like', 'crash-sync-%').executeTakeFirstOrThrow()
    expect(Number(officerVisits.n)).toBe(VISITS)
    // As stored, each as sent.
    const sample = await t.db.selectFrom('visits').select(['id', 'player_id', 'notes']).where('id', '=', visits[VISITS - 1].id).executeTakeFirstOrThrow()
    expect(sample).toEqual({ id: visits[VISITS - 1].id, player_id: visits[VISITS - 1].playerId, notes: visits[VISITS - 1].notes })
  })
})

describe('an outbox delivery killed in flight', () => {
  const REFERRALS = 5
  let referralIds: number[]
  let heldKey: string

  const entries = () => t.db.selectFrom('outbox').select(['id', 'referral_id', 'idempotency_key', 'state', 'claimed_until']).where('topic', '=', 'referral').orderBy('id').execute()

  it('dies with the loan system holding its answer: the cases answered are delivered, the rest wait; after the restart every referral reaches the loan system as one application', async () => {
    // The cases are handed off while no server runs (one an earlier test left would deliver them at once).
    if (server) await stop()
    const players = await playersForOfficer('转介崩溃测试企业', REFERRALS)
    referralIds = []
    for (const playerId of players) {
      const visit = parseVisit({ id: `crash-ref-visit-${playerId}`, playerId, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
      if (!visit.ok) throw new Error('invalid visit')
      await recordVisit(t.db, { ...officerActor() }, visit.data)
      const referral = await handOffCase(t.db, { ...officerActor(), clocks: PLAIN_CLOCKS }, { playerId, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })
      referralIds.push(referral.id)
    }
    expect((await entries()).map((e) => e.state)).toEqual(Array(REFERRALS).fill('pending'))

    // The third case is opened and its answer held; the server dies waiting for it, at once:
    // the server gives up on an answer after 10 s and would go on to the next case, so the
    // kill does not wait for the server to have said it is running (on a busy machine that
    // line can come later than the deliveries).
    const arrived = loan.holdAnswerTo(3)
    let pid = 0
    const starting = startServerProcess({ databaseUrl: t.url, port, dir, env: { LOAN_SYSTEM_URL: loan.url }, onSpawn: (p) => (pid = p) })
    try {
      heldKey = await Promise.race([
        arrived,
        // Fails the test if the server could not start; a third case that never comes is
        // caught by the test's own time limit (a hang guard, not a wait).
        starting.then(() => new Promise<never>(() => {})),
      ])
    } finally {
      try {
        if (pid) process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
      // Waits for the process to be gone: a start cut short kills and waits by itself.
      const started = await starting.catch(() => null)
      await started?.kill()
    }
    loan.release()

    expectSqliteIntact()
    expect(loan.applications.size).toBe(3)
    const after = await entries()
    const answered = [...loan.applications.keys()].filter((key) => key !== heldKey)
    expect(after.filter((e) => e.state === 'delivered').map((e) => e.idempotency_key).sort()).toEqual(answered.sort())
    expect(after.filter((e) => e.state === 'pending').map((e) => e.idempotency_key)).toContain(heldKey)
    expect(after.filter((e) => e.state === 'pending').length).toBe(REFERRALS - 2)

    // The restart: every referral reaches the loan system as one application, and is recorded delivered.
    // The dead worker's claims lapse after a minute.
    await t.db.updateTable('outbox').set({ claimed_until: twoMinutesAgo() }).where('state', '=', 'pending').where('claimed_until', 'is not', null).execute()
    await start()
    const delivered = await waitFor('every referral delivered', async () => {
      const all = await entries()
      return all.every((e) => e.state === 'delivered') ? all : undefined
    }, { timeoutMs: WAIT_MS })

    expect(loan.refused).toEqual([])
    // One application per referral, by its idempotency key, none missing and none extra.
    expect([...loan.applications.keys()].sort()).toEqual(delivered.map((e) => e.idempotency_key).sort())
    expect([...loan.applications.values()].map((a) => a.referralId).sort((a, b) => a - b)).toEqual([...referralIds].sort((a, b) => a - b))
    // The outbox delivers at least once, the key making a resend the same case: only the
    // delivery cut short by the crash was sent again.
    const copies = Object.fromEntries([...loan.applications].map(([key, a]) => [key, a.copies]))
    expect(copies).toEqual(Object.fromEntries(delivered.map((e) => [e.idempotency_key, e.idempotency_key === heldKey ? 2 : 1])))
    // Each referral carries the loan system's reference for its one application.
    const refs = await t.db.selectFrom('referrals').select(['id', 'external_ref']).where('id', 'in', referralIds).execute()
    const byReferral = new Map([...loan.applications.values()].map((a) => [a.referralId, a.externalRef]))
    expect(refs.filter((r) => r.external_ref !== byReferral.get(r.id)).map((r) => `${r.id}: ${r.external_ref}`)).toEqual([])
    expectSqliteIntact()
  })
})

describe('a graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes the request in flight and the delivery under way, then exits 0', async () => {
    const [playerId] = await playersForOfficer('停机测试企业', 1)
    const visit = parseVisit({ id: `shutdown-visit-${playerId}`, playerId, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
    if (!visit.ok) throw new Error('invalid visit')
    await recordVisit(t.db, { ...officerActor() }, visit.data)

    const running = await up()
    const officer = await signedIn('off')
    // A request is under way when the signal comes: a visit whose body is half sent.
    const body = JSON.stringify({ id: `shutdown-sync-${playerId}`, playerId, channel: 'phone', hasNeed: false })
    let finish = () => {}
    let connected = (_socket: net.Socket) => {}
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(`${running.url}/api/v1/visits`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Origin: running.url, Cookie: `wanqi_session=${officer.cookie('wanqi_session')}` } }, (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode!, text }))
      })
      req.on('error', reject)
      req.on('socket', (socket) => socket.once('connect', () => connected(socket)))
      req.write(body.slice(0, 10))
      finish = () => req.end(body.slice(10))
    })
    // Its connection taken and its first bytes read before the signal: the server has read
    // the request's head once this side has handed all of it to the kernel and the kernel
    // holds none of it for the server's socket.
    const socket = await new Promise<net.Socket>((resolve) => (connected = resolve))
    await waitFor('the server to read the request\'s head', async () =>
      socket.writableLength === 0 && (await unreadByServer(port, socket.localPort!)) === 0 ? true : undefined,
    )
    // And so is a delivery (the loan system holds its answer), handed off only now: the
    // server gives up on an answer after 10 s, so the rest must follow its arrival closely.
    const arrived = loan.holdAnswerTo(1)
    const referral = await handOffCase(t.db, { ...officerActor(), clocks: PLAIN_CLOCKS }, { playerId, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })
    const stateOf = async () => (await t.db.selectFrom('outbox').select('state').where('referral_id', '=', referral.id).executeTakeFirstOrThrow()).state
    await arrived
    const ended = running.terminate()
    // No new connection is taken once shutting down.
    await waitFor('the port to refuse new connections', () =>
      new Promise<true | undefined>((resolve) => {
        const socket = net.connect(port, '127.0.0.1')
        socket.once('connect', () => (socket.destroy(), resolve(undefined)))
        socket.once('error', () => resolve(true))
      }),
    )
    expect(await stateOf()).toBe('pending')
    finish()
    const sync = await answer
    expect(sync.status, sync.text).toBe(201)
    loan.release()
    expect(await ended).toEqual({ code: 0, signal: null })
    server = null
    // The visit stored, the delivery finished and recorded.
    expect(await t.db.selectFrom('visits').select('id').where('id', '=', `shutdown-sync-${playerId}`).executeTakeFirst()).toBeDefined()
    expect(await stateOf()).toBe('delivered')
    expect([...loan.applications.values()].filter((a) => a.referralId === referral.id).map((a) => a.copies)).toEqual([1])
    expectSqliteIntact()
  })
})
