// The deadline ranking on a real database (SQLite, and PostgreSQL when configured): per outlet
// and per officer, the counts equal an independent count made here over the same clocks;
// players that came in outside the period and outside the caller's scope are not counted. The
// referrals' acceptance clock is counted with them (by the referral's outlet and officer),
// from the sums and straight, as referrals are accepted, escalated and declined.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Channel } from '../../app/domain/channels'
import { REFUSAL_REASONS } from '../../app/domain/clocks'
import { scopeOf } from '../../app/domain/scope'
import { acceptLead } from '../../app/services/clocks/accept-lead.server'
import { rankClocks } from '../../app/services/clocks/clock-ranking.server'
import { recordStageReport } from '../../app/services/referrals.server'
import { rebuildClockSums, wholeMonthsOf } from '../../app/services/clocks/clock-sums.server'
import { escalateRunOutClocks } from '../../app/services/clocks/escalate-clocks.server'
import { openClocksFor } from '../../app/services/clocks/open-clocks.server'
import { recordContact } from '../../app/services/clocks/record-contact.server'
import { recordDecision } from '../../app/services/clocks/record-decision.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { addUser, buildOrg, PASSWORD, playerFields } from '../support/fixtures'
import { Client, startTestServer } from '../support/test-server'
import { createTestDatabase, testDialect, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const china = (local: string) => new Date(`${local}+08:00`).toISOString()
const NOW = new Date(china('2026-04-20T12:00:00'))
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
const officers: { id: number; outlet: number; path: string }[] = []

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  const admin = { id: null, username: 'test', ip: null }
  let n = 0
  for (const outlet of [org.outletA1, org.outletA2, org.outletB1]) {
    const mgr = await addUser(t.db, `rank-mgr-${outlet.id}`, 'manager', outlet.id)
    for (let k = 0; k < 2; k++) {
      const id = await addUser(t.db, `rank-off-${outlet.id}-${k}`, 'officer', outlet.id)
      officers.push({ id, outlet: outlet.id, path: outlet.path })
      const caller = { actor: { id, username: 'o', ip: null }, scope: scopeOf({ id, role: 'officer', orgPath: outlet.path }) }
      // Twelve leads each, spread over March and April, with every kind of outcome.
      for (let i = 0; i < 12; i++) {
        const channel: Channel = (['loan_qr', 'working_group', 'credit_platform'] as const)[i % 3]
        const cameAt = china(`2026-0${3 + (i % 2)}-${String(2 + i).padStart(2, '0')}T09:00:00`)
        const player = await createPlayer(t.db, { actor: admin, pii }, { fields: playerFields(`排名企业${++n}`), orgUnitId: outlet.id })
        await t.db.updateTable('market_players').set({ channel, channel_at: cameAt }).where('id', '=', player).execute()
        await assignPlayers(t.db, { actor: { id: mgr, username: 'm', ip: null }, scope: scopeOf({ id: mgr, role: 'manager', orgPath: outlet.path }) }, { playerIds: [player], officerId: id, reason: 'test' })
        await t.db.transaction().execute((trx) => openClocksFor(trx, [player]))
        const after = (hours: number) => new Date(Date.parse(cameAt) + hours * 3_600_000)
        // A referral of every other lead, some accepted on time, some late, some declined
        // unaccepted, the rest waiting (due before and after the sums' moment and NOW).
        if (i % 2 === 0) await refer(player, id, outlet.id, i % 4 === 2 ? new Date(Date.parse(china('2026-04-14T20:00:00')) + (i + k) * HOUR) : after(24 + i * 7 + k), i + k)
        if (channel === 'loan_qr' && i % 4 !== 3) await acceptLead(t.db, { ...caller, now: after(i * 5) }, { playerId: player })
        if (channel !== 'credit_platform' && i % 5 !== 0) await recordContact(t.db, { ...caller, now: after(i * 17 + k * 30) }, { playerId: player })
        if (i % 3 !== 1 || k === 1) {
          const at = after(i * 40 + k * 90)
          if (at > NOW) continue
          if (i % 2 === 0) await recordDecision(t.db, { ...caller, now: at }, { playerId: player, decision: 'approved', amountYuan: 100_000 * (i + 1) })
          else await recordDecision(t.db, { ...caller, now: at }, { playerId: player, decision: 'refused', reason: Object.keys(REFUSAL_REASONS)[i % 9] as 'no_need', note: null })
        }
      }
    }
  }
})

const HOUR = 3_600_000
async function refer(playerId: number, officerId: number, orgUnitId: number, at: Date, kind: number) {
  const referredAt = at.toISOString()
  const due = new Date(at.getTime() + 72 * HOUR).toISOString()
  const accepted = kind % 3 === 0 ? new Date(at.getTime() + 10 * HOUR).toISOString() : kind % 3 === 1 ? new Date(at.getTime() + 100 * HOUR).toISOString() : null
  const stage = accepted ? 'accepted' : kind % 5 === 2 ? 'declined' : 'referred'
  await t.db
    .insertInto('referrals')
    .values({ player_id: playerId, visit_id: null, officer_id: officerId, org_unit_id: orgUnitId, product_code: 'tax_credit', product_version: 1, amount_yuan: 100_000, term_months: 12, credit: 1, first_lender: 1, verdict: '{}', stage, stage_at: accepted ?? referredAt, referred_at: referredAt, accept_due_at: due, accepted_at: accepted, disbursed_at: null, external_ref: null, created_at: referredAt, updated_at: referredAt })
    .execute()
}

afterAll(async () => {
  await t.destroy()
})

const ZERO = { clocks: 0, contactDue: 0, contactedOnTime: 0, decideDue: 0, decidedOnTime: 0, overdue: 0, refusals: 0, refusalsWithReason: 0, escalated: 0, referrals: 0, acceptDue: 0, acceptedOnTime: 0, acceptOverdue: 0 }

/** The same counts, made in plain code over every clock row and referral. */
async function expected(from: string, until: string, by: 'outlet' | 'officer', orgUnits?: number[], at: Date = NOW) {
  const rows = await t.db.selectFrom('player_clocks').innerJoin('market_players', 'market_players.id', 'player_clocks.player_id').selectAll('player_clocks').select(['market_players.org_unit_id', 'market_players.assigned_officer_id']).execute()
  const now = at.toISOString()
  const out = new Map<number, Record<string, number>>()
  for (const r of rows) {
    if (r.started_at < from || r.started_at >= until) continue
    if (orgUnits && !orgUnits.includes(r.org_unit_id)) continue
    const key = by === 'outlet' ? r.org_unit_id : r.assigned_officer_id!
    const c = out.get(key) ?? { ...ZERO }
    c.clocks++
    if (r.contact_due_at !== null && (r.contact_due_at <= now || r.contacted_at !== null)) c.contactDue++
    if (r.contact_due_at !== null && r.contacted_at !== null && r.contacted_at <= r.contact_due_at) c.contactedOnTime++
    if (r.decide_due_at !== null && (r.decide_due_at <= now || r.decided_at !== null)) c.decideDue++
    if (r.decide_due_at !== null && r.decided_at !== null && r.decided_at <= r.decide_due_at) c.decidedOnTime++
    const open = [r.accepted_at ? null : r.accept_due_at, r.contacted_at ? null : r.contact_due_at, r.decided_at ? null : r.decide_due_at].filter((d): d is string => d !== null)
    if (open.some((d) => d < now)) c.overdue++
    if (r.decision === 'refused') c.refusals++
    if (r.decision === 'refused' && r.refusal_reason) c.refusalsWithReason++
    c.escalated += r.escalations
    out.set(key, c)
  }
  const referrals = await t.db.selectFrom('referrals').selectAll().execute()
  for (const r of referrals) {
    if (r.referred_at < from || r.referred_at >= until) continue
    if (orgUnits && !orgUnits.includes(r.org_unit_id)) continue
    const key = by === 'outlet' ? r.org_unit_id : r.officer_id
    const c = out.get(key) ?? { ...ZERO }
    c.referrals++
    if (r.accept_due_at <= now || r.accepted_at !== null) c.acceptDue++
    if (r.accepted_at !== null && r.accepted_at <= r.accept_due_at) c.acceptedOnTime++
    if (r.stage === 'referred' && r.accepted_at === null && r.accept_due_at < now) c.acceptOverdue++
    c.escalated += r.escalations
    out.set(key, c)
  }
  return out
}

describe('the deadline ranking', () => {
  it('per outlet, for the bank, equals the independent count', async () => {
    const rows = await rankClocks(t.db, { kind: 'all' }, { from: '2026-03-01', to: '2026-04-30', by: 'outlet', now: NOW })
    const want = await expected(china('2026-03-01T00:00:00'), china('2026-05-01T00:00:00'), 'outlet')
    expect(rows).toHaveLength(3)
    for (const r of rows) expect({ ...r, id: undefined, name: undefined }).toEqual({ ...want.get(r.id!), id: undefined, name: undefined })
    // Something of each kind is there to count.
    const total = rows.reduce((s, r) => s + r.overdue * r.refusals * r.contactedOnTime * r.decidedOnTime, 0)
    expect(total).toBeGreaterThan(0)
    const referrals = rows.reduce((s, r) => s + r.acceptOverdue * r.acceptedOnTime * (r.acceptDue - r.acceptedOnTime), 0)
    expect(referrals).toBeGreaterThan(0)
  })

  it('per officer, for March only, within a manager’s outlet', async () => {
    const manager = officers[0]
    const scope = scopeOf({ id: 0, role: 'manager', orgPath: manager.path })
    const rows = await rankClocks(t.db, scope, { from: '2026-03-01', to: '2026-03-31', by: 'officer', now: NOW })
    const want = await expected(china('2026-03-01T00:00:00'), china('2026-04-01T00:00:00'), 'officer', [manager.outlet])
    expect(rows.map((r) => r.id).sort()).toEqual([...want.keys()].sort())
    for (const r of rows) expect({ ...r, id: undefined, name: undefined }).toEqual({ ...want.get(r.id!), id: undefined, name: undefined })
    expect(rows.reduce((s, r) => s + r.clocks, 0)).toBe(12)
  })
})

describe('the ranking page', () => {
  it("shows a manager their officers' counts, equal to the independent count, and nobody else's", async () => {
    const manager = officers[0]
    const server = await startTestServer(t)
    try {
      const client = new Client(server.url)
      expect((await client.signIn(`rank-mgr-${manager.outlet}`, PASSWORD)).status).toBe(302)
      const response = await client.get('/clocks/ranking?from=2026-03-01&to=2026-03-31&by=officer')
      expect(response.status).toBe(200)
      const html = await response.text()
      const table = /<table[^>]*data-testid="clock-ranking"[^>]*>([\s\S]*?)<\/table>/.exec(html)?.[1]
      expect(table).toBeDefined()
      const cells = (row: string) => [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim())
      const shown = [...table!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => cells(m[1]!)).filter((row) => row.length > 0)
      // Every deadline of the fixture lies months before the page's own now.
      const want = await expected(china('2026-03-01T00:00:00'), china('2026-04-01T00:00:00'), 'officer', [manager.outlet], new Date())
      const names = new Map((await t.db.selectFrom('users').select(['id', 'username']).execute()).map((u) => [u.id, u.username]))
      const columns = ['clocks', 'contactDue', 'contactedOnTime', 'decideDue', 'decidedOnTime', 'overdue', 'refusals', 'refusalsWithReason', 'referrals', 'acceptDue', 'acceptedOnTime', 'acceptOverdue', 'escalated'] as const
      expect(shown.map((row) => row[0]).sort()).toEqual([...want.keys()].map((id) => names.get(id)).sort())
      for (const [id, counts] of want) {
        const row = shown.find((r) => r[0] === names.get(id))!
        expect(row.slice(1).map(Number)).toEqual(columns.map((c) => counts[c]))
      }
      expect(shown.reduce((sum, row) => sum + Number(row[1]), 0)).toBe(12)
    } finally {
      await server.close()
    }
  })
})

describe('the deadline ranking read from the pre-counted sums', () => {
  const AS_OF = new Date(NOW.getTime() - 6 * 86_400_000)
  const ranges: [string, string][] = [
    ['2026-03-01', '2026-04-30'],
    ['2026-03-05', '2026-04-30'],
    ['2026-03-01', '2026-03-31'],
    ['2026-03-10', '2026-04-12'],
    ['2026-04-08', '2026-04-08'],
  ]
  const strip = (r: object) => ({ ...r, id: undefined, name: undefined })

  async function expectEqualEverywhere() {
    for (const [from, to] of ranges) {
      const bounds = [china(`${from}T00:00:00`), new Date(Date.parse(china(`${to}T00:00:00`)) + 86_400_000).toISOString()] as const
      for (const by of ['outlet', 'officer'] as const) {
        const rows = await rankClocks(t.db, { kind: 'all' }, { from, to, by, now: NOW })
        const want = await expected(bounds[0], bounds[1], by)
        expect(rows.map((r) => r.id).sort(), `${from}..${to} by ${by}`).toEqual([...want.keys()].sort())
        for (const r of rows) expect(strip(r), `${from}..${to} by ${by}, ${r.id}`).toEqual(strip(want.get(r.id!)!))
      }
      const manager = officers[2]
      const rows = await rankClocks(t.db, scopeOf({ id: 0, role: 'manager', orgPath: manager.path }), { from, to, by: 'officer', now: NOW })
      const want = await expected(bounds[0], bounds[1], 'officer', [manager.outlet])
      expect(rows.map((r) => r.id).sort()).toEqual([...want.keys()].sort())
      for (const r of rows) expect(strip(r)).toEqual(strip(want.get(r.id!)!))
    }
  }

  it('names the whole months of a period', () => {
    expect(wholeMonthsOf('2026-03-01', '2026-04-30')).toEqual(['2026-03', '2026-04'])
    expect(wholeMonthsOf('2026-03-02', '2026-04-29')).toEqual([])
    expect(wholeMonthsOf('2025-12-01', '2026-02-28')).toEqual(['2025-12', '2026-01', '2026-02'])
    expect(wholeMonthsOf('2026-04-08', '2026-04-08')).toEqual([])
  })

  it('equals the independent count after a rebuild, with clocks fallen due since', async () => {
    await rebuildClockSums(t.db, AS_OF)
    expect(await t.db.selectFrom('clock_sums_dirty').selectAll().execute()).toHaveLength(0)
    expect(Number((await t.db.selectFrom('clock_sums').select((eb) => eb.fn.sum<number>('clocks').as('n')).executeTakeFirstOrThrow()).n)).toBe(72)
    // Some clocks and referrals fell due between the rebuild and NOW: the read adds them.
    const fell = await t.db.selectFrom('player_clocks').select('player_id').where('next_due_at', '>=', AS_OF.toISOString()).where('next_due_at', '<', NOW.toISOString()).execute()
    expect(fell.length).toBeGreaterThan(0)
    const referralsFell = await t.db.selectFrom('referrals').select('id').where('stage', '=', 'referred').where('accept_due_at', '>=', AS_OF.toISOString()).where('accept_due_at', '<', NOW.toISOString()).execute()
    expect(referralsFell.length).toBeGreaterThan(0)
    await expectEqualEverywhere()
  })

  it('reads the sums of the groups not changed since', async () => {
    const group = await t.db.selectFrom('clock_sums').selectAll().where('month', '=', '2026-03').orderBy('officer_id').executeTakeFirstOrThrow()
    const before = await rankClocks(t.db, { kind: 'all' }, { from: '2026-03-01', to: '2026-03-31', by: 'officer', now: NOW })
    await t.db.updateTable('clock_sums').set({ refusals: group.refusals + 1000 }).where('month', '=', group.month).where('officer_id', '=', group.officer_id).execute()
    // The same sums are read once per rebuild (its `as_of`): as a rebuild would, move it.
    const asOf = (await t.db.selectFrom('clock_sums_state').select('as_of').executeTakeFirstOrThrow()).as_of!
    await t.db.updateTable('clock_sums_state').set({ as_of: new Date(Date.parse(asOf) + 1).toISOString() }).execute()
    const after = await rankClocks(t.db, { kind: 'all' }, { from: '2026-03-01', to: '2026-03-31', by: 'officer', now: NOW })
    expect(after.find((r) => r.id === group.officer_id)!.refusals).toBe(before.find((r) => r.id === group.officer_id)!.refusals + 1000)
    // Back at the first as_of, this server answers from what it read then, not from the table again.
    await t.db.updateTable('clock_sums_state').set({ as_of: asOf }).execute()
    expect(await rankClocks(t.db, { kind: 'all' }, { from: '2026-03-01', to: '2026-03-31', by: 'officer', now: NOW })).toEqual(before)
    await t.db.updateTable('clock_sums').set({ refusals: group.refusals }).where('month', '=', group.month).where('officer_id', '=', group.officer_id).execute()
  })

  it('stays equal after clocks are met and players move, before the next rebuild', async () => {
    const officer = officers[0]
    const caller = { actor: { id: officer.id, username: 'o', ip: null }, scope: scopeOf({ id: officer.id, role: 'officer', orgPath: officer.path }) }
    const open = await t.db
      .selectFrom('player_clocks')
      .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
      .select(['player_clocks.player_id', 'player_clocks.started_at'])
      .where('market_players.assigned_officer_id', '=', officer.id)
      .where('player_clocks.contacted_at', 'is', null)
      .where('player_clocks.contact_due_at', 'is not', null)
      .orderBy('player_clocks.player_id')
      .execute()
    expect(open.length).toBeGreaterThan(0)
    await recordContact(t.db, { ...caller, now: new Date(AS_OF.getTime() + 3_600_000) }, { playerId: open[0].player_id })
    // Clocks run out by then escalate: the escalated count moves with them, the referrals' too.
    expect(await escalateRunOutClocks(t.db, new Date(AS_OF.getTime() + 7_200_000))).toBeGreaterThan(0)
    expect(await t.db.selectFrom('referrals').select('id').where('escalations', '>', 0).execute()).not.toHaveLength(0)
    // The loan system accepts a waiting referral after the sums were made (late, past its due time).
    const waiting = await t.db.selectFrom('referrals').select(['id', 'accept_due_at']).where('stage', '=', 'referred').where('accept_due_at', '<', AS_OF.toISOString()).orderBy('id').executeTakeFirstOrThrow()
    await recordStageReport(t.db, waiting.id, { stage: 'accepted', at: new Date(AS_OF.getTime() + HOUR).toISOString(), reason: null, externalRef: null }, NOW)
    // A player handed to an officer of the same outlet leaves one group and joins another.
    const other = officers[1]
    const moved = await t.db.selectFrom('market_players').select('id').where('assigned_officer_id', '=', officer.id).where('id', '!=', open[0].player_id).orderBy('id').executeTakeFirstOrThrow()
    const mgr = await addUser(t.db, 'rank-mover', 'manager', officer.outlet)
    await assignPlayers(t.db, { actor: { id: mgr, username: 'm', ip: null }, scope: scopeOf({ id: mgr, role: 'manager', orgPath: officer.path }) }, { playerIds: [moved.id], officerId: other.id, reason: 'test' })
    const dirty = await t.db.selectFrom('clock_sums_dirty').selectAll().execute()
    expect(dirty.map((d) => d.officer_id)).toEqual(expect.arrayContaining([officer.id, other.id]))
    await expectEqualEverywhere()
    // The next rebuild takes the changes in and clears the marks.
    await rebuildClockSums(t.db, NOW)
    expect(await t.db.selectFrom('clock_sums_dirty').selectAll().execute()).toHaveLength(0)
    await expectEqualEverywhere()
  })

  if (testDialect() === 'postgres') {
    it('a write committed while the sums are rebuilt, to a group already marked, keeps it marked (postgres)', async () => {
      const officer = officers[3]
      const clocks = await t.db
        .selectFrom('player_clocks')
        .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
        .select(['player_clocks.player_id', 'player_clocks.started_at'])
        .where('market_players.assigned_officer_id', '=', officer.id)
        .orderBy('player_clocks.player_id')
        .execute()
      // Two clocks of one group: the officer's, started in the same China month.
      const monthOf = (iso: string) => new Date(Date.parse(iso) + 8 * HOUR).toISOString().slice(0, 7)
      const first = clocks.find((c) => clocks.some((d) => d !== c && monthOf(d.started_at) === monthOf(c.started_at)))!
      const second = clocks.find((d) => d !== first && monthOf(d.started_at) === monthOf(first.started_at))!
      expect(second).toBeDefined()
      const marksOfGroup = () => t.db.selectFrom('clock_sums_dirty').select('month').where('month', '=', monthOf(first.started_at)).where('officer_id', '=', officer.id).execute()
      // A clock escalated again: a change the ranking counts.
      const escalate = (playerId: number) => t.db.updateTable('player_clocks').set((eb) => ({ escalations: eb('escalations', '+', 1) })).where('player_id', '=', playerId).execute()
      // The first change marks the group before the rebuild.
      await escalate(first.player_id)
      expect(await marksOfGroup()).toHaveLength(1)
      // The second is made and committed after the rebuild has counted, before it ends.
      // (A moment of its own: each server keeps the sums it read per rebuild moment.)
      await rebuildClockSums(t.db, new Date(NOW.getTime() - 1), { beforeWrite: () => escalate(second.player_id).then(() => undefined) })
      expect(await marksOfGroup()).toHaveLength(1)
      await expectEqualEverywhere()
      // The next rebuild counts it and clears the mark.
      await rebuildClockSums(t.db, new Date(NOW.getTime() - 2))
      expect(await marksOfGroup()).toHaveLength(0)
      await expectEqualEverywhere()
    })
  }

  it('counts straight for a moment before the sums were made', async () => {
    const earlier = new Date(NOW.getTime() - 20 * 86_400_000)
    const rows = await rankClocks(t.db, { kind: 'all' }, { from: '2026-03-01', to: '2026-04-30', by: 'outlet', now: earlier })
    const want = await expected(china('2026-03-01T00:00:00'), china('2026-05-01T00:00:00'), 'outlet', undefined, earlier)
    expect(rows).toHaveLength(3)
    for (const r of rows) expect(strip(r)).toEqual(strip(want.get(r.id!)!))
  })
})
