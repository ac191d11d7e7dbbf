// The loan system's side of the hand-off over real HTTP: POST /api/v1/referrals/{id}/events
// with a bearer token. A good report is 201, the same again 200 and stored once; a missing,
// wrong or revoked token is 401, an unknown referral 404, a malformed body 400 naming each
// field, a report dated before the referral or in the future 422; none of those changes
// anything. A disbursement carries what was lent, the guarantee type and the first-lender
// flag, and leaves the player `has_loan`: a second hand-off is no first lender again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { PLAIN_CLOCKS } from '../../app/domain/clocks'
import { createApiToken } from '../../app/services/api-tokens/create-api-token.server'
import { revokeApiToken } from '../../app/services/api-tokens/revoke-api-token.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { chinaDay } from '../../app/domain/china-time'
import { todayInChina } from '../../app/domain/player-row'
import { computeFiguresInSql } from '../../app/services/figures.server'
import { handOffCase } from '../../app/services/referrals.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { parseVisit } from '../../app/forms/visit'
import { addUser, buildOrg, daysFromNow, PASSWORD, playerFields } from '../support/fixtures'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let server: TestServer
let referralId: number
let token: string
let revoked: string
let officerCtx: { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
let managerCtx: { id: number; username: string; ip: null; scope: ReturnType<typeof scopeOf> }
let outletId: number
let officerIdOf: number

function report(id: number, body: unknown, bearer: string | null) {
  return fetch(`${server.url}/api/v1/referrals/${id}/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function events() {
  return t.db.selectFrom('referral_events').select(['stage', 'at']).where('referral_id', '=', referralId).orderBy('at').execute()
}

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  const officerId = await addUser(t.db, 'off', 'officer', org.outletA1.id)
  const mgrId = await addUser(t.db, 'mgr', 'manager', org.outletA1.id)
  const adminId = await addUser(t.db, 'root', 'admin', org.hq.id)
  const playerId = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, {
    fields: {
      uscc: null, name: '乙级企业', kind: 'enterprise', legalRepresentative: '王五', owner: null, idNumber: null, phone: null, industry: 'C', industryCode: null,
      employees: 12, revenueYuan: 3_000_000, assetsYuan: null, registeredOn: '2020-04-01', registrationStatus: 'active', address: '地址', areaCode: null,
      lat: 33.78, lng: 114.53, taxGrade: 'B', loanHistory: 'none', loanCheckedOn: '2026-03-02',
    },
    orgUnitId: org.outletA1.id,
  })
  await assignPlayers(t.db, { actor: { id: mgrId, username: 'mgr', ip: null }, scope: scopeOf({ id: mgrId, role: 'manager', orgPath: org.outletA1.path }) }, { playerIds: [playerId], officerId: officerId, reason: 'test' })
  const officer = { actor: { id: officerId, username: 'off', ip: null }, scope: scopeOf({ id: officerId, role: 'officer', orgPath: org.outletA1.path }) }
  const visit = parseVisit({ id: 'route-ref-visit-1', playerId, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
  if (!visit.ok) throw new Error('invalid visit')
  await recordVisit(t.db, { ...officer }, visit.data)
  // Made ten days ago: the loan system's reports below are dated since (none in the future).
  referralId = (await handOffCase(t.db, { ...officer, clocks: PLAIN_CLOCKS, now: new Date(Date.now() - 10 * 86_400_000) }, { playerId, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })).id
  officerCtx = officer
  outletId = org.outletA1.id
  managerCtx = { id: mgrId, username: 'mgr', ip: null, scope: scopeOf({ id: mgrId, role: 'manager', orgPath: org.outletA1.path }) }
  officerIdOf = officerId
  const admin = { id: adminId, username: 'root', ip: null }
  token = (await createApiToken(t.db, { actor: admin }, { name: 'loan system' })).token
  const old = await createApiToken(t.db, { actor: admin }, { name: 'old loan system' })
  revoked = old.token
  await revokeApiToken(t.db, { actor: admin }, { id: old.id })
  // A referral the loan system never accepted, made ten days ago: overdue.
  const late = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields('逾期企业'), orgUnitId: org.outletA1.id })
  await assignPlayers(t.db, { actor: { id: mgrId, username: 'mgr', ip: null }, scope: scopeOf({ id: mgrId, role: 'manager', orgPath: org.outletA1.path }) }, { playerIds: [late], officerId: officerId, reason: 'test' })
  const lateVisit = parseVisit({ id: 'route-ref-visit-2', playerId: late, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
  if (!lateVisit.ok) throw new Error('invalid visit')
  await recordVisit(t.db, { ...officer }, lateVisit.data)
  await handOffCase(t.db, { ...officer, clocks: PLAIN_CLOCKS, now: new Date(Date.now() - 10 * 86_400_000) }, { playerId: late, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })
  await addUser(t.db, 'hq1', 'hq', org.hq.id)
  await addUser(t.db, 'mgrB', 'manager', org.outletB1.id)
  server = await startTestServer(t)
})

afterAll(async () => {
  await server?.close()
  await t?.destroy()
})

describe('POST /api/v1/referrals/{id}/events', () => {
  it('refuses a missing, wrong or revoked token with 401, changing nothing', async () => {
    const body = { stage: 'accepted', at: '2026-12-02T02:00:00Z' }
    for (const bearer of [null, 'wq_not-a-token', revoked]) expect((await report(referralId, body, bearer)).status).toBe(401)
    expect((await events()).map((e) => e.stage)).toEqual(['referred'])
  })

  it('answers 400 naming each malformed field, and 404 for an unknown referral', async () => {
    const bad = await report(referralId, { stage: 'teleported', at: 'yesterday', reason: 'x'.repeat(501) }, token)
    expect(bad.status).toBe(400)
    expect(Object.keys(((await bad.json()) as { fields: Record<string, string[]> }).fields).sort()).toEqual(['at', 'reason', 'stage'])
    expect((await report(referralId, '{not json', token)).status).toBe(400)
    expect((await report(999_999, { stage: 'accepted', at: '2026-12-02T02:00:00Z' }, token)).status).toBe(404)
    expect((await events()).map((e) => e.stage)).toEqual(['referred'])
  })

  it('stores a report once (201, then 200) and keeps the furthest stage whatever the order', async () => {
    const approved = { stage: 'approved', at: daysFromNow(-6), externalRef: 'LOS-1' }
    const first = await report(referralId, approved, token)
    expect(first.status).toBe(201)
    expect(await first.json()).toEqual({ referralId, stage: 'approved', duplicate: false })
    expect((await report(referralId, approved, token)).status).toBe(200)
    expect(((await (await report(referralId, { stage: 'accepted', at: daysFromNow(-8) }, token)).json()) as { stage: string }).stage).toBe('approved')
    expect((await events()).map((e) => e.stage)).toEqual(['referred', 'accepted', 'approved'])
    const stored = await t.db.selectFrom('referrals').select(['stage', 'external_ref']).where('id', '=', referralId).executeTakeFirstOrThrow()
    expect(stored).toEqual({ stage: 'approved', external_ref: 'LOS-1' })
  })
})

let cases = 0
/** A player with a need on file, assigned to the officer, and handed off `daysAgo` days ago
 * (fewer than 3, or accepted or disbursed: the overdue count below expects one late case). */
async function caseHandedOff(name: string, daysAgo: number): Promise<{ playerId: number; referralId: number }> {
  const playerId = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: { ...playerFields(name), taxGrade: 'B', loanHistory: 'none', registrationStatus: 'active', registeredOn: '2020-04-01' }, orgUnitId: outletId })
  await assignPlayers(t.db, { actor: managerCtx, scope: managerCtx.scope }, { playerIds: [playerId], officerId: officerIdOf, reason: 'test' })
  const visit = parseVisit({ id: `route-ref-case-${++cases}`, playerId, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
  if (!visit.ok) throw new Error('invalid visit')
  await recordVisit(t.db, { ...officerCtx }, visit.data)
  const referral = await handOffCase(t.db, { ...officerCtx, clocks: PLAIN_CLOCKS, now: new Date(Date.now() - daysAgo * 86_400_000) }, { playerId, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })
  return { playerId, referralId: referral.id }
}

const eventsOf = (id: number) => t.db.selectFrom('referral_events').select(['stage', 'at']).where('referral_id', '=', id).orderBy('at').execute()

describe('stage reports out of time, and the referred report', () => {
  it('refuses a report dated before the referral, or later than now beyond 5 minutes, with 422, changing nothing', async () => {
    const { referralId: id } = await caseHandedOff('时间错乱企业', 10)
    const before = await report(id, { stage: 'accepted', at: daysFromNow(-11) }, token)
    expect(before.status).toBe(422)
    expect(Object.keys(((await before.json()) as { fields: Record<string, string[]> }).fields)).toEqual(['at'])
    const nextYear = await report(id, { stage: 'accepted', at: new Date(Date.now() + 365 * 86_400_000).toISOString() }, token)
    expect(nextYear.status).toBe(422)
    expect((await report(id, { stage: 'disbursed', at: new Date(Date.now() + 10 * 60_000).toISOString(), lentYuan: 100_000 }, token)).status).toBe(422)
    expect((await eventsOf(id)).map((e) => e.stage)).toEqual(['referred'])
    expect(await t.db.selectFrom('referrals').select(['stage', 'accepted_at', 'disbursed_at', 'lent_yuan']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ stage: 'referred', accepted_at: null, disbursed_at: null, lent_yuan: null })
    // A loan system's clock two minutes fast is within the skew.
    expect((await report(id, { stage: 'accepted', at: new Date(Date.now() + 2 * 60_000).toISOString() }, token)).status).toBe(201)
  })

  it('answers a referred report 200 "already referred" and stores nothing', async () => {
    const { referralId: id } = await caseHandedOff('重复转介报告企业', 2)
    const answer = await report(id, { stage: 'referred', at: daysFromNow(-1) }, token)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ referralId: id, stage: 'referred', ignored: 'already_referred' })
    expect(await eventsOf(id)).toHaveLength(1)
  })
})

describe('the disbursed report', () => {
  it('needs the amount lent in whole yuan; refuses a bad guarantee type or flag, and those fields on another stage, with 400 naming each', async () => {
    const { referralId: id } = await caseHandedOff('放款字段企业', 2)
    const missing = await report(id, { stage: 'disbursed', at: daysFromNow(-1) }, token)
    expect(missing.status).toBe(400)
    expect(Object.keys(((await missing.json()) as { fields: Record<string, string[]> }).fields)).toEqual(['lentYuan'])
    const bad = await report(id, { stage: 'disbursed', at: daysFromNow(-1), lentYuan: 1.5, guaranteeType: 'promise', firstLender: 'yes' }, token)
    expect(bad.status).toBe(400)
    expect(Object.keys(((await bad.json()) as { fields: Record<string, string[]> }).fields).sort()).toEqual(['firstLender', 'guaranteeType', 'lentYuan'])
    const elsewhere = await report(id, { stage: 'approved', at: daysFromNow(-1), lentYuan: 100_000, firstLender: true }, token)
    expect(elsewhere.status).toBe(400)
    expect(Object.keys(((await elsewhere.json()) as { fields: Record<string, string[]> }).fields).sort()).toEqual(['firstLender', 'lentYuan'])
    expect(await eventsOf(id)).toHaveLength(1)
  })

  it('keeps what was lent, the guarantee type and the flag; the player has a loan and is no candidate; a second hand-off is no first lender again', async () => {
    const { playerId, referralId: first } = await caseHandedOff('首贷后再贷企业', 10)
    const player = () => t.db.selectFrom('market_players').select(['loan_history', 'loan_checked_on', 'candidate_status', 'campaign_status']).where('id', '=', playerId).executeTakeFirstOrThrow()
    expect((await player()).candidate_status).toBe('candidate')
    const firstAt = daysFromNow(-8)
    expect((await report(first, { stage: 'disbursed', at: firstAt, lentYuan: 450_000, guaranteeType: 'guaranteed', firstLender: true, externalRef: 'LOS-77' }, token)).status).toBe(201)
    expect(await t.db.selectFrom('referrals').select(['stage', 'lent_yuan', 'guarantee_type', 'lender_flag']).where('id', '=', first).executeTakeFirstOrThrow()).toEqual({ stage: 'disbursed', lent_yuan: 450_000, guarantee_type: 'guaranteed', lender_flag: 1 })
    // Dated from the report, as a China day.
    expect(await player()).toEqual({ loan_history: 'has_loan', loan_checked_on: chinaDay(firstAt), candidate_status: 'not_candidate', campaign_status: 'financed' })

    const again = await handOffCase(t.db, { ...officerCtx, clocks: PLAIN_CLOCKS, now: new Date(Date.now() - 5 * 86_400_000) }, { playerId, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })
    expect(again.first_lender).toBe(0)
    // The loan system sends no flag this time: the loan history (has_loan) says not a first lender.
    expect((await report(again.id, { stage: 'disbursed', at: daysFromNow(-3), lentYuan: 300_000, guaranteeType: null, firstLender: null }, token)).status).toBe(201)
    const period = { from: todayInChina(new Date(Date.now() - 12 * 86_400_000)), to: todayInChina() }
    const figures = await computeFiguresInSql(t.db, { scopes: [{ kind: 'all' }] }, period)
    // Only this player was disbursed in the test: one customer, one conversion, not estimated, an enterprise.
    expect(figures).toMatchObject({ newLoanCustomers: 1, firstLenderConversions: 1, firstLenderEstimated: 0, firstLenderEnterprises: 1, firstLenderRatio: 1 })
    // Lent: 450,000 guaranteed + 300,000 credit (its product's kind, none reported).
    expect(figures.creditLoanShareByCount).toBe(1 / 2)
    expect(figures.creditLoanShareByAmount).toBe(300_000 / 750_000)
  })
})

describe('tokens, made and revoked by an admin', () => {
  it('shows a new token once, which then reports stages, and stops working once revoked; nobody else may make one', async () => {
    const admin = new Client(server.url)
    expect((await admin.signIn('root', PASSWORD)).status).toBe(302)
    const made = await (await admin.post('/admin/tokens', { intent: 'create', name: 'LOS production' })).text()
    const newToken = /<code>(wq_[A-Za-z0-9_-]+)<\/code>/.exec(made)![1]
    expect((await report(referralId, { stage: 'rated', at: daysFromNow(-7) }, newToken)).status).toBe(201)
    expect(await (await admin.get('/admin/tokens')).text()).not.toContain(newToken)
    const row = await t.db.selectFrom('api_tokens').select('id').where('name', '=', 'LOS production').executeTakeFirstOrThrow()
    expect((await admin.post('/admin/tokens', { intent: 'revoke', id: String(row.id) })).status).toBe(200)
    expect((await report(referralId, { stage: 'approved', at: daysFromNow(-5) }, newToken)).status).toBe(401)
    const officer = new Client(server.url)
    expect((await officer.signIn('off', PASSWORD)).status).toBe(302)
    expect((await officer.post('/admin/tokens', { intent: 'create', name: 'mine' })).status).toBe(403)
  })
})

describe('the product catalogue, edited by an admin', () => {
  const taxCredit = (changes: [string, string][] = []): [string, string][] => [
    ['code', 'tax_credit'], ['expectedVersion', '1'], ['name', '税易贷'], ['kind', 'credit'], ['taxGrades', 'A'], ['taxGrades', 'B'], ['taxGrades', 'M'],
    ['limitA', '300'], ['limitB', '100'], ['limitM', '30'], ['minMonthsRegistered', '12'], ['maxTermMonths', '12'], ['active', '1'], ...changes,
  ]
  it('refuses contradictory rules with 400 naming the field, saves a valid change as version 2, and is the admin\'s alone', async () => {
    const admin = new Client(server.url)
    await admin.signIn('root', PASSWORD)
    expect(await (await admin.get('/admin/products')).text()).toContain('tax_credit · 版本 1')
    const bad = await admin.post('/admin/products', taxCredit([['taxGrades', 'C']]))
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('已接受 C 级，请填写 C 级的额度。')
    expect(await t.db.selectFrom('product_versions').select('version').where('code', '=', 'tax_credit').execute()).toHaveLength(1)
    const good = await admin.post('/admin/products', taxCredit([['taxGrades', 'C'], ['limitC', '10']]))
    expect(good.status).toBe(200)
    const saved = await good.text()
    expect(saved).toContain('已保存 税易贷，版本 2。')
    expect(saved).toContain('tax_credit · 版本 2')
    const stored = await t.db.selectFrom('product_versions').select(['version', 'rules']).where('code', '=', 'tax_credit').where('version', '=', 2).executeTakeFirstOrThrow()
    expect(JSON.parse(stored.rules)).toMatchObject({ taxGrades: ['A', 'B', 'M', 'C'], limitByGrade: { C: 100_000 } })
    // The same form again was made from version 1: refused, not saved over version 2.
    expect((await admin.post('/admin/products', taxCredit([['taxGrades', 'C'], ['limitC', '10']]))).status).toBe(409)
    const manager = new Client(server.url)
    await manager.signIn('mgr', PASSWORD)
    expect((await manager.get('/admin/products')).status).toBe(403)
    expect((await manager.post('/admin/products', taxCredit())).status).toBe(403)
  })
})

describe('overdue referrals', () => {
  it('are counted on the home page of the officer, their manager and hq, and not another branch\'s manager', async () => {
    for (const username of ['off', 'mgr', 'hq1']) {
      const client = new Client(server.url)
      await client.signIn(username, PASSWORD)
      const home = await (await client.get('/')).text()
      expect(home, username).toContain('1 笔推荐授信超过 3 个工作日未被受理')
      expect(home).toContain('href="/referrals?overdue=1"')
      const list = await (await client.get('/referrals?overdue=1')).text()
      expect(list).toContain('逾期企业')
      expect(list).not.toContain('乙级企业')
    }
    const other = new Client(server.url)
    await other.signIn('mgrB', PASSWORD)
    expect(await (await other.get('/')).text()).not.toContain('未被受理')
  })

  it('a player with a referral under way cannot be handed off again', async () => {
    const officer = new Client(server.url)
    await officer.signIn('off', PASSWORD)
    const player = await t.db.selectFrom('market_players').select('id').where('name', '=', '乙级企业').executeTakeFirstOrThrow()
    const before = await t.db.selectFrom('referrals').select('id').execute()
    const again = await officer.post(`/players/${player.id}`, { intent: 'hand-off', productCode: 'tax_credit', amount: '20', termMonths: '12' })
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('该客户已有一笔在途推荐授信')
    expect(await t.db.selectFrom('referrals').select('id').execute()).toHaveLength(before.length)
  })
})

