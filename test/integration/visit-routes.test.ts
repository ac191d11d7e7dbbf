// Visits over real HTTP: POST /api/v1/visits answers 201 the first time, 200 with the
// stored visit for the same id, 400 naming each bad field, 401 without a session, 415 for
// anything but JSON; the plain form post (no JavaScript) stores a double submission once;
// an officer's list carries call and navigation links; a manager's day view shows the
// flagged visit and another branch's manager does not see it; only the author corrects.
import { describe, expect, it } from 'vitest'
import type { PlayerFields } from '../../app/domain/market-player'
import { scopeOf } from '../../app/domain/scope'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { addUser, buildOrg } from '../support/fixtures'
import type { TestDatabase } from '../support/test-db'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'
import { type Client } from '../support/http-client'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let playerA: number
let playerB: number
let n = 0

function fields(name: string, lat: number, lng: number): PlayerFields {
  return {
    uscc: null, name, kind: 'household', legalRepresentative: null, owner: `${name}主`, idNumber: null, phone: '13912345678', industry: null,
    industryCode: null, employees: null, revenueYuan: null, assetsYuan: null, registeredOn: null, registrationStatus: 'active',
    address: `${name}地址`, areaCode: null, lat, lng, taxGrade: null, loanHistory: 'none', loanCheckedOn: null,
  }
}

const signedIn = (username: string) => suite.signedIn(username)

function postJson(client: Client, body: unknown) {
  return client.request('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: '' }, body: JSON.stringify(body) })
}

const newId = () => `route-visit-${++n}-${Date.now().toString(36)}`

async function rows(id: string) {
  return Number((await t.db.selectFrom('visits').select((eb) => eb.fn.countAll<number>().as('n')).where('id', '=', id).executeTakeFirstOrThrow()).n)
}

const suite = routeSuite(async (db) => {
  t = db
  const org = await buildOrg(t.db)
  const mgrA = await addUser(t.db, 'mgr.a', 'manager', org.outletA1.id)
  const mgrB = await addUser(t.db, 'mgr.b', 'manager', org.outletB1.id)
  const offA = await addUser(t.db, 'off.a', 'officer', org.outletA1.id)
  const offB = await addUser(t.db, 'off.b', 'officer', org.outletB1.id)
  await addUser(t.db, 'hq', 'hq', org.hq.id)
  const system = { id: null, username: 'test', ip: null }
  playerA = await createPlayer(t.db, { actor: system, pii }, { fields: fields('甲面馆', 33.78, 114.53), orgUnitId: org.outletA1.id })
  playerB = await createPlayer(t.db, { actor: system, pii }, { fields: fields('乙超市', 33.7, 114.4), orgUnitId: org.outletB1.id })
  await assignPlayers(t.db, { actor: { id: mgrA, username: 'mgr.a', ip: null }, scope: scopeOf({ id: mgrA, role: 'manager', orgPath: org.outletA1.path }) }, { playerIds: [playerA], officerId: offA, reason: 'test' })
  await assignPlayers(t.db, { actor: { id: mgrB, username: 'mgr.b', ip: null }, scope: scopeOf({ id: mgrB, role: 'manager', orgPath: org.outletB1.path }) }, { playerIds: [playerB], officerId: offB, reason: 'test' })
})


describe('my list', () => {
  it('shows the officer\'s players with call and navigation links; headquarters has no list', async () => {
    const officer = await signedIn('off.a')
    const html = await (await officer.get('/my')).text()
    expect(html).toContain('甲面馆')
    expect(html).not.toContain('乙超市')
    expect(html).toContain('href="tel:+8613912345678"')
    expect(html).toMatch(/href="geo:33\.780000,114\.530000/)
    const hq = await signedIn('hq')
    expect((await hq.get('/my')).status).toBe(403)
  })

})

describe('POST /api/v1/visits', () => {
  it('answers 201 with the stored visit, then 200 with the same visit for the same id, storing it once', async () => {
    const officer = await signedIn('off.a')
    const body = { id: newId(), playerId: playerA, channel: 'on_site', checkInLat: 33.7801, checkInLng: 114.5301, checkInAccuracy: 8, checkInFix: 'live', hasNeed: true, needAmount: 30, needTermMonths: 12, obstacles: ['cost'], outcome: 'refer' }
    const first = await postJson(officer, body)
    expect(first.status).toBe(201)
    const stored = (await first.json()) as { visit: { id: string; need: { amountYuan: number }; checkIn: { distanceMetres: number; flag: string | null }; obstacles: string[] } }
    expect(stored.visit).toMatchObject({ id: body.id, need: { amountYuan: 300_000 }, obstacles: ['cost'], checkIn: { flag: null } })
    expect(stored.visit.checkIn.distanceMetres).toBeLessThan(50)
    const again = await postJson(officer, { ...body, notes: 'retried with other words' })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(stored)
    expect(await rows(body.id)).toBe(1)
  })

  it('answers 400 naming each field that fails, in the user\'s language', async () => {
    const officer = await signedIn('off.a')
    const response = await postJson(officer, { id: 'x', playerId: playerA, channel: 'carrier-pigeon', hasNeed: true, needTermMonths: 1.5, checkInLat: 95 })
    expect(response.status).toBe(400)
    const answer = (await response.json()) as { error: string; fields: Record<string, string[]> }
    expect(answer.error).toBe('invalid')
    expect(Object.keys(answer.fields).sort()).toEqual(['channel', 'checkInLat', 'checkInLng', 'id', 'needAmount', 'needTermMonths'])
    expect(answer.fields.needAmount[0]).toBe('有融资需求时请填写金额。')
  })

  it('answers 400 on farReason for a check-in far from the player, and stores nothing', async () => {
    const officer = await signedIn('off.a')
    const id = newId()
    const response = await postJson(officer, { id, playerId: playerA, channel: 'on_site', checkInLat: 33.81, checkInLng: 114.53 })
    expect(response.status).toBe(400)
    const answer = (await response.json()) as { fields: Record<string, string[]> }
    expect(answer.fields.farReason[0]).toMatch(/超出 500 米/)
    expect(await rows(id)).toBe(0)
    const flagged = await postJson(officer, { id, playerId: playerA, channel: 'on_site', checkInLat: 33.81, checkInLng: 114.53, farReason: '在镇上见面' })
    expect(flagged.status).toBe(201)
    expect(((await flagged.json()) as { visit: { checkIn: { flag: string } } }).visit.checkIn.flag).toBe('far')
  })

  it('answers 401 without a session, 415 for a form body, 404 for a player out of scope', async () => {
    expect((await postJson(suite.client(), { id: newId(), playerId: playerA })).status).toBe(401)
    const officer = await signedIn('off.a')
    const form = await officer.request('/api/v1/visits', { method: 'POST', body: new URLSearchParams({ id: newId(), playerId: String(playerA) }) })
    expect(form.status).toBe(415)
    const elsewhere = await postJson(officer, { id: newId(), playerId: playerB })
    expect(elsewhere.status).toBe(404)
  })
})

describe('the visit form without JavaScript', () => {
  it('posts, redirects to the stored visit, and a double submission of the same form is one visit', async () => {
    const officer = await signedIn('off.a')
    const page = await (await officer.get(`/players/${playerA}/visit`)).text()
    const id = /name="id" value="([^"]+)"/.exec(page)![1]
    const form = { id, playerId: String(playerA), channel: 'phone', contact: '老板', hasNeed: '1', needAmount: '12.5', outcome: 'follow_up', nextFollowUpOn: '2099-01-01' }
    const first = await officer.post(`/players/${playerA}/visit`, form)
    expect(first.status).toBe(302)
    expect(first.headers.get('Location')).toBe(`/visits/${id}?saved=1`)
    const second = await officer.post(`/players/${playerA}/visit`, form)
    expect(second.headers.get('Location')).toBe(`/visits/${id}?saved=1`)
    expect(await rows(id)).toBe(1)
    const shown = await (await officer.get(`/visits/${id}`)).text()
    expect(shown).toContain('12.5')
  })

  it('keeps the input and shows the message by the field when it fails', async () => {
    const officer = await signedIn('off.a')
    const response = await officer.post(`/players/${playerA}/visit`, { id: newId(), playerId: String(playerA), channel: 'phone', hasNeed: '1', contact: '王会计' })
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toContain('有融资需求时请填写金额。')
    expect(html).toContain('value="王会计"')
  })
})

describe('the pages', () => {
  it('a manager sees the branch\'s flagged visit; another branch\'s manager does not', async () => {
    const a = await (await (await signedIn('mgr.a')).get('/visits?flagged=1')).text()
    expect(a).toContain('甲面馆')
    expect(a).toContain('超出签到范围')
    const b = await (await (await signedIn('mgr.b')).get('/visits')).text()
    expect(b).not.toContain('甲面馆')
  })

  it('the day view carries what its rows show, not the whole visit: the notes and position stay on the visit\'s page', async () => {
    const id = newId()
    const saved = await postJson(await signedIn('off.a'), { id, playerId: playerA, channel: 'on_site', checkInLat: 33.7801, checkInLng: 114.5301, notes: '备注只在拜访页上', contact: '店员小刘' })
    expect(saved.status).toBe(201)
    const manager = await signedIn('mgr.a')
    const page = await (await manager.get('/visits')).text()
    expect(page).toContain(`/visits/${id}`)
    expect(page).toContain('甲面馆')
    expect(page).not.toContain('备注只在拜访页上')
    expect(page).not.toContain('店员小刘')
    expect(page).not.toContain('33.7801')
    const own = await (await manager.get(`/visits/${id}`)).text()
    expect(own).toContain('备注只在拜访页上')
  })

  it('the player\'s page says which products the latest need qualifies for, with amounts, and why not the others', async () => {
    const officer = await signedIn('off.a')
    const system = { id: null, username: 'test', ip: null }
    const org = await t.db.selectFrom('org_units').select(['id', 'path']).where('code', '=', 'A-1').executeTakeFirstOrThrow()
    const id = await createPlayer(t.db, { actor: system, pii }, { fields: { ...fields('乙级企业', 33.781, 114.531), kind: 'enterprise', taxGrade: 'B', registeredOn: '2020-03-01' }, orgUnitId: org.id })
    const mgr = await t.db.selectFrom('users').select('id').where('username', '=', 'mgr.a').executeTakeFirstOrThrow()
    const offA = await t.db.selectFrom('users').select('id').where('username', '=', 'off.a').executeTakeFirstOrThrow()
    await assignPlayers(t.db, { actor: { id: mgr.id, username: 'mgr.a', ip: null }, scope: scopeOf({ id: mgr.id, role: 'manager', orgPath: org.path }) }, { playerIds: [id], officerId: offA.id, reason: 'test' })
    const before = await (await officer.get(`/players/${id}`)).text()
    expect(before).toContain('还没有走访记录融资需求')
    expect((await postJson(officer, { id: newId(), playerId: id, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })).status).toBe(201)
    const page = await (await officer.get(`/players/${id}`)).text()
    expect(page).toMatch(/data-product="tax_credit".*?符合：可推荐 50 万元（额度 100 万元）/s)
    expect(page).toMatch(/data-product="household_credit".*?个体户信用贷不受理这类主体/s)
    expect(page).toMatch(/data-product="secured".*?经营贷需要抵押或担保，走访记录为无/s)

    // Handed off from that page: over the limit is refused by the field, within it recorded.
    const over = await officer.post(`/players/${id}`, { intent: 'hand-off', productCode: 'tax_credit', amount: '150', termMonths: '12' })
    expect(over.status).toBe(400)
    expect(await over.text()).toContain('金额超过可推荐额度 1,000,000 元。')
    const handedOff = await officer.post(`/players/${id}`, { intent: 'hand-off', productCode: 'tax_credit', amount: '50', termMonths: '12' })
    expect(handedOff.status).toBe(302)
    const location = handedOff.headers.get('Location')!
    expect(location).toMatch(/^\/referrals\/\d+\?handedOff=1$/)
    const referral = await (await officer.get(location)).text()
    expect(referral).toContain('已推荐，正在发送给信贷系统。')
    expect(referral).toMatch(/data-testid="stage-history".*?已推荐/s)
    const pipeline = await (await officer.get('/referrals')).text()
    expect(pipeline).toContain('乙级企业')
    expect(await (await (await signedIn('mgr.b')).get('/referrals')).text()).not.toContain('乙级企业')
  })

  it('only the author corrects a visit', async () => {
    const officer = await signedIn('off.a')
    const id = newId()
    expect((await postJson(officer, { id, playerId: playerA, channel: 'phone', notes: 'before' })).status).toBe(201)
    const edited = await officer.post(`/visits/${id}`, { channel: 'phone', notes: 'after' })
    expect(edited.status).toBe(302)
    expect((await t.db.selectFrom('visits').select('notes').where('id', '=', id).executeTakeFirstOrThrow()).notes).toBe('after')
    const manager = await signedIn('mgr.a')
    expect((await manager.post(`/visits/${id}`, { channel: 'phone', notes: 'manager' })).status).toBe(403)
    const other = await signedIn('mgr.b')
    expect((await other.get(`/visits/${id}`)).status).toBe(404)
  })
})

describe('GET /api/v1/coverage', () => {
  it('answers visited ÷ assigned per township in scope, and 401 without a session', async () => {
    expect((await suite.client().get('/api/v1/coverage')).status).toBe(401)
    const manager = await signedIn('mgr.a')
    const answer = (await (await manager.get('/api/v1/coverage')).json()) as { townships: Record<string, unknown>; territories: Record<string, unknown>; countedAt: string }
    expect(answer).toMatchObject({ townships: {}, territories: {} })
    expect(Date.parse(answer.countedAt)).toBeGreaterThan(Date.now() - 60_000)
  })
})
