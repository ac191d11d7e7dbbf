// The APIs a bank's tools call to hand cases off and look players up, and the history page,
// over real HTTP on a real database (SQLite, and PostgreSQL when configured):
// POST /api/v1/referrals is idempotent by its client key and refuses what the page refuses
// (422 with the failed rules; 404 outside the caller's scope), a past time only for those
// allowed to import history; GET /api/v1/players?uscc= answers masked, 404 out of scope,
// 400 with the reason for a bad USCC; POST /api/v1/visits takes a past visit only when
// marked historical by such a caller; an integration token acts for its user; and the
// page previews a file with nothing written, then applies it.
import { describe, expect, it } from 'vitest'
import { usccCheckCharacter } from '../../app/domain/identifiers'
import { scopeOf } from '../../app/domain/scope'
import { createApiToken } from '../../app/services/api-tokens/create-api-token.server'
import { revokeApiToken } from '../../app/services/api-tokens/revoke-api-token.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { parseVisit } from '../../app/forms/visit'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import type { TestDatabase } from '../support/test-db'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'
import { type Client } from '../support/http-client'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let managerScope: { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
let officerId: number
let n = 0

function uscc(k: number): string {
  const first17 = `91410225${String(k).padStart(9, '0')}`
  return first17 + usccCheckCharacter(first17)
}

/** A player of outlet A-1 (or `orgUnitId`), assigned to the officer, whose latest visit records a need of 50万 for 12 months. */
async function caseWithNeed(k: number, options: { orgUnitId?: number; taxGrade?: 'B' | 'C'; visitedAt?: string } = {}) {
  const orgUnitId = options.orgUnitId ?? org.outletA1.id
  const id = await createPlayer(t.db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields(`接口主体${k}`, { uscc: uscc(k), phone: '13812345678', taxGrade: options.taxGrade ?? 'B' }), orgUnitId })
  if (orgUnitId === org.outletA1.id) {
    await assignPlayers(t.db, { actor: managerScope.actor, scope: managerScope.scope }, { playerIds: [id], officerId: officerId, reason: 'test' })
    const visit = parseVisit({ id: `api-visit-${++n}-${Date.now()}`, playerId: id, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12, visitedAt: options.visitedAt })
    if (!visit.ok) throw new Error('invalid visit')
    await recordVisit(t.db, { ...managerScope }, visit.data)
  }
  return id
}

const signedIn = (username: string) => suite.signedIn(username)

const postJson = (client: Client, path: string, body: unknown, headers: Record<string, string> = {}) =>
  client.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })

const suite = routeSuite(async (db) => {
  t = db
  org = await buildOrg(t.db)
  officerId = await addUser(t.db, 'api.off', 'officer', org.outletA1.id)
  const mgr = await addUser(t.db, 'api.mgr', 'manager', org.outletA1.id)
  await addUser(t.db, 'api.mgrb', 'manager', org.outletB1.id)
  await addUser(t.db, 'api.admin', 'admin', org.hq.id)
  managerScope = { actor: { id: mgr, username: 'api.mgr', ip: null }, scope: scopeOf({ id: mgr, role: 'manager', orgPath: org.outletA1.path }) }
})


describe('POST /api/v1/referrals', () => {
  it('hands a case off once per client key: 201, then 200 with the same referral', async () => {
    const playerId = await caseWithNeed(1)
    const officer = await signedIn('api.off')
    const body = { uscc: uscc(1), productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 }
    const first = await postJson(officer, '/api/v1/referrals', body, { 'Idempotency-Key': 'tool-key-0001' })
    expect(first.status).toBe(201)
    const made = (await first.json()) as { referral: { id: number; playerId: number; stage: string; clientKey: string } }
    expect(made.referral).toMatchObject({ playerId, stage: 'referred', clientKey: 'tool-key-0001' })
    const again = await postJson(officer, '/api/v1/referrals', { ...body, clientKey: 'tool-key-0001' })
    expect(again.status).toBe(200)
    expect(((await again.json()) as typeof made).referral.id).toBe(made.referral.id)
    expect(await t.db.selectFrom('referrals').select('id').where('player_id', '=', playerId).execute()).toHaveLength(1)
    // A new key for the same open case is the page's rule: one open case per player.
    expect((await postJson(officer, '/api/v1/referrals', body, { 'Idempotency-Key': 'tool-key-0002' })).status).toBe(409)
    expect((await postJson(officer, '/api/v1/referrals', body)).status).toBe(400)
  })

  it('refuses a case the rules refuse with 422 and the failed rules', async () => {
    await caseWithNeed(2, { taxGrade: 'C' })
    const manager = await signedIn('api.mgr')
    const response = await postJson(manager, '/api/v1/referrals', { uscc: uscc(2), productCode: 'tax_credit', amountYuan: 100_000, clientKey: 'tool-key-0003' }, { 'Accept-Language': 'en' })
    expect(response.status).toBe(422)
    const answer = (await response.json()) as { error: string; reasons: string[] }
    expect(answer.error).toBe('not_qualified')
    expect(answer.reasons).toHaveLength(1)
    expect(answer.reasons[0]).toMatch(/C/)
    const over = await postJson(manager, '/api/v1/referrals', { uscc: uscc(2), productCode: 'secured', amountYuan: 100_000, clientKey: 'tool-key-0004' })
    expect(over.status).toBe(422)
  })

  it("answers 404 for a player outside the manager's unit, and stores nothing", async () => {
    const elsewhere = await caseWithNeed(3, { orgUnitId: org.outletB1.id })
    const manager = await signedIn('api.mgr')
    expect((await postJson(manager, '/api/v1/referrals', { playerId: elsewhere, productCode: 'tax_credit', amountYuan: 100_000, clientKey: 'tool-key-0005' })).status).toBe(404)
    expect((await postJson(manager, '/api/v1/referrals', { uscc: uscc(3), productCode: 'tax_credit', amountYuan: 100_000, clientKey: 'tool-key-0006' })).status).toBe(404)
    expect(await t.db.selectFrom('referrals').select('id').where('player_id', '=', elsewhere).execute()).toEqual([])
  })

  it('takes a past time only from a caller allowed to import history, and does not send it again', async () => {
    const playerId = await caseWithNeed(4, { visitedAt: new Date(Date.now() - 10 * 86_400_000).toISOString() })
    const at = new Date(Date.now() - 5 * 86_400_000).toISOString()
    const body = { playerId, productCode: 'tax_credit', amountYuan: 200_000, referredAt: at, externalRef: 'LOS-PAST-4', clientKey: 'tool-key-0007' }
    expect((await postJson(await signedIn('api.off'), '/api/v1/referrals', body)).status).toBe(403)
    const response = await postJson(await signedIn('api.mgr'), '/api/v1/referrals', body)
    expect(response.status).toBe(201)
    const { referral } = (await response.json()) as { referral: { id: number; referredAt: string; externalRef: string } }
    expect(referral).toMatchObject({ referredAt: at, externalRef: 'LOS-PAST-4' })
    expect(await t.db.selectFrom('outbox').select('id').where('referral_id', '=', referral.id).execute()).toEqual([])
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity_type', '=', 'referral').where('entity_id', '=', String(referral.id)).execute()
    expect(audit.map((a) => a.action)).toEqual(['referral.imported'])
  })
})

describe('GET /api/v1/players?uscc=', () => {
  it('finds a player in scope, with personal data masked and no person named', async () => {
    const playerId = await caseWithNeed(11)
    const response = await (await signedIn('api.mgr')).get(`/api/v1/players?uscc=${uscc(11).toLowerCase()}`)
    expect(response.status).toBe(200)
    const text = await response.text()
    const { players } = JSON.parse(text) as { players: Record<string, unknown>[] }
    expect(players).toEqual([expect.objectContaining({ id: playerId, uscc: uscc(11), name: '接口主体11', phoneMasked: '138****5678', officer: 'api.off', orgUnitCode: 'A-1' })])
    expect(text).not.toContain('13812345678')
    expect(text).not.toContain('王五')
  })

  it('answers 404 for a player out of scope, and 400 with the reason for a bad USCC', async () => {
    await caseWithNeed(12, { orgUnitId: org.outletB1.id })
    const manager = await signedIn('api.mgr')
    expect((await manager.get(`/api/v1/players?uscc=${uscc(12)}`)).status).toBe(404)
    expect((await manager.get(`/api/v1/players?uscc=${uscc(999_999)}`)).status).toBe(404)
    expect((await (await signedIn('api.mgrb')).get(`/api/v1/players?uscc=${uscc(12)}`)).status).toBe(200)
    const bad = await manager.request('/api/v1/players?uscc=91110000600037341N', { headers: { Cookie: 'wanqi_lang=en' } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { fields: { uscc: string[] } }).fields.uscc[0]).toMatch(/L/)
    expect((await manager.get('/api/v1/players')).status).toBe(400)
  })

  it('lets an admin make an integration token only for an active user', async () => {
    const adminClient = await signedIn('api.admin')
    const made = await adminClient.post('/admin/tokens', { intent: 'create', name: 'crm tool', purpose: 'integration', actsFor: 'api.mgr' })
    expect(made.status).toBe(200)
    const token = /<code>(wq_[^<]+)<\/code>/.exec(await made.text())![1]
    expect((await suite.client().request(`/api/v1/players?uscc=${uscc(11)}`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200)
    expect((await adminClient.post('/admin/tokens', { intent: 'create', name: 'nobody', purpose: 'integration', actsFor: 'no.such.user' })).status).toBe(400)
    expect((await adminClient.post('/admin/tokens', { intent: 'create', name: 'nobody', purpose: 'integration' })).status).toBe(400)
  })

  it('answers an integration token as its user would be answered, until it is revoked', async () => {
    await caseWithNeed(13)
    const { id, token } = await createApiToken(t.db, { actor: SYSTEM_ACTOR }, { name: 'crm', purpose: 'integration', actsFor: 'api.mgr' })
    const bearer = suite.client()
    const ask = (k: number) => bearer.request(`/api/v1/players?uscc=${uscc(k)}`, { headers: { Authorization: `Bearer ${token}` } })
    expect((await ask(13)).status).toBe(200)
    expect((await ask(12)).status).toBe(404)
    await revokeApiToken(t.db, { actor: SYSTEM_ACTOR }, { id })
    expect((await ask(13)).status).toBe(401)
  })
})

describe('POST /api/v1/visits with a past time', () => {
  it('refuses a visit older than 30 days unless marked historical by a caller allowed to import history', async () => {
    const playerId = await caseWithNeed(21)
    const visitedAt = new Date(Date.now() - 90 * 86_400_000).toISOString()
    const body = { id: `hist-api-${Date.now()}`, playerId, channel: 'phone', hasNeed: false, outcome: 'no_need', visitedAt }
    const manager = await signedIn('api.mgr')
    const live = await postJson(manager, '/api/v1/visits', body)
    expect(live.status).toBe(400)
    expect(((await live.json()) as { fields: Record<string, string[]> }).fields.visitedAt).toBeDefined()
    expect((await postJson(await signedIn('api.off'), '/api/v1/visits', { ...body, historical: true })).status).toBe(403)
    const past = await postJson(manager, '/api/v1/visits', { ...body, historical: true })
    expect(past.status).toBe(201)
    expect(((await past.json()) as { visit: { visitedAt: string } }).visit.visitedAt).toBe(visitedAt)
    const before2000 = await postJson(manager, '/api/v1/visits', { ...body, id: `hist-api-old-${Date.now()}`, historical: true, visitedAt: '1999-05-01T10:00:00+08:00' })
    expect(before2000.status).toBe(400)
  })
})

describe('the history page', () => {
  it('previews a file with nothing written, then applies the good rows', async () => {
    const playerId = await caseWithNeed(31)
    const manager = await signedIn('api.mgr')
    const csv = ['统一社会信用代码,客户经理,走访时间,走访方式,有融资需求,走访结果', `${uscc(31)},api.off,2025-06-01 10:00,电话,否,暂无需求`, `${uscc(998)},api.off,2025-06-02,电话,否,暂无需求`].join('\n')
    const form = new FormData()
    form.set('kind', 'visits')
    form.set('file', new Blob([csv], { type: 'text/csv' }), '历史走访.csv')
    const preview = await manager.request('/imports/history', { method: 'POST', body: form })
    expect(preview.status).toBe(200)
    const html = await preview.text()
    expect(html).toContain('找不到这个主体')
    const pending = /name="pending" value="([0-9a-f]{32})"/.exec(html)![1]
    const count = async () => (await t.db.selectFrom('visits').select('id').where('player_id', '=', playerId).execute()).length
    expect(await count()).toBe(1)
    // Another user cannot apply it.
    expect((await (await signedIn('api.admin')).post('/imports/history', { intent: 'apply', pending })).status).toBe(409)
    const applied = await manager.post('/imports/history', { intent: 'apply', pending })
    expect(applied.status).toBe(200)
    expect(await applied.text()).toContain('新增 1 行')
    expect(await count()).toBe(2)
    expect((await manager.post('/imports/history', { intent: 'apply', pending })).status).toBe(409)
  })
  // Remix's multipart parser answered 500 to a name holding '=' or ';'.
  it.each(['走访=2024.csv', 'a;b.csv', ''])('takes a history file named %j', async (fileName) => {
    const manager = await signedIn('api.mgr')
    const form = new FormData()
    form.set('kind', 'visits')
    form.set('file', new Blob([`统一社会信用代码,客户经理,走访时间,走访方式,有融资需求,走访结果\n${uscc(997)},api.off,2025-06-02,电话,否,暂无需求`], { type: 'text/csv' }), fileName)
    const preview = await manager.request('/imports/history', { method: 'POST', body: form })
    expect(preview.status).toBe(200)
    expect(await preview.text()).toContain('找不到这个主体')
  })
})
