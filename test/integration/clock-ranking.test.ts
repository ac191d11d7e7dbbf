// The deadline ranking on a real database (SQLite, and PostgreSQL when configured): per outlet
// and per officer, the counts equal an independent count made here over the same clocks;
// players that came in outside the period and outside the caller's scope are not counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Channel } from '../../app/domain/channels'
import { REFUSAL_REASONS } from '../../app/domain/clocks'
import { scopeOf } from '../../app/domain/scope'
import { acceptLead } from '../../app/services/clocks/accept-lead.server'
import { rankClocks } from '../../app/services/clocks/clock-ranking.server'
import { openClocksFor } from '../../app/services/clocks/open-clocks.server'
import { recordContact } from '../../app/services/clocks/record-contact.server'
import { recordDecision } from '../../app/services/clocks/record-decision.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
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
        await assignPlayers(t.db, { id: mgr, username: 'm', ip: null }, scopeOf({ id: mgr, role: 'manager', orgPath: outlet.path }), { playerIds: [player] }, id, 'test')
        await t.db.transaction().execute((trx) => openClocksFor(trx, [player]))
        const after = (hours: number) => new Date(Date.parse(cameAt) + hours * 3_600_000)
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

afterAll(async () => {
  await t.destroy()
})

/** The same counts, made in plain code over every clock row. */
async function expected(from: string, until: string, by: 'outlet' | 'officer', orgUnits?: number[]) {
  const rows = await t.db.selectFrom('player_clocks').innerJoin('market_players', 'market_players.id', 'player_clocks.player_id').selectAll('player_clocks').select(['market_players.org_unit_id', 'market_players.assigned_officer_id']).execute()
  const now = NOW.toISOString()
  const out = new Map<number, Record<string, number>>()
  for (const r of rows) {
    if (r.started_at < from || r.started_at >= until) continue
    if (orgUnits && !orgUnits.includes(r.org_unit_id)) continue
    const key = by === 'outlet' ? r.org_unit_id : r.assigned_officer_id!
    const c = out.get(key) ?? { clocks: 0, contactDue: 0, contactedOnTime: 0, decideDue: 0, decidedOnTime: 0, overdue: 0, refusals: 0, refusalsWithReason: 0 }
    c.clocks++
    if (r.contact_due_at !== null && (r.contact_due_at <= now || r.contacted_at !== null)) c.contactDue++
    if (r.contact_due_at !== null && r.contacted_at !== null && r.contacted_at <= r.contact_due_at) c.contactedOnTime++
    if (r.decide_due_at !== null && (r.decide_due_at <= now || r.decided_at !== null)) c.decideDue++
    if (r.decide_due_at !== null && r.decided_at !== null && r.decided_at <= r.decide_due_at) c.decidedOnTime++
    const open = [r.accepted_at ? null : r.accept_due_at, r.contacted_at ? null : r.contact_due_at, r.decided_at ? null : r.decide_due_at].filter((d): d is string => d !== null)
    if (open.some((d) => d < now)) c.overdue++
    if (r.decision === 'refused') c.refusals++
    if (r.decision === 'refused' && r.refusal_reason) c.refusalsWithReason++
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
