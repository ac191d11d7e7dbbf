// Three app server processes on one PostgreSQL behind a real nginx (Debian's, with the
// README's example config on free ports), as a bank runs Wanqi at scale: a session made on
// one server works on the others; an import uploaded through any of them is run once, by one
// of them; the outbox delivers each referral once; the map cells and the figures are brought
// up to date whichever servers run; and killing one server while visits stream in loses no
// visit that was acknowledged. PostgreSQL only: it needs TEST_DATABASE_URL (as .ci/run sets).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
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
import { startNginx, type Nginx } from '../support/nginx'
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process'
import { csvText } from '../support/spreadsheets'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY, WAIT_MS } from '../support/test-constants'
import { Client } from '../support/http-client'

const LOAN_SECRET = 'crash-test-loan-secret'
const pii = createPersonalDataCipher(TEST_DATA_KEY)

let t: TestDatabase
let dir: string
let loan: LoanStandIn
let nginx: Nginx
const servers: ServerProcess[] = []
let org: Awaited<ReturnType<typeof buildOrg>>
let managerId: number
let officerId: number
const playerIds: number[] = []

beforeAll(async () => {
  if (!process.env.TEST_DATABASE_URL) throw new Error('several app servers share one PostgreSQL: set TEST_DATABASE_URL (postgres://…) to run this test')
  process.env.WANQI_TEST_DIALECT = 'postgres'
  t = await createTestDatabase()
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-several-'))
  org = await buildOrg(t.db)
  managerId = await addUser(t.db, 'mgr', 'manager', org.outletA1.id)
  officerId = await addUser(t.db, 'off', 'officer', org.outletA1.id)
  for (let i = 0; i < 30; i++) playerIds.push(await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields(`多机测试企业${i}`), orgUnitId: org.outletA1.id }))
  await assignPlayers(t.db, { actor: { id: managerId, username: 'mgr', ip: null }, scope: scopeOf({ id: managerId, role: 'manager', orgPath: org.outletA1.path }) }, { playerIds, officerId: officerId, reason: 'test' })
  loan = await startLoanStandIn(LOAN_SECRET)
  // One after another: each applies the (already applied) migrations as it starts.
  for (let i = 0; i < 3; i++) {
    servers.push(await startServerProcess({ databaseUrl: t.url, port: await freePort(), dir, env: { LOAN_SYSTEM_URL: loan.url, TRUST_PROXY: '1' } }))
  }
  nginx = await startNginx(servers.map((s) => Number(new URL(s.url).port)), path.join(dir, 'nginx'))
})

afterAll(async () => {
  await nginx?.stop()
  for (const server of servers) await server.kill()
  await loan?.stop()
  await t?.destroy()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

const signedIn = async (base: string, username: string) => {
  const client = new Client(base)
  expect((await client.signIn(username, PASSWORD)).status).toBe(302)
  return client
}

describe('three app servers behind nginx', () => {
  it('a session made through one server is good on every server', async () => {
    const officer = await signedIn(nginx.url, 'off')
    const cookie = `wanqi_session=${officer.cookie('wanqi_session')}`
    for (const server of servers) {
      const response = await fetch(`${server.url}/my`, { headers: { Cookie: cookie }, redirect: 'manual' })
      expect(response.status, server.url).toBe(200)
    }
    // And through the balancer, whichever server answers.
    for (let i = 0; i < 6; i++) expect((await officer.get('/my')).status).toBe(200)
  })

  it('an import uploaded through the balancer is previewed and committed once, by one of the servers', async () => {
    const rows = 500
    const csv = csvText(listRows(Array.from({ length: rows }, (_, i) => ({ uscc: makeUscc(700_000 + i), name: `多机导入第${i + 1}号商贸有限公司`, kind: '企业', registeredOn: '2020-05-01', status: '存续', address: `城关镇人民路${i + 1}号` }))))
    const manager = await signedIn(nginx.url, 'mgr')
    const form = new FormData()
    form.append('source', 'tax')
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'several.csv')
    const upload = await manager.request('/imports?index', { method: 'POST', body: form })
    expect(upload.status).toBe(302)
    const jobId = Number(/\/imports\/(\d+)$/.exec(upload.headers.get('Location') ?? '')?.[1])
    const job = () => t.db.selectFrom('import_jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow()
    await expect.poll(async () => (await job()).status, { timeout: WAIT_MS, interval: 100 }).toBe('previewed')
    expect((await manager.post(`/imports/${jobId}?index`, { intent: 'commit', mergeHouseholds: '1' })).status).toBe(200)
    await expect.poll(async () => (await job()).status, { timeout: WAIT_MS, interval: 100 }).toBe('done')
    const stored = await t.db
      .selectFrom('market_players')
      .select((eb) => [eb.fn.countAll<number>().as('rows'), eb.fn.count<number>('uscc').distinct().as('usccs')])
      .where('import_job_id', '=', jobId)
      .executeTakeFirstOrThrow()
    expect({ rows: Number(stored.rows), usccs: Number(stored.usccs) }).toEqual({ rows, usccs: rows })
    // Claimed by one of the three processes.
    const pids = servers.map((s) => String(s.pid))
    expect(pids).toContain(String((await job()).claimed_by).split('-')[0])
  })

  it('the outbox delivers each referral once, whichever servers run it', async () => {
    const officer = { actor: { id: officerId, username: 'off', ip: null }, scope: scopeOf({ id: officerId, role: 'officer', orgPath: org.outletA1.path }) }
    const referrals: number[] = []
    for (const playerId of playerIds.slice(0, 12)) {
      const visit = parseVisit({ id: `several-need-${playerId}`, playerId, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
      if (!visit.ok) throw new Error('invalid visit')
      await recordVisit(t.db, { ...officer }, visit.data)
      referrals.push((await handOffCase(t.db, { ...officer, clocks: PLAIN_CLOCKS }, { playerId, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })).id)
    }
    const delivered = async () => (await t.db.selectFrom('outbox').select('state').where('referral_id', 'in', referrals).execute()).filter((r) => r.state === 'delivered').length
    await expect.poll(delivered, { timeout: WAIT_MS, interval: 100 }).toBe(referrals.length)
    const copies = [...loan.applications.values()].filter((a) => referrals.includes(a.referralId)).map((a) => a.copies)
    expect(copies).toEqual(referrals.map(() => 1))
    expect(loan.refused).toEqual([])
  })

  it('the map cells and the figures are brought up to date, by one server at a time', async () => {
    // The import and the visits above changed players: the figures' queue drains and the map
    // cells are rebuilt (within ten seconds of a server's look).
    await expect.poll(async () => Number((await t.db.selectFrom('figures_queue').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n), { timeout: WAIT_MS, interval: 200 }).toBe(0)
    await expect.poll(async () => (await t.db.selectFrom('map_cells_state').select('state').executeTakeFirstOrThrow()).state, { timeout: WAIT_MS, interval: 200 }).toBe('ready')
    // Each rebuild took a generation of its own and left only its own cells: no two ran at once over one staleness.
    await expect.poll(async () => (await t.db.selectFrom('map_cells').select('generation').distinct().execute()).length, { timeout: WAIT_MS, interval: 200 }).toBe(1)
    // (The imported players have no position: the map counts those that do.)
    const players = Number((await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).where('lng', 'is not', null).executeTakeFirstOrThrow()).n)
    expect(players).toBeGreaterThan(0)
    const counted = Number((await t.db.selectFrom('map_cells').select((eb) => eb.fn.sum<number>('players').as('n')).where('level', '=', 0).executeTakeFirstOrThrow()).n)
    expect(counted).toBe(players)
  })

  it('killing one server mid-soak loses no acknowledged visit, and a visit sent again is stored once', async () => {
    // Three officers, two phones' worth of streams each, posting visits through nginx.
    const usernames = ['off', 'soak_off2', 'soak_off3']
    const players = new Map<string, number[]>([['off', playerIds]])
    for (const username of usernames.slice(1)) {
      const id = await addUser(t.db, username, 'officer', org.outletA1.id)
      const own: number[] = []
      for (let i = 0; i < 8; i++) own.push(await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields(`${username}企业${i}`), orgUnitId: org.outletA1.id }))
      await assignPlayers(t.db, { actor: { id: managerId, username: 'mgr', ip: null }, scope: scopeOf({ id: managerId, role: 'manager', orgPath: org.outletA1.path }) }, { playerIds: own, officerId: id, reason: 'test' })
      players.set(username, own)
    }
    const officers = new Map(await Promise.all(usernames.map(async (u) => [u, await signedIn(nginx.url, u)] as const)))
    const STREAMS_EACH = 2
    const VISITS_EACH = 12
    const total = usernames.length * STREAMS_EACH * VISITS_EACH
    const acknowledged = new Set<string>()
    // Visits that had an attempt without a 2xx (on the server killed) before one with.
    const retried = new Set<string>()
    let killed = false
    let acknowledgedAfterKill = 0
    const post = (username: string, id: string, playerId: number) =>
      officers
        .get(username)!
        .request('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id, playerId, channel: 'phone', hasNeed: false }) })
        // The body is read here too: a server killed between its headers and its body cuts the
        // answer short, which the phone's outbox counts as no answer.
        .then(async (response) => ({ status: response.status, text: await response.text() }))
        .catch(() => null)
    // As the phone's outbox does: a visit not acknowledged is sent again with the same id.
    const send = async (username: string, id: string, playerId: number) => {
      let last = ''
      for (let attempt = 0; attempt < 20; attempt++) {
        const response = await post(username, id, playerId)
        last = response ? `${response.status} ${response.text.slice(0, 200)}` : 'no answer'
        if (response && (response.status === 201 || response.status === 200)) {
          acknowledged.add(id)
          if (killed) acknowledgedAfterKill++
          // A third of the way in, the first server dies where it stands (its requests under way with it).
          if (!killed && acknowledged.size >= total / 3) {
            killed = true
            await servers[0].kill()
          }
          return
        }
        // 502 from nginx (the request was on the server killed): try again, as the outbox does.
        retried.add(id)
      }
      throw new Error(`visit ${id} was never acknowledged (last: ${last})`)
    }
    await Promise.all(
      usernames.flatMap((username) =>
        Array.from({ length: STREAMS_EACH }, async (_, stream) => {
          const own = players.get(username)!
          for (let i = 0; i < VISITS_EACH; i++) await send(username, `several-soak-${username}-${stream}-${i}`, own[(stream * 5 + i) % own.length])
        }),
      ),
    )
    expect(killed).toBe(true)
    expect(acknowledgedAfterKill).toBeGreaterThan(0)
    expect(acknowledged.size).toBe(total)

    // The phone that lost an acknowledgement sends the visit again: the same id is answered
    // 200, not stored a second time.
    const resent = [...acknowledged].slice(0, 6)
    for (const id of resent) {
      const [, username, stream, i] = /^several-soak-(.+)-(\d+)-(\d+)$/.exec(id)!
      const response = await post(username, id, players.get(username)![(Number(stream) * 5 + Number(i)) % players.get(username)!.length])
      expect(response?.status, id).toBe(200)
    }

    // Every acknowledged visit (the retried ones included) is stored exactly once, with its
    // one audit entry: nothing ran twice.
    const stored = await t.db.selectFrom('visits').select('id').where('id', 'like', 'several-soak-%').execute()
    expect(stored.length).toBe(total)
    expect(new Set(stored.map((v) => v.id))).toEqual(acknowledged)
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['entity_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('action', '=', 'visit.recorded')
      .where('entity_id', 'like', 'several-soak-%')
      .groupBy('entity_id')
      .execute()
    expect(audited.length).toBe(total)
    expect(audited.filter((a) => Number(a.n) !== 1)).toEqual([])
    for (const id of retried) expect(acknowledged.has(id), id).toBe(true)
    // The surviving servers go on with the background work, each piece once: every referral
    // of the outbox test still reached the loan system exactly once.
    await expect.poll(async () => Number((await t.db.selectFrom('figures_queue').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n), { timeout: WAIT_MS, interval: 200 }).toBe(0)
    expect([...loan.applications.values()].filter((a) => a.copies !== 1)).toEqual([])
  })
})
