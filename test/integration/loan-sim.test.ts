// The whole hand-off over real HTTP: the app, the outbox worker and the stand-in loan
// system each on their own socket. A referral is delivered signed, walks through the
// stages as the stand-in reports them to the events API, and ends disbursed (or declined);
// with the stand-in down the referral waits in the outbox and arrives once when it is back.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { PLAIN_CLOCKS } from '../../app/domain/clocks'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createApiToken } from '../../app/services/api-tokens/create-api-token.server'
import { startLoanSim, type LoanSim } from '../../app/services/loan-sim.server'
import { signBody, startOutboxWorker, type OutboxWorker } from '../../app/services/outbox.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { handOffCase } from '../../app/services/referrals.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { parseVisit } from '../../app/forms/visit'
import { addUser, buildOrg } from '../support/fixtures'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const SECRET = 'test-loan-secret'
let t: TestDatabase
let server: TestServer
let sim: LoanSim
let worker: OutboxWorker
let officer: { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
let mgr: { id: number; path: string }
let n = 0
const simLog: string[] = []

async function referredCase(name: string) {
  const playerId = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, {
    fields: {
      uscc: null, name, kind: 'enterprise', legalRepresentative: '王五', owner: null, idNumber: null, phone: null, industry: 'C', industryCode: null,
      employees: 12, revenueYuan: 3_000_000, assetsYuan: null, registeredOn: '2020-04-01', registrationStatus: 'active', address: '地址', areaCode: null,
      lat: 33.78, lng: 114.53, taxGrade: 'B', loanHistory: 'none', loanCheckedOn: '2026-03-02',
    },
    orgUnitId: (await t.db.selectFrom('org_units').select('id').where('code', '=', 'A-1').executeTakeFirstOrThrow()).id,
  })
  await assignPlayers(t.db, { actor: { id: mgr.id, username: 'mgr', ip: null }, scope: scopeOf({ id: mgr.id, role: 'manager', orgPath: mgr.path }) }, { playerIds: [playerId], officerId: officer.actor.id, reason: 'test' })
  const visit = parseVisit({ id: `sim-visit-${++n}-${Date.now()}`, playerId, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
  if (!visit.ok) throw new Error('invalid visit')
  await recordVisit(t.db, { ...officer }, visit.data)
  return handOffCase(t.db, { ...officer, clocks: PLAIN_CLOCKS }, { playerId, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })
}

async function until(check: () => Promise<boolean>, ms = 60_000) {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error('timed out waiting')
    },
    { timeout: ms, interval: 50 },
  )
}

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  const officerId = await addUser(t.db, 'off', 'officer', org.outletA1.id)
  mgr = { id: await addUser(t.db, 'mgr', 'manager', org.outletA1.id), path: org.outletA1.path }
  officer = { actor: { id: officerId, username: 'off', ip: null }, scope: scopeOf({ id: officerId, role: 'officer', orgPath: org.outletA1.path }) }
  server = await startTestServer(t)
  const { token } = await createApiToken(t.db, { actor: SYSTEM_ACTOR }, { name: 'stand-in' })
  // What the stand-in says (a refused stage report, say) is kept, so a failure explains itself.
  sim = await startLoanSim({ appUrl: server.url, token, secret: SECRET, stepMs: 30, declineRate: 0, log: (m) => simLog.push(m) })
  worker = startOutboxWorker(t.db, { url: sim.url, secret: SECRET }, { intervalMs: 50 })
})

afterAll(async () => {
  await worker?.stop()
  await sim?.stop()
  await server?.close()
  await t?.destroy()
})

describe('the hand-off, end to end', () => {
  it('is delivered signed and moves to disbursed as the stand-in reports each stage', async () => {
    const referral = await referredCase('全流程企业')
    const events = () => t.db.selectFrom('referral_events').select('stage').where('referral_id', '=', referral.id).orderBy('at').orderBy('id').execute()
    // Every stage stored, not only the last: a report the stand-in had to send again (it
    // retries a 5xx a second later) may land after the disbursement.
    const current = () => t.db.selectFrom('referrals').select(['stage', 'external_ref']).where('id', '=', referral.id).executeTakeFirstOrThrow()
    await until(async () => (await current()).stage === 'disbursed' && (await events()).length === 7).catch(async (error: Error) => {
      throw new Error(`${error.message}; stored ${JSON.stringify(await current())} with ${(await events()).map((e) => e.stage).join(', ')}; the stand-in said: ${simLog.join(' | ')}`)
    })
    const history = await events()
    expect(history.map((h) => h.stage)).toEqual(['referred', 'accepted', 'account_opened', 'admitted', 'rated', 'approved', 'disbursed'])
    const stored = await t.db.selectFrom('referrals').select(['external_ref', 'amount_yuan', 'lent_yuan', 'guarantee_type', 'lender_flag', 'credit']).where('id', '=', referral.id).executeTakeFirstOrThrow()
    expect(stored.external_ref).toBe(sim.received.get(`referral-${referral.id}`)!.externalRef)
    // The disbursement said what was lent (up to what was asked) and how it is secured.
    expect(Number(stored.lent_yuan)).toBeGreaterThan(0)
    expect(Number(stored.lent_yuan)).toBeLessThanOrEqual(Number(stored.amount_yuan))
    expect(stored.guarantee_type).toBe(stored.credit === 1 ? 'credit' : expect.stringMatching(/^(guaranteed|collateral|mixed)$/))
    // What was stored is what the stand-in reported, its first-lender flag included (1, 0, or not said).
    const sent = sim.disbursed.get(referral.id)!
    expect({ lent: Number(stored.lent_yuan), guarantee: stored.guarantee_type, flag: stored.lender_flag }).toEqual({ lent: sent.lentYuan, guarantee: sent.guaranteeType, flag: sent.firstLender === null ? null : sent.firstLender ? 1 : 0 })
  })

  it('waits while the stand-in is down, then arrives once', async () => {
    // Down until the test says otherwise, however slow the machine.
    sim.goDown()
    const referral = await referredCase('等待企业')
    const outboxRow = () => t.db.selectFrom('outbox').select(['state', 'attempts', 'last_error']).where('referral_id', '=', referral.id).executeTakeFirstOrThrow()
    await expect.poll(async () => (await outboxRow()).attempts, { timeout: 60_000, interval: 50 }).toBeGreaterThan(1)
    expect((await outboxRow()).state).toBe('pending')
    expect(sim.received.has(`referral-${referral.id}`)).toBe(false)
    sim.up()
    await until(async () => (await t.db.selectFrom('outbox').select('state').where('referral_id', '=', referral.id).executeTakeFirstOrThrow()).state === 'delivered')
    expect(sim.received.get(`referral-${referral.id}`)!.copies).toBe(1)
  })
})

describe('the stand-in failing one call in n (for the benchmark)', () => {
  it('fails in turn with a 500, a dropped connection and a lost answer, and takes the resend of a lost one as the same case', async () => {
    const flaky = await startLoanSim({ appUrl: server.url, token: 'unused', secret: SECRET, walk: false, failEvery: 2 })
    try {
      const send = async (key: string, referralId: number) => {
        const body = JSON.stringify({ referralId })
        try {
          const response = await fetch(flaky.url, { method: 'POST', headers: { 'Idempotency-Key': key, 'X-Wanqi-Signature': signBody(SECRET, body) }, body })
          return response.status
        } catch {
          return 'dropped'
        }
      }
      const outcomes = [await send('k1', 1), await send('k2', 2), await send('k3', 3), await send('k4', 4), await send('k5', 5), await send('k6', 6)]
      expect(outcomes).toEqual([201, 500, 201, 'dropped', 201, 'dropped'])
      // The 500 and the dropped call took nothing; the lost answer's case was taken.
      expect([...flaky.received.keys()]).toEqual(['k1', 'k3', 'k5', 'k6'])
      const lost = flaky.received.get('k6')!
      expect(await send('k6', 6)).toBe(200)
      expect(flaky.received.get('k6')).toEqual({ ...lost, copies: 2 })
    } finally {
      await flaky.stop()
    }
  })
})

