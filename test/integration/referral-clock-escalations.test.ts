// The referral acceptance clock in the one clock engine (SQLite, and PostgreSQL when
// configured), on the calendar the migration stores for 2026: a referral handed off before a
// weekend, before 劳动节 and before a 调休 Sunday runs out three working days later, not a
// minute before; it then escalates once to the nearest manager, audited, even when two
// servers run the pass together; an accepted or declined case does not; a case referred again
// escalates on its own; the manager's /clocks page lists it over real HTTP and the ranking
// counts it, from the sums and straight.
import { describe, expect, it } from 'vitest'
import { parseVisit } from '../../app/forms/visit'
import { scopeOf } from '../../app/domain/scope'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { loadClockContext } from '../../app/services/clocks/clock-context.server'
import { rankClocks, rankClocksStraight } from '../../app/services/clocks/clock-ranking.server'
import { rebuildClockSums } from '../../app/services/clocks/clock-sums.server'
import { escalateRunOutClocks } from '../../app/services/clocks/escalate-clocks.server'
import { countOpenEscalations, listOpenEscalations } from '../../app/services/clocks/find-escalations.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { handOffCase, recordStageReport } from '../../app/services/referrals.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'
import type { TestDatabase } from '../support/test-db'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const china = (local: string) => new Date(`${local}+08:00`).toISOString()
const MINUTE = 60_000

let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
const ids = { officerA1: 0, officerB1: 0, mgrA1: 0, mgrB: 0 }
let n = 0

/** A player of `outlet` assigned to `officer`, visited with a need and handed off at `at` (China time). */
async function referAt(outlet: { id: number; path: string }, officer: number, at: string, playerId?: number) {
  const id = playerId ?? (await createPlayer(t.db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields(`转介时限企业${++n}`), orgUnitId: outlet.id }))
  const officerCaller = { actor: { id: officer, username: 'o', ip: null }, scope: scopeOf({ id: officer, role: 'officer', orgPath: outlet.path }) }
  if (playerId === undefined) {
    const manager = await addUser(t.db, `ref-assign-${n}`, 'manager', outlet.id)
    await assignPlayers(t.db, { actor: { id: manager, username: 'm', ip: null }, scope: scopeOf({ id: manager, role: 'manager', orgPath: outlet.path }) }, { playerIds: [id], officerId: officer, reason: 'test' })
    await t.db.updateTable('users').set({ active: 0 }).where('id', '=', manager).execute()
  }
  const visitAt = new Date(Date.parse(china(at)) - 30 * MINUTE)
  const visit = parseVisit({ id: `ref-clock-visit-${++n}`, playerId: id, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12, visitedAt: visitAt.toISOString() })
  if (!visit.ok) throw new Error('invalid visit')
  await recordVisit(t.db, { ...officerCaller, now: visitAt }, visit.data)
  return handOffCase(t.db, { ...officerCaller, clocks: await loadClockContext(t.db), now: new Date(china(at)) }, { playerId: id, productCode: 'tax_credit', amountYuan: 200_000, termMonths: 12 })
}

// Each case: handed off at `at`, due three working days later at `due` (the stored calendar).
const CASES = {
  // Friday: Saturday and Sunday are not counted.
  weekend: { at: '2026-04-17T10:00:00', due: '2026-04-22T10:00:00' },
  // Thursday before 劳动节: 1–5 May are off, 6, 7 and 8 May count.
  holiday: { at: '2026-04-30T10:00:00', due: '2026-05-08T10:00:00' },
  // Friday before the 国庆 调休 Sunday 20 September, worked: it counts.
  makeUp: { at: '2026-09-18T10:00:00', due: '2026-09-22T10:00:00' },
} as const
const referrals: Record<keyof typeof CASES, { id: number; player: number }> = { weekend: { id: 0, player: 0 }, holiday: { id: 0, player: 0 }, makeUp: { id: 0, player: 0 } }
let acceptedInTime = 0
let declined = 0

const suite = routeSuite(async (db) => {
  t = db
  org = await buildOrg(t.db)
  ids.officerA1 = await addUser(t.db, 'ref-esc-off-a1', 'officer', org.outletA1.id)
  ids.officerB1 = await addUser(t.db, 'ref-esc-off-b1', 'officer', org.outletB1.id)
  ids.mgrA1 = await addUser(t.db, 'ref-esc-mgr-a1', 'manager', org.outletA1.id)
  // The other branch's manager: none of A1's escalations are theirs to see.
  ids.mgrB = await addUser(t.db, 'ref-esc-mgr-b', 'manager', org.branchB.id)
  for (const key of Object.keys(CASES) as (keyof typeof CASES)[]) {
    const r = await referAt(org.outletA1, ids.officerA1, CASES[key].at)
    referrals[key] = { id: r.id, player: r.player_id }
  }
  // Accepted by the loan system within its three days, and one declined before it was accepted.
  const inTime = await referAt(org.outletB1, ids.officerB1, '2026-04-17T11:00:00')
  await recordStageReport(t.db, inTime.id, { stage: 'accepted', at: china('2026-04-21T09:00:00'), reason: null, externalRef: 'LS-1' }, new Date(china('2026-04-21T09:05:00')))
  acceptedInTime = inTime.id
  const closed = await referAt(org.outletB1, ids.officerB1, '2026-04-17T12:00:00')
  await recordStageReport(t.db, closed.id, { stage: 'declined', at: china('2026-04-20T09:00:00'), reason: 'no_need', externalRef: 'LS-2' }, new Date(china('2026-04-20T09:05:00')))
  declined = closed.id
})

const escalations = () => t.db.selectFrom('clock_escalations').selectAll().where('referral_id', '<>', 0).orderBy('referral_id').execute()

describe('the referral acceptance clock escalates like every clock', () => {
  it('opens with the due times of the stored calendar: weekend, 劳动节, a 调休 Sunday', async () => {
    for (const key of Object.keys(CASES) as (keyof typeof CASES)[]) {
      const row = await t.db.selectFrom('referrals').select('accept_due_at').where('id', '=', referrals[key].id).executeTakeFirstOrThrow()
      expect(row.accept_due_at, key).toBe(china(CASES[key].due))
    }
  })

  it('runs out after its three working days, not a minute before, and escalates once, to the nearest manager, audited', async () => {
    const due = Date.parse(china(CASES.weekend.due))
    // Over the weekend and up to its due time nothing escalates (the accepted and declined cases never do).
    expect(await escalateRunOutClocks(t.db, new Date(china('2026-04-20T10:00:00')))).toBe(0)
    expect(await escalateRunOutClocks(t.db, new Date(due - MINUTE))).toBe(0)
    const [a, b] = await Promise.all([escalateRunOutClocks(t.db, new Date(due + MINUTE)), escalateRunOutClocks(t.db, new Date(due + MINUTE))])
    expect(a + b).toBe(1)
    expect(await escalateRunOutClocks(t.db, new Date(due + 2 * MINUTE))).toBe(0)
    const rows = await escalations()
    expect(rows).toEqual([
      expect.objectContaining({ referral_id: referrals.weekend.id, player_id: referrals.weekend.player, clock: 'accept', due_at: china(CASES.weekend.due), officer_id: ids.officerA1, org_unit_id: org.outletA1.id, manager_id: ids.mgrA1 }),
    ])
    const audit = await t.db.selectFrom('audit_log').select(['entity_type', 'entity_id', 'detail']).where('action', '=', 'clock.escalated').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ entity_type: 'referral', entity_id: String(referrals.weekend.id) })
    expect(JSON.parse(audit[0].detail!)).toMatchObject({ clock: 'referral_accept', dueAt: china(CASES.weekend.due), managerId: ids.mgrA1 })
    expect((await t.db.selectFrom('referrals').select('escalations').where('id', '=', referrals.weekend.id).executeTakeFirstOrThrow()).escalations).toBe(1)
  })

  it('counts the days off of 劳动节 and the 调休 Sunday worked', async () => {
    // 4 May (a holiday Monday) is not a working day: nothing yet on 7 May.
    expect(await escalateRunOutClocks(t.db, new Date(Date.parse(china(CASES.holiday.due)) - MINUTE))).toBe(0)
    expect(await escalateRunOutClocks(t.db, new Date(Date.parse(china(CASES.holiday.due)) + MINUTE))).toBe(1)
    // Counted over the worked Sunday, it runs out on Tuesday 22 September, a day before a weekends-only count.
    expect(await escalateRunOutClocks(t.db, new Date(Date.parse(china(CASES.makeUp.due)) - MINUTE))).toBe(0)
    expect(await escalateRunOutClocks(t.db, new Date(Date.parse(china(CASES.makeUp.due)) + MINUTE))).toBe(1)
    expect((await escalations()).map((e) => e.referral_id)).toEqual([referrals.weekend.id, referrals.holiday.id, referrals.makeUp.id])
    expect((await escalations()).map((e) => e.referral_id)).not.toContain(acceptedInTime)
    expect((await escalations()).map((e) => e.referral_id)).not.toContain(declined)
  })

  it('escalates a second referral of the same player on its own', async () => {
    // The loan system declines the first case late; the player is referred again and again waits.
    await recordStageReport(t.db, referrals.weekend.id, { stage: 'declined', at: china('2026-09-24T09:00:00'), reason: 'no_need', externalRef: null }, new Date(china('2026-09-24T09:05:00')))
    const again = await referAt(org.outletA1, ids.officerA1, '2026-09-24T10:00:00', referrals.weekend.player)
    // Thursday before 中秋: Friday 25 September is off, 28, 29 and 30 September count.
    expect(again.accept_due_at).toBe(china('2026-09-30T10:00:00'))
    expect(await escalateRunOutClocks(t.db, new Date(china('2026-09-30T09:59:00')))).toBe(0)
    expect(await escalateRunOutClocks(t.db, new Date(china('2026-09-30T10:01:00')))).toBe(1)
    const mine = (await escalations()).filter((e) => e.player_id === referrals.weekend.player)
    expect(mine.map((e) => e.referral_id)).toEqual([referrals.weekend.id, again.id])
  })

  it('lists the open ones for the manager in scope, not for the other branch’s', async () => {
    const a1 = scopeOf({ id: ids.mgrA1, role: 'manager', orgPath: org.outletA1.path })
    const list = await listOpenEscalations(t.db, a1)
    // The first case was declined: no longer open. The other three wait for the loan system.
    expect(list.map((e) => e.referralId).sort((x, y) => x! - y!)).toEqual([referrals.holiday.id, referrals.makeUp.id, (await latestOf(referrals.weekend.player))].sort((x, y) => x - y))
    expect(list[0]).toMatchObject({ clock: 'accept', officerName: 'ref-esc-off-a1', managerName: 'ref-esc-mgr-a1', orgUnitName: '甲一网点' })
    expect(await countOpenEscalations(t.db, a1)).toBe(3)
    expect(await countOpenEscalations(t.db, scopeOf({ id: ids.mgrB, role: 'manager', orgPath: org.branchB.path }))).toBe(0)
    // Accepted late: it leaves the open list, and keeps its escalation.
    await recordStageReport(t.db, referrals.makeUp.id, { stage: 'accepted', at: china('2026-09-25T09:00:00'), reason: null, externalRef: null }, new Date(china('2026-10-01T09:00:00')))
    expect(await countOpenEscalations(t.db, a1)).toBe(2)
    expect(await escalations()).toHaveLength(4)
  })

  it('shows them on the manager’s /clocks page with a link to the referral', async () => {
    const page = await (await (await suite.signedIn('ref-esc-mgr-a1')).get('/clocks')).text()
    expect(page).toMatch(/data-testid="escalation-count"[^>]*>2</)
    expect(page).toContain(`href="/referrals/${referrals.holiday.id}"`)
    expect(page).toContain('推荐授信受理')
    const other = await (await (await suite.signedIn('ref-esc-mgr-b')).get('/clocks')).text()
    expect(other).toMatch(/data-testid="escalation-count"[^>]*>0</)
  })

  it('is counted in the ranking per outlet and officer, from the sums and straight', async () => {
    const now = new Date(china('2026-10-10T12:00:00'))
    const period = { from: '2026-04-01', to: '2026-09-30' }
    for (const by of ['outlet', 'officer'] as const) {
      const straight = await rankClocksStraight(t.db, { kind: 'all' }, { ...period, by, now })
      const a1 = straight.find((r) => r.id === (by === 'outlet' ? org.outletA1.id : ids.officerA1))!
      const b1 = straight.find((r) => r.id === (by === 'outlet' ? org.outletB1.id : ids.officerB1))!
      // A1: four referrals, all due, none accepted on time, two still waiting, four escalated.
      expect(a1).toMatchObject({ clocks: 0, referrals: 4, acceptDue: 4, acceptedOnTime: 0, acceptOverdue: 2, escalated: 4 })
      // B1: one accepted in time, one declined before its due time (due, not met).
      expect(b1).toMatchObject({ referrals: 2, acceptDue: 2, acceptedOnTime: 1, acceptOverdue: 0, escalated: 0 })
      // The better share of deadlines met ranks first.
      expect(straight[0].id).toBe(b1.id)
      expect(await rankClocks(t.db, { kind: 'all' }, { ...period, by, now })).toEqual(straight)
    }
    await rebuildClockSums(t.db, new Date(china('2026-10-01T00:00:00')))
    const summed = await t.db.selectFrom('clock_sums').select((eb) => [eb.fn.sum<number>('referrals').as('referrals'), eb.fn.sum<number>('escalated').as('escalated')]).executeTakeFirstOrThrow()
    expect([Number(summed.referrals), Number(summed.escalated)]).toEqual([6, 4])
    for (const by of ['outlet', 'officer'] as const) expect(await rankClocks(t.db, { kind: 'all' }, { ...period, by, now })).toEqual(await rankClocksStraight(t.db, { kind: 'all' }, { ...period, by, now }))
  })
})

async function latestOf(playerId: number): Promise<number> {
  const row = await t.db.selectFrom('referrals').select('id').where('player_id', '=', playerId).orderBy('id', 'desc').executeTakeFirstOrThrow()
  return row.id
}
