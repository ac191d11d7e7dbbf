// Escalation of clocks that ran out (SQLite, and PostgreSQL when configured): each clock is
// escalated once to the nearest manager above its officer, audited, even when two servers run
// the pass at the same moment; a later clock of the same player escalates too; the manager's
// /clocks page lists and counts the open ones in scope over real HTTP; the ranking counts
// them per outlet and officer, from the sums and straight alike.
import { describe, expect, it } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { acceptLead } from '../../app/services/clocks/accept-lead.server'
import { rankClocks, rankClocksStraight } from '../../app/services/clocks/clock-ranking.server'
import { rebuildClockSums } from '../../app/services/clocks/clock-sums.server'
import { escalateRunOutClocks } from '../../app/services/clocks/escalate-clocks.server'
import { countOpenEscalations, listOpenEscalations } from '../../app/services/clocks/find-escalations.server'
import { openClocksFor } from '../../app/services/clocks/open-clocks.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'
import type { TestDatabase } from '../support/test-db'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const china = (local: string) => new Date(`${local}+08:00`).toISOString()
// Loan QR leads of Monday 13 April 2026, 10:00: accept due Tuesday 10:00, contact Thursday, decide Monday 20th.
const CAME = china('2026-04-13T10:00:00')
const AFTER_ACCEPT = new Date(china('2026-04-15T09:00:00'))
const AFTER_CONTACT = new Date(china('2026-04-17T09:00:00'))

let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
const ids = { officerA1: 0, officerB1: 0, mgrA1: 0, mgrA: 0, mgrB1: 0 }
const leadsA1: number[] = []
const leadsB1: number[] = []

async function lead(outlet: { id: number; path: string }, officer: number, manager: number, name: string) {
  const id = await createPlayer(t.db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields(name), orgUnitId: outlet.id })
  await t.db.updateTable('market_players').set({ channel: 'loan_qr', channel_at: CAME }).where('id', '=', id).execute()
  await assignPlayers(t.db, { actor: { id: manager, username: 'm', ip: null }, scope: scopeOf({ id: manager, role: 'manager', orgPath: outlet.path }) }, { playerIds: [id], officerId: officer, reason: 'test' })
  await t.db.transaction().execute((trx) => openClocksFor(trx, [id]))
  return id
}

const suite = routeSuite(async (db) => {
  t = db
  org = await buildOrg(t.db)
  ids.officerA1 = await addUser(t.db, 'esc-off-a1', 'officer', org.outletA1.id)
  ids.officerB1 = await addUser(t.db, 'esc-off-b1', 'officer', org.outletB1.id)
  ids.mgrA1 = await addUser(t.db, 'esc-mgr-a1', 'manager', org.outletA1.id)
  ids.mgrA = await addUser(t.db, 'esc-mgr-a', 'manager', org.branchA.id)
  ids.mgrB1 = await addUser(t.db, 'esc-mgr-b1', 'manager', org.outletB1.id)
  for (let i = 0; i < 3; i++) leadsA1.push(await lead(org.outletA1, ids.officerA1, ids.mgrA1, `上报甲企业${i}`))
  for (let i = 0; i < 2; i++) leadsB1.push(await lead(org.outletB1, ids.officerB1, ids.mgrB1, `上报乙企业${i}`))
  // One lead accepted in time: its accept clock never runs out.
  await acceptLead(t.db, { actor: { id: ids.officerA1, username: 'o', ip: null }, scope: scopeOf({ id: ids.officerA1, role: 'officer', orgPath: org.outletA1.path }), now: new Date(china('2026-04-13T15:00:00')) }, { playerId: leadsA1[2] })
})

const escalationsOf = () => t.db.selectFrom('clock_escalations').selectAll().orderBy('player_id').orderBy('clock').execute()
const audits = () => t.db.selectFrom('audit_log').select(['entity_id', 'detail']).where('action', '=', 'clock.escalated').execute()

describe('escalating clocks that ran out', () => {
  it('escalates each run-out clock once, to the nearest manager, audited, even when two servers run the pass together', async () => {
    expect(await escalateRunOutClocks(t.db, new Date(china('2026-04-14T09:00:00')))).toBe(0)
    const [first, second] = await Promise.all([escalateRunOutClocks(t.db, AFTER_ACCEPT), escalateRunOutClocks(t.db, AFTER_ACCEPT)])
    // Four accept clocks ran out (the accepted lead's did not), escalated once between the two.
    expect(first + second).toBe(4)
    const rows = await escalationsOf()
    expect(rows.map((r) => [r.player_id, r.clock])).toEqual([...leadsA1.slice(0, 2), ...leadsB1].sort((a, b) => a - b).map((id) => [id, 'accept']))
    // The outlet's own manager, not the branch's.
    for (const r of rows) expect(r.manager_id).toBe(leadsB1.includes(r.player_id) ? ids.mgrB1 : ids.mgrA1)
    expect(rows.every((r) => r.due_at === china('2026-04-14T10:00:00') && r.officer_id !== null)).toBe(true)
    const audited = await audits()
    expect(audited).toHaveLength(4)
    expect(JSON.parse(audited[0].detail!)).toMatchObject({ clock: 'accept', dueAt: china('2026-04-14T10:00:00') })
    // Again: nothing new.
    expect(await escalateRunOutClocks(t.db, AFTER_ACCEPT)).toBe(0)
    const counted = await t.db.selectFrom('player_clocks').select(['player_id', 'escalations']).where('escalations', '>', 0).execute()
    expect(counted).toHaveLength(4)
  })

  it('escalates a later clock of the same player, and the accepted lead’s contact clock', async () => {
    // The lead accepted late still escalated its accept clock once; its contact clock runs out now.
    await acceptLead(t.db, { actor: { id: ids.officerA1, username: 'o', ip: null }, scope: scopeOf({ id: ids.officerA1, role: 'officer', orgPath: org.outletA1.path }), now: AFTER_ACCEPT }, { playerId: leadsA1[0] })
    expect(await escalateRunOutClocks(t.db, AFTER_CONTACT)).toBe(5)
    const contact = (await escalationsOf()).filter((r) => r.clock === 'contact').map((r) => r.player_id)
    expect(contact.sort((a, b) => a - b)).toEqual([...leadsA1, ...leadsB1].sort((a, b) => a - b))
    expect(await audits()).toHaveLength(9)
  })

  it('lists and counts the open ones in scope: the outlet’s and the branch’s manager see theirs, not the other branch’s', async () => {
    const a1 = scopeOf({ id: ids.mgrA1, role: 'manager', orgPath: org.outletA1.path })
    const list = await listOpenEscalations(t.db, a1)
    // The accept clock met late is no longer open: 3 contact + 1 accept in A1.
    expect(list.map((e) => [e.playerId, e.clock]).sort()).toEqual([[leadsA1[0], 'contact'], [leadsA1[1], 'accept'], [leadsA1[1], 'contact'], [leadsA1[2], 'contact']].sort())
    expect(list[0]).toMatchObject({ officerName: 'esc-off-a1', managerName: 'esc-mgr-a1', orgUnitName: '甲一网点', channel: 'loan_qr' })
    expect(await countOpenEscalations(t.db, a1)).toBe(4)
    expect(await countOpenEscalations(t.db, scopeOf({ id: ids.mgrA, role: 'manager', orgPath: org.branchA.path }))).toBe(4)
    expect(await countOpenEscalations(t.db, scopeOf({ id: ids.mgrB1, role: 'manager', orgPath: org.outletB1.path }))).toBe(4)
    expect(await countOpenEscalations(t.db, { kind: 'all' })).toBe(8)
  })

  it('shows them on the manager’s /clocks page, scoped', async () => {
    const page = await (await (await suite.signedIn('esc-mgr-a1')).get('/clocks')).text()
    expect(page).toMatch(/data-testid="escalation-count"[^>]*>4</)
    expect(page).toContain('上报甲企业1')
    expect(page).not.toContain('上报乙企业')
    const officer = await (await (await suite.signedIn('esc-off-a1')).get('/clocks')).text()
    expect(officer).not.toContain('data-testid="escalations"')
  })

  it('counts escalated clocks in the ranking, per outlet and per officer, from the sums and straight', async () => {
    const now = AFTER_CONTACT
    for (const by of ['outlet', 'officer'] as const) {
      const straight = await rankClocksStraight(t.db, { kind: 'all' }, { from: '2026-04-01', to: '2026-04-30', by, now })
      const a1 = straight.find((r) => r.id === (by === 'outlet' ? org.outletA1.id : ids.officerA1))!
      const b1 = straight.find((r) => r.id === (by === 'outlet' ? org.outletB1.id : ids.officerB1))!
      expect([a1.escalated, b1.escalated]).toEqual([5, 4])
      expect(await rankClocks(t.db, { kind: 'all' }, { from: '2026-04-01', to: '2026-04-30', by, now })).toEqual(straight)
    }
    await rebuildClockSums(t.db, new Date(china('2026-04-16T09:00:00')))
    expect(await rankClocks(t.db, { kind: 'all' }, { from: '2026-04-01', to: '2026-04-30', by: 'outlet', now })).toEqual(
      await rankClocksStraight(t.db, { kind: 'all' }, { from: '2026-04-01', to: '2026-04-30', by: 'outlet', now }),
    )
    const summed = await t.db.selectFrom('clock_sums').select((eb) => eb.fn.sum<number>('escalated').as('n')).executeTakeFirstOrThrow()
    expect(Number(summed.n)).toBe(9)
  })
})
