// Referrals on a real database (SQLite, and PostgreSQL when configured): a qualifying case
// is handed off with its verdict, first-lender flag and acceptance deadline, and its outbox
// entry in the same transaction; a case that does not qualify is refused with the product
// named; the outbox delivers to a real HTTP server that fails one call in five, each entry
// arriving once, a 4xx stopping it; two workers never claim one entry; stage reports in
// any order and twice leave the furthest stage and the whole history.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../app/domain/app-error'
import type { PlayerFields } from '../../app/domain/market-player'
import { scopeOf } from '../../app/domain/scope'
import { addWorkingDays } from '../../app/domain/working-days'
import { PLAIN_CLOCKS } from '../../app/domain/clocks'
import { claimOutboxEntries, deliverClaimed, verifySignature } from '../../app/services/outbox.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { handOffCase, listReferrals, recordStageReport } from '../../app/services/referrals.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { parseVisit } from '../../app/forms/visit'
import { addUser, buildOrg, daysFromNow } from '../support/fixtures'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const SECRET = 'loan-system-secret'
let t: TestDatabase
let officer: { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
let n = 0

/** A stand-in loan system: checks the signature, fails every fifth call with a 500. */
let received: string[] = []
let calls = 0
let refuseNext = false
let loan: http.Server
let loanUrl: string

function fields(name: string, taxGrade: 'B' | 'C', loanHistory: 'none' | 'has_loan'): PlayerFields {
  return {
    uscc: null, name, kind: 'enterprise', legalRepresentative: '王五', owner: null, idNumber: null, phone: null, industry: 'C',
    industryCode: null, employees: 12, revenueYuan: 3_000_000, assetsYuan: null, registeredOn: '2020-04-01', registrationStatus: 'active',
    address: `${name}地址`, areaCode: null, lat: 33.78, lng: 114.53, taxGrade, loanHistory, loanCheckedOn: '2026-03-02',
  }
}

async function caseWithNeed(name: string, taxGrade: 'B' | 'C' = 'B', loanHistory: 'none' | 'has_loan' = 'none') {
  const org = await t.db.selectFrom('org_units').select(['id', 'path']).where('code', '=', 'A-1').executeTakeFirstOrThrow()
  const id = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: fields(name, taxGrade, loanHistory), orgUnitId: org.id })
  const mgr = await t.db.selectFrom('users').select('id').where('username', '=', 'mgr').executeTakeFirstOrThrow()
  await assignPlayers(t.db, { actor: { id: mgr.id, username: 'mgr', ip: null }, scope: scopeOf({ id: mgr.id, role: 'manager', orgPath: org.path }) }, { playerIds: [id], officerId: officer.actor.id, reason: 'test' })
  const visit = parseVisit({ id: `ref-visit-${++n}-${Date.now()}`, playerId: id, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
  if (!visit.ok) throw new Error('invalid visit')
  await recordVisit(t.db, { ...officer }, visit.data)
  return id
}

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  const id = await addUser(t.db, 'off', 'officer', org.outletA1.id)
  await addUser(t.db, 'mgr', 'manager', org.outletA1.id)
  officer = { actor: { id, username: 'off', ip: null }, scope: scopeOf({ id, role: 'officer', orgPath: org.outletA1.path }) }
  loan = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString('utf8')))
    req.on('end', () => {
      calls++
      if (!verifySignature(SECRET, body, req.headers['x-wanqi-signature'] as string)) return res.writeHead(401).end('bad signature')
      if (refuseNext) {
        refuseNext = false
        return res.writeHead(422).end('{"error":"unknown product"}')
      }
      if (calls % 5 === 0) return res.writeHead(500).end('down for a moment')
      received.push(req.headers['idempotency-key'] as string)
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ externalRef: `LOS-${(JSON.parse(body) as { referralId: number }).referralId}` }))
    })
  })
  await new Promise<void>((resolve) => loan.listen(0, '127.0.0.1', () => resolve()))
  loanUrl = `http://127.0.0.1:${(loan.address() as AddressInfo).port}/referrals`
})

afterAll(async () => {
  await new Promise<void>((resolve) => loan.close(() => resolve()))
  await t.destroy()
})

const clocks = PLAIN_CLOCKS

describe('handing a case off', () => {
  it('records a qualifying case with its verdict, first-lender flag, deadline and outbox entry', async () => {
    const playerId = await caseWithNeed('乙级首贷企业')
    const now = new Date('2026-11-27T07:00:00Z') // a Friday afternoon in China
    const referral = await handOffCase(t.db, { ...officer, clocks, now }, { playerId, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })
    expect(referral).toMatchObject({ stage: 'referred', first_lender: 1, credit: 1, product_version: 1, amount_yuan: 500_000 })
    expect(referral.accept_due_at).toBe(addWorkingDays(now, 3, clocks.calendar).toISOString())
    expect(JSON.parse(referral.verdict)).toMatchObject({ qualifies: true, limitYuan: 1_000_000 })
    const entry = await t.db.selectFrom('outbox').selectAll().where('referral_id', '=', referral.id).executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ state: 'pending', idempotency_key: `referral-${referral.id}` })
    expect((await t.db.selectFrom('market_players').select('campaign_status').where('id', '=', playerId).executeTakeFirstOrThrow()).campaign_status).toBe('referred')
  })

  it('keeps the channel its player came through, whichever it is', async () => {
    for (const channel of ['working_group', 'credit_platform', 'loan_qr', 'own_list'] as const) {
      const playerId = await caseWithNeed(`渠道${channel}企业`)
      await t.db.updateTable('market_players').set({ channel, channel_at: '2026-11-20T02:00:00.000Z' }).where('id', '=', playerId).execute()
      const referral = await handOffCase(t.db, { ...officer, clocks, now: new Date('2026-11-27T07:00:00Z') }, { playerId, productCode: 'tax_credit', amountYuan: 100_000, termMonths: 12 })
      expect(referral.channel).toBe(channel)
      const stored = await t.db.selectFrom('referrals').select('channel').where('id', '=', referral.id).executeTakeFirstOrThrow()
      expect(stored.channel).toBe(channel)
    }
  })

  it('refuses a grade-C case for the tax credit loan, and an amount over the limit, writing nothing', async () => {
    const before = Number((await t.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    const gradeC = await caseWithNeed('丙级企业', 'C')
    const refused = await handOffCase(t.db, { ...officer, clocks }, { playerId: gradeC, productCode: 'tax_credit', amountYuan: 100_000, termMonths: 12 }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AppError)
    expect((refused as AppError).messageKey).toBe('referral.notQualified')
    const gradeB = await caseWithNeed('乙级企业二')
    const over = await handOffCase(t.db, { ...officer, clocks }, { playerId: gradeB, productCode: 'tax_credit', amountYuan: 1_500_000, termMonths: 12 }).catch((e: unknown) => e)
    expect((over as AppError).messageKey).toBe('referral.amountOverLimit')
    expect(Number((await t.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(before)
  })

  it('marks a player who already has a loan as not a first lender', async () => {
    const playerId = await caseWithNeed('有贷企业', 'B', 'has_loan')
    const referral = await handOffCase(t.db, { ...officer, clocks }, { playerId, productCode: 'tax_credit', amountYuan: 200_000, termMonths: 6 })
    expect(referral.first_lender).toBe(0)
    // The pipeline's "first lenders only" leaves it out.
    const all = await listReferrals(t.db, officer.scope, {})
    const firstLenders = await listReferrals(t.db, officer.scope, { firstLenderOnly: true })
    expect(all.referrals.map((r) => r.playerName)).toContain('有贷企业')
    expect(firstLenders.referrals.map((r) => r.playerName)).not.toContain('有贷企业')
    expect(firstLenders.referrals.length).toBeGreaterThan(0)
  })

  it('twice at once for one player (a double tap): one case, the other refused as already open', async () => {
    for (let round = 0; round < 3; round++) {
      const playerId = await caseWithNeed(`同时转介企业${round}`)
      const handOff = () => handOffCase(t.db, { ...officer, clocks }, { playerId, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })
      const outcomes = await Promise.allSettled([handOff(), handOff()])
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult
      expect((refused.reason as AppError).messageKey).toBe('referral.alreadyOpen')
      expect(Number((await t.db.selectFrom('referrals').select((eb) => eb.fn.countAll<number>().as('n')).where('player_id', '=', playerId).executeTakeFirstOrThrow()).n)).toBe(1)
    }
  })

  it('by the manager: the player\'s officer follows the case, and the audit log names the manager', async () => {
    const playerId = await caseWithNeed('经理转介企业')
    const mgr = await t.db.selectFrom('users').innerJoin('org_units', 'org_units.id', 'users.org_unit_id').select(['users.id', 'org_units.path']).where('username', '=', 'mgr').executeTakeFirstOrThrow()
    const manager = { actor: { id: mgr.id, username: 'mgr', ip: null }, scope: scopeOf({ id: mgr.id, role: 'manager', orgPath: mgr.path }) }
    const referral = await handOffCase(t.db, { ...manager, clocks }, { playerId, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })
    expect(referral.officer_id).toBe(officer.actor.id)
    const audit = await t.db.selectFrom('audit_log').select(['actor_id', 'action']).where('entity_type', '=', 'referral').where('entity_id', '=', String(referral.id)).execute()
    expect(audit).toEqual([{ actor_id: mgr.id, action: 'referral.created' }])
  })
})

describe('the outbox', () => {
  it('delivers every entry once to a loan system that fails one call in five, retrying with backoff', async () => {
    for (let i = 0; i < 12; i++) {
      const playerId = await caseWithNeed(`批量企业${i}`)
      await handOffCase(t.db, { ...officer, clocks }, { playerId, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })
    }
    received = []
    calls = 0
    let clock = Date.now()
    let retried = 0
    for (let round = 0; round < 40; round++) {
      const entries = await claimOutboxEntries(t.db, 'test-worker', 5, new Date(clock))
      const result = await deliverClaimed(t.db, entries, { url: loanUrl, secret: SECRET }, () => new Date(clock))
      retried += result.retried
      clock += 11 * 60_000 // past any backoff
      const left = await t.db.selectFrom('outbox').select('id').where('state', '=', 'pending').execute()
      if (!left.length) break
    }
    const all = await t.db.selectFrom('outbox').select(['idempotency_key', 'state', 'attempts', 'referral_id']).execute()
    expect(all.every((e) => e.state === 'delivered')).toBe(true)
    expect([...received].sort()).toEqual(all.map((e) => e.idempotency_key).sort())
    expect(new Set(received).size).toBe(received.length)
    expect(retried).toBeGreaterThan(0)
    const refs = await t.db.selectFrom('referrals').select(['id', 'external_ref']).execute()
    expect(refs.every((r) => r.external_ref === `LOS-${r.id}`)).toBe(true)
  })

  it('stops on a 4xx and keeps the answer to show', async () => {
    const playerId = await caseWithNeed('被拒企业')
    const referral = await handOffCase(t.db, { ...officer, clocks }, { playerId, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })
    refuseNext = true
    calls = 1 // not a fifth call
    const entries = await claimOutboxEntries(t.db, 'test-worker', 5)
    expect(entries.map((e) => e.referral_id)).toEqual([referral.id])
    const result = await deliverClaimed(t.db, entries, { url: loanUrl, secret: SECRET })
    expect(result).toEqual({ delivered: 0, failed: 1, retried: 0 })
    const entry = await t.db.selectFrom('outbox').selectAll().where('referral_id', '=', referral.id).executeTakeFirstOrThrow()
    expect(entry.state).toBe('failed')
    expect(entry.last_error).toContain('422')
    expect(await claimOutboxEntries(t.db, 'test-worker', 5, new Date(Date.now() + 3600_000))).toEqual([])
  })

  it('never lets two workers claim one entry', async () => {
    for (let i = 0; i < 6; i++) {
      const playerId = await caseWithNeed(`并发企业${i}`)
      await handOffCase(t.db, { ...officer, clocks }, { playerId, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })
    }
    const [a, b] = await Promise.all([claimOutboxEntries(t.db, 'worker-a', 4), claimOutboxEntries(t.db, 'worker-b', 4)])
    const ids = [...a, ...b].map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(6)
  })
})

describe('stage reports', () => {
  it('in any order and twice leave the furthest stage and the whole history; disbursed marks the player financed', async () => {
    const playerId = await caseWithNeed('走完流程企业')
    // Handed off ten days ago: reports come dated since, none in the future.
    const referral = await handOffCase(t.db, { ...officer, clocks, now: new Date(Date.now() - 10 * 86_400_000) }, { playerId, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })
    const report = (stage: string, at: string) => ({ stage: stage as 'accepted', at, reason: null, externalRef: 'LOS-9' })
    const [acceptedAt, approvedAt, disbursedAt] = [daysFromNow(-9), daysFromNow(-7), daysFromNow(-6)]
    expect((await recordStageReport(t.db, referral.id, report('approved', approvedAt))).stage).toBe('approved')
    expect((await recordStageReport(t.db, referral.id, report('accepted', acceptedAt))).stage).toBe('approved')
    expect(await recordStageReport(t.db, referral.id, report('approved', approvedAt))).toEqual({ stage: 'approved', duplicate: true })
    expect((await recordStageReport(t.db, referral.id, report('disbursed', disbursedAt))).stage).toBe('disbursed')
    const stored = await t.db.selectFrom('referrals').selectAll().where('id', '=', referral.id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ stage: 'disbursed', accepted_at: acceptedAt, disbursed_at: disbursedAt, external_ref: 'LOS-9' })
    const history = await t.db.selectFrom('referral_events').select('stage').where('referral_id', '=', referral.id).orderBy('at').execute()
    expect(history.map((h) => h.stage)).toEqual(['referred', 'accepted', 'approved', 'disbursed'])
    expect((await t.db.selectFrom('market_players').select('campaign_status').where('id', '=', playerId).executeTakeFirstOrThrow()).campaign_status).toBe('financed')
  })

  it('arriving at once leave the furthest stage, each report seeing the ones before it', async () => {
    // The stand-in reports a stage every few milliseconds; on PostgreSQL they overlap. A
    // report that had not seen a later one committed beside it must not set the stage back.
    const stages = ['accepted', 'account_opened', 'admitted', 'rated', 'approved', 'disbursed'] as const
    for (let round = 0; round < 5; round++) {
      const playerId = await caseWithNeed(`同时报告企业${round}`)
      const referral = await handOffCase(t.db, { ...officer, clocks, now: new Date(Date.now() - 10 * 86_400_000) }, { playerId, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })
      const at = stages.map((_, i) => daysFromNow(i - 9))
      await Promise.all(stages.map((stage, i) => recordStageReport(t.db, referral.id, { stage, at: at[i], reason: null, externalRef: 'LOS-10' })))
      const stored = await t.db.selectFrom('referrals').select(['stage', 'accepted_at', 'disbursed_at']).where('id', '=', referral.id).executeTakeFirstOrThrow()
      expect(stored).toEqual({ stage: 'disbursed', accepted_at: at[0], disbursed_at: at[stages.length - 1] })
    }
  })

  it('refuses an unknown stage and an unknown referral, changing nothing', async () => {
    await expect(recordStageReport(t.db, 1, { stage: 'teleported' as 'accepted', at: '2026-12-01T00:00:00Z', reason: null, externalRef: null })).rejects.toMatchObject({ messageKey: 'referral.badStage' })
    await expect(recordStageReport(t.db, 999_999, { stage: 'accepted', at: '2026-12-01T00:00:00Z', reason: null, externalRef: null })).rejects.toMatchObject({ code: 'not_found' })
  })
})
