// The loan system's side of the hand-off over real HTTP: POST /api/v1/referrals/{id}/events
// with a bearer token. A good report is 201, the same again 200 and stored once; a missing,
// wrong or revoked token is 401, an unknown referral 404, a malformed body 400 naming each
// field; none of those changes anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { PLAIN_CALENDAR } from '../../app/domain/working-days'
import { createApiToken, revokeApiToken } from '../../app/services/api-tokens.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players.server'
import { handOffCase } from '../../app/services/referrals.server'
import { assignPlayers } from '../../app/services/territories.server'
import { recordVisit } from '../../app/services/visits.server'
import { parseVisit } from '../../app/visit-form'
import { addUser, buildOrg, daysFromNow, PASSWORD, playerFields } from '../support/fixtures'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let server: TestServer
let referralId: number
let token: string
let revoked: string

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
  const playerId = await createPlayer(t.db, { id: null, username: 'test', ip: null }, pii, {
    fields: {
      uscc: null, name: '乙级企业', kind: 'enterprise', legalRepresentative: '王五', owner: null, idNumber: null, phone: null, industry: 'C', industryCode: null,
      employees: 12, revenueYuan: 3_000_000, assetsYuan: null, registeredOn: '2020-04-01', registrationStatus: 'active', address: '地址', areaCode: null,
      lat: 33.78, lng: 114.53, taxGrade: 'B', loanHistory: 'none', loanCheckedOn: '2026-03-02',
    },
    orgUnitId: org.outletA1.id,
  })
  await assignPlayers(t.db, { id: mgrId, username: 'mgr', ip: null }, scopeOf({ id: mgrId, role: 'manager', orgPath: org.outletA1.path }), { playerIds: [playerId] }, officerId, 'test')
  const officer = { actor: { id: officerId, username: 'off', ip: null }, scope: scopeOf({ id: officerId, role: 'officer', orgPath: org.outletA1.path }) }
  const visit = parseVisit({ id: 'route-ref-visit-1', playerId, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
  if (!visit.ok) throw new Error('invalid visit')
  await recordVisit(t.db, { ...officer, rules: { radiusMetres: 500 } }, visit.data)
  referralId = (await handOffCase(t.db, { ...officer, calendar: PLAIN_CALENDAR }, { playerId, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })).id
  const admin = { id: adminId, username: 'root', ip: null }
  token = (await createApiToken(t.db, admin, 'loan system')).token
  const old = await createApiToken(t.db, admin, 'old loan system')
  revoked = old.token
  await revokeApiToken(t.db, admin, old.id)
  // A referral the loan system never accepted, made ten days ago: overdue.
  const late = await createPlayer(t.db, { id: null, username: 'test', ip: null }, pii, { fields: playerFields('逾期企业'), orgUnitId: org.outletA1.id })
  await assignPlayers(t.db, { id: mgrId, username: 'mgr', ip: null }, scopeOf({ id: mgrId, role: 'manager', orgPath: org.outletA1.path }), { playerIds: [late] }, officerId, 'test')
  const lateVisit = parseVisit({ id: 'route-ref-visit-2', playerId: late, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
  if (!lateVisit.ok) throw new Error('invalid visit')
  await recordVisit(t.db, { ...officer, rules: { radiusMetres: 500 } }, lateVisit.data)
  await handOffCase(t.db, { ...officer, calendar: PLAIN_CALENDAR, now: new Date(Date.now() - 10 * 86_400_000) }, { playerId: late, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })
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
    const approved = { stage: 'approved', at: daysFromNow(3), externalRef: 'LOS-1' }
    const first = await report(referralId, approved, token)
    expect(first.status).toBe(201)
    expect(await first.json()).toEqual({ referralId, stage: 'approved', duplicate: false })
    expect((await report(referralId, approved, token)).status).toBe(200)
    expect(((await (await report(referralId, { stage: 'accepted', at: daysFromNow(1) }, token)).json()) as { stage: string }).stage).toBe('approved')
    expect((await events()).map((e) => e.stage)).toEqual(['referred', 'accepted', 'approved'])
    const stored = await t.db.selectFrom('referrals').select(['stage', 'external_ref']).where('id', '=', referralId).executeTakeFirstOrThrow()
    expect(stored).toEqual({ stage: 'approved', external_ref: 'LOS-1' })
  })
})

describe('tokens, made and revoked by an admin', () => {
  it('shows a new token once, which then reports stages, and stops working once revoked; nobody else may make one', async () => {
    const admin = new Client(server.url)
    expect((await admin.signIn('root', PASSWORD)).status).toBe(302)
    const made = await (await admin.post('/admin/tokens', { intent: 'create', name: 'LOS production' })).text()
    const newToken = /<code>(wq_[A-Za-z0-9_-]+)<\/code>/.exec(made)![1]
    expect((await report(referralId, { stage: 'rated', at: daysFromNow(2) }, newToken)).status).toBe(201)
    expect(await (await admin.get('/admin/tokens')).text()).not.toContain(newToken)
    const row = await t.db.selectFrom('api_tokens').select('id').where('name', '=', 'LOS production').executeTakeFirstOrThrow()
    expect((await admin.post('/admin/tokens', { intent: 'revoke', id: String(row.id) })).status).toBe(200)
    expect((await report(referralId, { stage: 'approved', at: daysFromNow(4) }, newToken)).status).toBe(401)
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
      expect(home, username).toContain('1 笔转介超过 3 个工作日未被受理')
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
    expect(await again.text()).toContain('该客户已有一笔在途转介')
    expect(await t.db.selectFrom('referrals').select('id').execute()).toHaveLength(before.length)
  })
})

