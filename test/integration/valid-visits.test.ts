// Valid visits (issue 24 item 3, PRODUCT.md "Valid visits") on a real database (SQLite, and
// PostgreSQL when configured) and over HTTP: each visit is judged when recorded by the rules in
// force and judged again when its evidence changes (a photo added, a far reason accepted); an
// admin's change of the rules is a new version, audited, applied to visits from then on; a
// manager accepts a far check-in's reason (audited) and the visit counts; coverage counts only
// valid visits, in the figures and in the map's shading; the day view says which visits did not
// count and why.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { todayInChina } from '../../app/domain/china-time'
import { periodOf } from '../../app/domain/figures'
import { scopeOf } from '../../app/domain/scope'
import { parseVisit } from '../../app/forms/visit'
import { computeFiguresInSql } from '../../app/services/figures.server'
import { coverageOfAreas } from '../../app/services/map-layers.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { createStorage } from '../../app/services/storage/storage.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { addVisitPhoto } from '../../app/services/visit-photos/add-visit-photo.server'
import { findVisitRules } from '../../app/services/visit-rules/find-visit-rules.server'
import { findMyList } from '../../app/services/visits/find-my-list.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { fixturePhoto } from '../support/photo-fixtures'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
type Who = { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
const who: Record<string, Who> = {}
const ids: Record<string, number> = {}
let org: Awaited<ReturnType<typeof buildOrg>>
let n = 0
// 33.78, 114.53 is where the players are; 33.80 is about 2.2 km north.
const NEAR = { checkInLat: 33.7801, checkInLng: 114.5301, checkInAccuracy: 10, checkInFix: 'live' }
const FAR = { checkInLat: 33.8, checkInLng: 114.53, checkInAccuracy: 10, checkInFix: 'live', farReason: '店主在镇上的仓库' }

const suite = routeSuite(async (t) => {
  org = await buildOrg(t.db)
  const add = async (name: string, role: 'officer' | 'manager' | 'admin', unit: { id: number; path: string }) => {
    const id = await addUser(t.db, name, role, unit.id)
    who[name] = { actor: { id, username: name, ip: null }, scope: scopeOf({ id, role, orgPath: unit.path }) }
  }
  await add('off.a1', 'officer', org.outletA1)
  await add('mgr.a1', 'manager', org.outletA1)
  await add('mgr.b1', 'manager', org.outletB1)
  await add('admin', 'admin', org.hq)
  const system = { id: null, username: 'test', ip: null }
  for (const [name, kind] of [['企业甲', 'enterprise'], ['个体乙', 'household'], ['远处丙', 'enterprise'], ['照片丁', 'enterprise']] as const) {
    ids[name] = await createPlayer(t.db, { actor: system, pii }, { fields: playerFields(name, { kind }), orgUnitId: org.outletA1.id })
  }
  await assignPlayers(t.db, { actor: who['mgr.a1'].actor, scope: who['mgr.a1'].scope }, { playerIds: Object.values(ids), officerId: who['off.a1'].actor.id, reason: 'test' })
})

async function visit(player: string, extra: Record<string, unknown> = {}) {
  const parsed = parseVisit({ id: `valid-${++n}-${crypto.randomBytes(4).toString('hex')}`, playerId: ids[player], channel: 'phone', ...extra })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return (await recordVisit(suite.t.db, who['off.a1'], parsed.data)).visit
}

const stored = (id: string) => suite.t.db.selectFrom('visits').select(['valid', 'invalid_reasons', 'rules_version', 'far_accepted_by']).where('id', '=', id).executeTakeFirstOrThrow()
const audits = (action: string, entityId?: string) => {
  let q = suite.t.db.selectFrom('audit_log').selectAll().where('action', '=', action)
  if (entityId) q = q.where('entity_id', '=', entityId)
  return q.execute()
}

describe('a visit judged when recorded, by the rules in force', () => {
  it('under the first rules: phone counts, on site counts within the radius, not without a check-in nor far away', async () => {
    expect((await findVisitRules(suite.t.db)).version).toBe(1)
    const phone = await visit('个体乙')
    expect(phone.validity).toEqual({ valid: true, reasons: [], farAcceptedAt: null })
    expect((await visit('企业甲', { channel: 'on_site', ...NEAR })).validity.valid).toBe(true)
    expect((await visit('企业甲', { channel: 'on_site' })).validity).toMatchObject({ valid: false, reasons: ['no_check_in'] })
    const far = await visit('企业甲', { channel: 'on_site', ...FAR })
    expect(far.validity).toMatchObject({ valid: false, reasons: ['far'] })
    expect(await stored(far.id)).toMatchObject({ valid: 0, invalid_reasons: '["far"]', rules_version: 1 })
  })
})

describe('the rules an admin sets (over HTTP)', () => {
  it('are saved as a new version with its history, audited; bad input is refused next to its field; officers may not', async () => {
    const officer = await suite.signedIn('off.a1')
    expect((await officer.get('/admin/visit-rules')).status).toBe(403)
    const admin = await suite.signedIn('admin')
    const bad = await admin.post('/admin/visit-rules', { radiusMetres: '5', remoteEnterprises: 'on' })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('50')
    expect((await findVisitRules(suite.t.db)).version).toBe(1)

    const saved = await admin.post('/admin/visit-rules', { photoRequired: 'on', radiusMetres: '300', remoteEnterprises: 'on' })
    expect(saved.status).toBe(200)
    expect(await saved.text()).toContain('已保存为第 2 版')
    expect((await findVisitRules(suite.t.db)).rules).toEqual({ photoRequired: true, radiusMetres: 300, remoteCountsFor: { household: false, enterprise: true } })
    const [entry] = await audits('visit_rules.changed', '2')
    expect(JSON.parse(entry.detail!)).toMatchObject({ before: { radiusMetres: 500 }, after: { radiusMetres: 300, photoRequired: true } })
    // The same again makes no version.
    expect(await (await admin.post('/admin/visit-rules', { photoRequired: 'on', radiusMetres: '300', remoteEnterprises: 'on' })).text()).toContain('规则未变')
    const page = await (await admin.get('/admin/visit-rules')).text()
    expect(page).toContain('data-testid="rules-version-2"')
    expect(page).toContain('data-testid="rules-version-1"')
  })

  it('apply to visits from then on: a household phone call does not count, a photo makes an on-site visit count; earlier visits keep their verdict', async () => {
    const earlier = await suite.t.db.selectFrom('visits').select(['id', 'valid', 'rules_version']).where('player_id', '=', ids['个体乙']).executeTakeFirstOrThrow()
    expect(earlier).toMatchObject({ valid: 1, rules_version: 1 })
    expect((await visit('个体乙')).validity).toMatchObject({ valid: false, reasons: ['remote_not_counted'] })
    expect((await visit('企业甲')).validity.valid).toBe(true)

    const onSite = await visit('照片丁', { channel: 'on_site', ...NEAR })
    expect(onSite.validity).toMatchObject({ valid: false, reasons: ['no_photo'] })
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-valid-'))
    try {
      await addVisitPhoto(suite.t.db, who['off.a1'], createStorage({ kind: 'disk', dir }), { visitId: onSite.id, photoId: `photo-${crypto.randomUUID()}`, bytes: fixturePhoto('jpeg') })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
    expect(await stored(onSite.id)).toMatchObject({ valid: 1, invalid_reasons: null, rules_version: 2 })
  })

  it("the officer's list marks a player whose latest visit did not count", async () => {
    const { items } = await findMyList(suite.t.db, { actor: who['off.a1'].actor, pii }, { withPhones: false })
    const of = (name: string) => items.find((i) => i.id === ids[name])!
    expect(of('个体乙').lastVisitValid).toBe(false)
    expect(of('企业甲').lastVisitValid).toBe(true)
  })
})

describe('a manager accepts a far check-in (over HTTP), and coverage counts valid visits', () => {
  it('the day view says what did not count and why; accepting makes the visit count, once, audited, in scope only', async () => {
    const far = await visit('远处丙', { channel: 'on_site', ...FAR })
    expect(far.validity.reasons).toEqual(['far', 'no_photo'])
    const month = periodOf('month', todayInChina())
    const outlet = { scopes: [{ kind: 'org' as const, orgPath: org.outletA1.path }] }
    const before = await computeFiguresInSql(suite.t.db, outlet, month)

    const manager = await suite.signedIn('mgr.a1')
    const day = await (await manager.get('/visits?invalid=1')).text()
    expect(day).toContain(`data-testid="visit-${far.id}"`)
    expect(day).toContain('签到超出半径，理由未经负责人认可')
    expect(day).toContain('缺门头照')
    expect(day).toContain('认可超距理由')

    const officer = await suite.signedIn('off.a1')
    expect((await officer.post('/visits?index', { intent: 'accept-far', visitId: far.id })).status).toBe(403)
    const other = await suite.signedIn('mgr.b1')
    expect((await other.post('/visits?index', { intent: 'accept-far', visitId: far.id })).status).toBe(404)

    const accepted = await manager.post('/visits?index', { intent: 'accept-far', visitId: far.id })
    expect(accepted.status).toBe(200)
    expect(await accepted.text()).toContain('已认可')
    // Still short of its photo (rules version 2): accepted, not yet valid.
    expect(await stored(far.id)).toMatchObject({ valid: 0, invalid_reasons: '["no_photo"]', far_accepted_by: who['mgr.a1'].actor.id })
    const [entry] = await audits('visit.far_accepted', far.id)
    expect(entry.actor_username).toBe('mgr.a1')
    expect((await manager.post('/visits?index', { intent: 'accept-far', visitId: far.id })).status).toBe(409)

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-valid-'))
    try {
      await addVisitPhoto(suite.t.db, who['off.a1'], createStorage({ kind: 'disk', dir }), { visitId: far.id, photoId: `photo-${crypto.randomUUID()}`, bytes: fixturePhoto('png') })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
    expect(await stored(far.id)).toMatchObject({ valid: 1 })
    // 远处丙 had no valid visit before; now it counts for coverage (assigned stays 4).
    const after = await computeFiguresInSql(suite.t.db, outlet, month)
    expect(after.assigned).toBe(4)
    expect(after.coverage! - before.coverage!).toBeCloseTo(1 / 4)
    expect(after.visited).toBe(before.visited)
  })
})

describe('the map’s coverage shading counts valid visits', () => {
  it('a player whose only visit did not count leaves its township unshaded', async () => {
    await suite.t.db.insertInto('areas').values({ code: '411622101', name: '着色镇', level: 'township', parent_code: null, boundary: null, centre_lat: 33.8, centre_lng: 114.5 }).execute()
    const system = { id: null, username: 'test', ip: null }
    for (const name of ['着色甲', '着色乙', '着色丙']) {
      ids[name] = await createPlayer(suite.t.db, { actor: system, pii }, { fields: playerFields(name, { areaCode: '411622101' }), orgUnitId: org.outletA1.id })
    }
    await assignPlayers(suite.t.db, { actor: who['mgr.a1'].actor, scope: who['mgr.a1'].scope }, { playerIds: [ids['着色甲'], ids['着色乙'], ids['着色丙']], officerId: who['off.a1'].actor.id, reason: 'test' })
    // An enterprise's phone call counts under every version of the rules; on site with no
    // check-in never does.
    expect((await visit('着色甲')).validity.valid).toBe(true)
    const invalid = await visit('着色乙', { channel: 'on_site' })
    expect(invalid.validity.valid).toBe(false)
    expect(invalid.validity.reasons).toContain('no_check_in')
    const shading = await coverageOfAreas(suite.t.db, who['mgr.a1'].scope)
    expect(shading.townships['411622101']).toEqual({ assigned: 3, visited: 1, coverage: 1 / 3 })
    // What the map fetches says the same.
    const manager = await suite.signedIn('mgr.a1')
    const answer = (await (await manager.get('/api/v1/coverage')).json()) as { townships: Record<string, unknown> }
    expect(answer.townships['411622101']).toEqual({ assigned: 3, visited: 1, coverage: 1 / 3 })
  })
})
