// Visits on a real database (SQLite, and PostgreSQL when configured): each client-made id
// is stored once however often it is sent, far check-ins need a reason and are flagged,
// the author may correct a visit for 24 hours and every correction keeps the earlier
// version, a visit to a player reassigned meanwhile is kept with its conflict, and every
// list is scoped to who is asking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../app/domain/app-error'
import type { PlayerFields } from '../../app/domain/market-player'
import { scopeOf } from '../../app/domain/scope'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { editVisit } from '../../app/services/visits/edit-visit.server'
import { findMyList } from '../../app/services/visits/find-my-list.server'
import { getVisit } from '../../app/services/visits/get-visit.server'
import { listVisitsOfDay } from '../../app/services/visits/list-visits-of-day.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { saveVisitRules } from '../../app/services/visit-rules/save-visit-rules.server'
import { coverageOfAreas } from '../../app/services/map-layers.server'
import { parseVisit, type VisitInput } from '../../app/forms/visit'
import { todayInChina } from '../../app/domain/china-time'
import { addUser, buildOrg } from '../support/fixtures'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
const users: Record<string, { id: number; username: string; ip: null; scope: ReturnType<typeof scopeOf> }> = {}
const ids: Record<string, number> = {}
let n = 0

function fields(name: string, lat: number | null, lng: number | null, areaCode: string | null = null): PlayerFields {
  return {
    uscc: null, name, kind: 'household', legalRepresentative: null, owner: `${name}主`, idNumber: null, phone: '13800138000', industry: null,
    industryCode: null, employees: null, revenueYuan: null, assetsYuan: null, registeredOn: null, registrationStatus: 'active',
    address: `${name}地址`, areaCode, lat, lng, taxGrade: null, loanHistory: 'none', loanCheckedOn: null,
  }
}

/** A visit as the form would send it, checked by the form's own schema. */
function visit(player: string, extra: Record<string, unknown> = {}): VisitInput {
  const parsed = parseVisit({ id: `visit-${++n}-${Math.random().toString(36).slice(2, 10)}`, playerId: ids[player], channel: 'phone', ...extra })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return parsed.data
}

function as(user: string, now?: Date) {
  const u = users[user]
  return { actor: { id: u.id, username: u.username, ip: null }, scope: u.scope, now }
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

async function count(table: 'visits' | 'audit_log', where?: [string, string]) {
  let q = t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'))
  if (where) q = q.where(where[0] as 'id', '=', where[1])
  return Number((await q.executeTakeFirstOrThrow()).n)
}

async function player(name: string) {
  return t.db.selectFrom('market_players').selectAll().where('id', '=', ids[name]).executeTakeFirstOrThrow()
}

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  await t.db.insertInto('areas').values({ code: '411622100', name: '城关镇', level: 'township', parent_code: null, boundary: null, centre_lat: 33.8, centre_lng: 114.5 }).execute()
  const add = async (name: string, role: 'officer' | 'manager', unit: { id: number; path: string }) => {
    const id = await addUser(t.db, name, role, unit.id)
    users[name] = { id, username: name, ip: null, scope: scopeOf({ id, role, orgPath: unit.path }) }
  }
  await add('officer.a1', 'officer', org.outletA1)
  await add('officer.a2', 'officer', org.outletA1)
  await add('officer.b1', 'officer', org.outletB1)
  await add('mgr.a1', 'manager', org.outletA1)
  await add('mgr.b1', 'manager', org.outletB1)
  const system = { id: null, username: 'test', ip: null }
  for (const [name, lat, lng, area] of [
    ['面馆', 33.78, 114.53, null],
    ['超市', 33.79, 114.54, null],
    ['大致', null, null, '411622100'],
    ['改派', 33.77, 114.52, null],
    ['跟进', 33.76, 114.51, null],
  ] as const) {
    ids[name] = await createPlayer(t.db, { actor: system, pii }, { fields: fields(name, lat, lng, area), orgUnitId: org.outletA1.id })
  }
  const mgr = { id: users['mgr.a1'].id, username: 'mgr.a1', ip: null }
  await assignPlayers(t.db, { actor: mgr, scope: users['mgr.a1'].scope }, { playerIds: Object.values(ids), officerId: users['officer.a1'].id, reason: 'test' })
  ids['乙'] = await createPlayer(t.db, { actor: system, pii }, { fields: fields('乙户', 33.7, 114.4), orgUnitId: org.outletB1.id })
  const mgrB = { id: users['mgr.b1'].id, username: 'mgr.b1', ip: null }
  await assignPlayers(t.db, { actor: mgrB, scope: users['mgr.b1'].scope }, { playerIds: [ids['乙']], officerId: users['officer.b1'].id, reason: 'test' })
})

afterAll(async () => {
  await t.destroy()
})

describe('a client-made id', () => {
  it('is stored once: the same visit again changes nothing and says so', async () => {
    const input = visit('面馆', { hasNeed: true, needAmount: 50, needTermMonths: 12, outcome: 'refer' })
    const first = await recordVisit(t.db, as('officer.a1'), input)
    expect(first.created).toBe(true)
    expect(first.visit.need).toMatchObject({ has: true, amountYuan: 500_000, termMonths: 12 })
    const audits = await count('audit_log', ['entity_id', input.id])
    const again = await recordVisit(t.db, as('officer.a1'), { ...input, notes: 'a different body under the same id' })
    expect(again.created).toBe(false)
    expect(again.visit).toEqual(first.visit)
    expect(await count('visits', ['id', input.id])).toBe(1)
    expect(await count('audit_log', ['entity_id', input.id])).toBe(audits)
    expect((await player('面馆')).campaign_status).toBe('need_found')
  })

  it('sent twice at the same moment is still one visit', async () => {
    const input = visit('超市')
    const results = await Promise.all([recordVisit(t.db, as('officer.a1'), input), recordVisit(t.db, as('officer.a1'), input), recordVisit(t.db, as('officer.a1'), input)])
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(await count('visits', ['id', input.id])).toBe(1)
  })

  it('is the author\'s own: another officer presenting it is refused and learns nothing', async () => {
    const input = visit('超市')
    await recordVisit(t.db, as('officer.a1'), input)
    const error = await failure(recordVisit(t.db, as('officer.a2'), { ...input }))
    expect(error.code).toBe('conflict')
    expect(error.messageKey).toBe('visit.idTaken')
  })
})

describe('the check-in', () => {
  const near = { channel: 'on_site', checkInLat: 33.7803, checkInLng: 114.5302, checkInAccuracy: 12, checkInFix: 'live' }
  const far = { channel: 'on_site', checkInLat: 33.80, checkInLng: 114.53, checkInAccuracy: 15, checkInFix: 'cached' }

  it('within the radius is measured and not flagged', async () => {
    const { visit: v } = await recordVisit(t.db, as('officer.a1'), visit('面馆', near))
    expect(v.checkIn.distanceMetres).toBeGreaterThan(0)
    expect(v.checkIn.distanceMetres).toBeLessThan(100)
    expect(v.checkIn).toMatchObject({ flag: null, fix: 'live', accuracyMetres: 12 })
  })

  it('beyond the radius needs a reason, then is stored flagged for the manager', async () => {
    const error = await failure(recordVisit(t.db, as('officer.a1'), visit('面馆', far)))
    expect(error.code).toBe('bad_request')
    expect(error.params).toMatchObject({ field: 'farReason', radius: 500 })
    expect(Number(error.params.distance)).toBeGreaterThan(2000)
    const { visit: v } = await recordVisit(t.db, as('officer.a1'), visit('面馆', { ...far, farReason: '店主约在镇上见面' }))
    expect(v.checkIn).toMatchObject({ flag: 'far', farReason: '店主约在镇上见面', fix: 'cached' })
    const day = await listVisitsOfDay(t.db, { scope: users['mgr.a1'].scope }, { day: todayInChina(), flaggedOnly: true })
    expect(day.visits.map((x) => x.id)).toContain(v.id)
    expect(day.officers.find((o) => o.officerId === users['officer.a1'].id)!.far).toBeGreaterThanOrEqual(1)
  })

  it('follows the radius of the rules in force', async () => {
    const admin = { id: null, username: 'test', ip: null }
    await saveVisitRules(t.db, { actor: admin }, { photoRequired: false, radiusMetres: 5000, remoteHouseholds: true, remoteEnterprises: true })
    const { visit: v } = await recordVisit(t.db, { ...as('officer.a1') }, visit('面馆', far)).finally(() =>
      saveVisitRules(t.db, { actor: admin }, { photoRequired: false, radiusMetres: 500, remoteHouseholds: true, remoteEnterprises: true }),
    )
    expect(v.checkIn.flag).toBeNull()
  })

  it('on site without a position is flagged "no position"; a phone call is not checked', async () => {
    expect((await recordVisit(t.db, as('officer.a1'), visit('面馆', { channel: 'on_site' }))).visit.checkIn.flag).toBe('no_fix')
    expect((await recordVisit(t.db, as('officer.a1'), visit('面馆', { channel: 'phone' }))).visit.checkIn.flag).toBeNull()
  })

  it('at a player placed only at its township centre is never "far", and may set its position once confirmed', async () => {
    const before = await player('大致')
    expect(before.position_approximate).toBe(1)
    const { visit: v } = await recordVisit(t.db, as('officer.a1'), visit('大致', { ...far, checkInLat: 33.9, setPosition: true }))
    expect(v.checkIn.flag).toBeNull()
    expect(v.checkIn.distanceMetres).toBeGreaterThan(5000)
    expect(v.positionSet).toBe(true)
    const after = await player('大致')
    expect(after).toMatchObject({ lat: 33.9, lng: 114.53, position_approximate: 0 })
    const audit = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'player.position-from-check-in').where('entity_id', '=', String(ids['大致'])).executeTakeFirstOrThrow()
    expect(JSON.parse(audit.detail!)).toMatchObject({ visit: v.id, before: { lat: 33.8, lng: 114.5 } })
  })
})

describe('the 24-hour edit window', () => {
  it('lets the author correct a visit, keeping the earlier version in the audit log', async () => {
    const { visit: v } = await recordVisit(t.db, as('officer.a1'), visit('跟进', { notes: '第一次', outcome: 'follow_up', nextFollowUpOn: todayInChina() }))
    const talk = parseVisit({ id: v.id, playerId: ids['跟进'], channel: 'phone', notes: '改过了', hasNeed: true, needAmount: 20, outcome: 'refer' })
    if (!talk.ok) throw new Error('invalid')
    const edited = await editVisit(t.db, { actor: as('officer.a1').actor }, { id: v.id, talk: talk.data })
    expect(edited).toMatchObject({ notes: '改过了', outcome: 'refer', need: { has: true, amountYuan: 200_000 } })
    const entry = await t.db.selectFrom('audit_log').select(['detail', 'actor_id']).where('action', '=', 'visit.edited').where('entity_id', '=', v.id).executeTakeFirstOrThrow()
    expect(entry.actor_id).toBe(users['officer.a1'].id)
    expect(JSON.parse(entry.detail!).before).toMatchObject({ notes: '第一次', outcome: 'follow_up', has_need: 0, need_amount_yuan: null })
    // The player follows its latest visit.
    expect(await player('跟进')).toMatchObject({ last_outcome: 'refer', next_follow_up_on: null, campaign_status: 'need_found' })
  })

  it('locks a visit 24 hours after it was recorded, and never opens it to anyone else', async () => {
    const recorded = new Date()
    const { visit: v } = await recordVisit(t.db, as('officer.a1', recorded), visit('跟进'))
    const talk = parseVisit({ id: v.id, playerId: ids['跟进'], notes: 'late' })
    if (!talk.ok) throw new Error('invalid')
    const justBefore = new Date(recorded.getTime() + 24 * 3600_000 - 60_000)
    await expect(editVisit(t.db, { actor: as('officer.a1').actor }, { id: v.id, talk: talk.data, now: justBefore })).resolves.toMatchObject({ notes: 'late' })
    const after = new Date(recorded.getTime() + 24 * 3600_000 + 1000)
    expect((await failure(editVisit(t.db, { actor: as('officer.a1').actor }, { id: v.id, talk: talk.data, now: after }))).messageKey).toBe('visit.locked')
    expect((await failure(editVisit(t.db, { actor: as('mgr.a1').actor }, { id: v.id, talk: talk.data }))).messageKey).toBe('visit.notAuthor')
    expect((await getVisit(t.db, { scope: users['officer.a1'].scope }, { id: v.id }))!.notes).toBe('late')
  })
})

describe('a player that changed meanwhile', () => {
  it('reassigned while the phone was offline: the visit is stored for its author, with the conflict shown to both managers', async () => {
    const mgr = { id: users['mgr.a1'].id, username: 'mgr.a1', ip: null }
    await assignPlayers(t.db, { actor: mgr, scope: users['mgr.a1'].scope }, { playerIds: [ids['改派']], officerId: users['officer.a2'].id, reason: 'rebalanced' })
    const { visit: v, created } = await recordVisit(t.db, as('officer.a1'), visit('改派', { notes: 'written offline yesterday' }))
    expect(created).toBe(true)
    expect(v.officerId).toBe(users['officer.a1'].id)
    expect(v.conflict).toEqual({ kind: 'reassigned', officerId: users['officer.a2'].id, officerName: 'officer.a2' })
    // The author still sees their visit; the manager sees it flagged.
    expect(await getVisit(t.db, { scope: users['officer.a1'].scope }, { id: v.id })).toBeDefined()
    const day = await listVisitsOfDay(t.db, { scope: users['mgr.a1'].scope }, { day: todayInChina(), flaggedOnly: true })
    expect(day.visits.find((x) => x.id === v.id)?.conflict?.kind).toBe('reassigned')
  })

  it('one the officer never looked after is not found', async () => {
    const error = await failure(recordVisit(t.db, as('officer.a2'), visit('乙')))
    expect(error.code).toBe('not_found')
  })
})

describe('scoping', () => {
  it('an officer sees only their own visits, a manager their branch, never another branch', async () => {
    const { visit: b } = await recordVisit(t.db, as('officer.b1'), visit('乙'))
    const today = todayInChina()
    const own = await listVisitsOfDay(t.db, { scope: users['officer.a1'].scope }, { day: today })
    expect(own.visits.length).toBeGreaterThan(0)
    expect(own.visits.every((v) => v.officerId === users['officer.a1'].id)).toBe(true)
    const branchA = await listVisitsOfDay(t.db, { scope: users['mgr.a1'].scope }, { day: today })
    expect(branchA.visits.map((v) => v.id)).not.toContain(b.id)
    const branchB = await listVisitsOfDay(t.db, { scope: users['mgr.b1'].scope }, { day: today })
    expect(branchB.visits.map((v) => v.id)).toEqual([b.id])
    expect(await getVisit(t.db, { scope: users['mgr.a1'].scope }, { id: b.id })).toBeUndefined()
    expect(await getVisit(t.db, { scope: users['officer.a1'].scope }, { id: b.id })).toBeUndefined()
  })

  it('a manager of another branch cannot log a visit to a player outside it', async () => {
    expect((await failure(recordVisit(t.db, as('mgr.b1'), visit('面馆')))).code).toBe('not_found')
  })
})

describe('dates', () => {
  it('refuses a visit in the future, one older than 30 days, and a follow-up before the visit', async () => {
    const soon = new Date(Date.now() + 3600_000).toISOString()
    expect((await failure(recordVisit(t.db, as('officer.a1'), visit('面馆', { visitedAt: soon })))).params.field).toBe('visitedAt')
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString()
    expect((await failure(recordVisit(t.db, as('officer.a1'), visit('面馆', { visitedAt: old })))).messageKey).toBe('visit.tooOld')
    expect((await failure(recordVisit(t.db, as('officer.a1'), visit('面馆', { nextFollowUpOn: '2020-01-01' })))).params.field).toBe('nextFollowUpOn')
  })

  it('keeps a late-arriving older visit from overriding the player\'s latest', async () => {
    const latest = await player('超市')
    const earlier = new Date(Date.parse(latest.last_visited_at!) - 2 * 86_400_000).toISOString()
    await recordVisit(t.db, as('officer.a1'), visit('超市', { visitedAt: earlier, outcome: 'no_need' }))
    expect((await player('超市')).last_visited_at).toBe(latest.last_visited_at)
  })
})

describe('my list', () => {
  it('holds follow-ups due and overdue, players never visited and visits without an outcome, with phones to call', async () => {
    const actor = as('officer.a1').actor
    const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10)
    await recordVisit(t.db, as('officer.a1'), visit('面馆', { outcome: 'follow_up', nextFollowUpOn: tomorrow }))
    const today = todayInChina()
    const { items } = await findMyList(t.db, { actor, pii }, { withPhones: true })
    const reasonOf = (name: string) => items.find((i) => i.id === ids[name])?.reason ?? null
    expect(reasonOf('面馆')).toBeNull() // follow-up tomorrow: nothing to do today
    expect(reasonOf('超市')).toBe('no_outcome')
    expect(reasonOf('改派')).toBeNull() // reassigned away
    expect(items.every((i) => i.phone === '13800138000')).toBe(true)
    const later = await findMyList(t.db, { actor, pii }, { withPhones: false, today: tomorrow })
    expect(later.items.find((i) => i.id === ids['面馆'])?.reason).toBe('due_today')
    const dayAfter = new Date(Date.parse(`${tomorrow}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
    const overdue = await findMyList(t.db, { actor, pii }, { withPhones: false, today: dayAfter })
    expect(overdue.items.find((i) => i.id === ids['面馆'])?.reason).toBe('overdue')
    expect(overdue.items.every((i) => i.phone === null)).toBe(true)
    expect(today <= tomorrow).toBe(true)
    const audit = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'personal-data.list-phones').where('actor_id', '=', actor.id).executeTakeFirstOrThrow()
    expect(JSON.parse(audit.detail!).players).toBe(items.length)
  })

  it('lists a player never visited', async () => {
    const system = { id: null, username: 'test', ip: null }
    ids['新'] = await createPlayer(t.db, { actor: system, pii }, { fields: fields('新户', 33.75, 114.5), orgUnitId: org.outletA1.id })
    const mgr = { id: users['mgr.a1'].id, username: 'mgr.a1', ip: null }
    await assignPlayers(t.db, { actor: mgr, scope: users['mgr.a1'].scope }, { playerIds: [ids['新']], officerId: users['officer.a1'].id, reason: 'test' })
    const { items } = await findMyList(t.db, { actor: as('officer.a1').actor, pii }, { withPhones: false })
    expect(items.find((i) => i.id === ids['新'])?.reason).toBe('never_visited')
  })
})

describe('coverage on the map', () => {
  it('is visited ÷ assigned per township, counted in the asker\'s scope only', async () => {
    const system = { id: null, username: 'test', ip: null }
    ids['大致二'] = await createPlayer(t.db, { actor: system, pii }, { fields: fields('大致二', null, null, '411622100'), orgUnitId: org.outletA1.id })
    ids['大致三'] = await createPlayer(t.db, { actor: system, pii }, { fields: fields('大致三', null, null, '411622100'), orgUnitId: org.outletA1.id })
    const mgr = { id: users['mgr.a1'].id, username: 'mgr.a1', ip: null }
    await assignPlayers(t.db, { actor: mgr, scope: users['mgr.a1'].scope }, { playerIds: [ids['大致二']], officerId: users['officer.a2'].id, reason: 'test' })
    // 大致 (visited) and 大致二 (not yet) are assigned; 大致三 has nobody and does not count.
    const branch = await coverageOfAreas(t.db, users['mgr.a1'].scope)
    expect(branch.townships['411622100']).toEqual({ assigned: 2, visited: 1, coverage: 0.5 })
    const officer = await coverageOfAreas(t.db, users['officer.a2'].scope)
    expect(officer.townships['411622100']).toEqual({ assigned: 1, visited: 0, coverage: 0 })
    const elsewhere = await coverageOfAreas(t.db, users['mgr.b1'].scope)
    expect(elsewhere.townships['411622100']).toBeUndefined()
  })
})
