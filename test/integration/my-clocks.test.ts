// The nearest clocks of the players on an officer's list, on a real database (SQLite, and
// PostgreSQL when configured): only the players asked for, only in the caller's scope, none
// for a player whose clocks are all met.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { findNearestClocks } from '../../app/services/clocks/my-clocks.server'
import { openClocksFor } from '../../app/services/clocks/open-clocks.server'
import { recordDecision } from '../../app/services/clocks/record-decision.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const china = (local: string) => new Date(`${local}+08:00`).toISOString()
let t: TestDatabase

beforeAll(async () => {
  t = await createTestDatabase()
})

afterAll(async () => {
  await t.destroy()
})

describe('the nearest clocks of an officer’s list', () => {
  it('answers for the players asked for, in scope, with clocks still open', async () => {
    const org = await buildOrg(t.db)
    const officer = await addUser(t.db, 'near-officer', 'officer', org.outletA1.id)
    const admin = { id: null, username: 'test', ip: null }
    const make = async (name: string, unit: number, officerId: number | null, cameAt: string) => {
      const id = await createPlayer(t.db, { actor: admin, pii }, { fields: playerFields(name), orgUnitId: unit })
      await t.db.updateTable('market_players').set({ channel: 'loan_qr', channel_at: cameAt, assigned_officer_id: officerId }).where('id', '=', id).execute()
      await t.db.transaction().execute((trx) => openClocksFor(trx, [id]))
      return id
    }
    // Came in Monday 2026-04-13 09:00: accept by Tuesday, contact by Thursday, decide by Monday the 20th.
    const mine = await make('时限甲', org.outletA1.id, officer, china('2026-04-13T09:00:00'))
    const decided = await make('时限乙', org.outletA1.id, officer, china('2026-04-13T09:00:00'))
    const others = await make('时限丙', org.outletA2.id, null, china('2026-04-13T09:00:00'))
    const caller = { actor: { id: officer, username: 'o', ip: null }, scope: scopeOf({ id: officer, role: 'officer', orgPath: org.outletA1.path }) }
    await recordDecision(t.db, { ...caller, now: new Date(china('2026-04-13T10:00:00')) }, { playerId: decided, decision: 'approved', amountYuan: 100_000 })

    const now = new Date(china('2026-04-15T12:00:00'))
    const found = await findNearestClocks(t.db, { scope: caller.scope, now }, { playerIds: [mine, decided, others] })
    expect([...found.keys()]).toEqual([mine])
    // The acceptance ran out Tuesday 09:00, one working day before Wednesday.
    expect(found.get(mine)).toEqual({ clock: 'accept', dueAt: china('2026-04-14T09:00:00'), overdue: true, workingDays: 1 })
    expect((await findNearestClocks(t.db, { scope: { kind: 'all' }, now }, { playerIds: [others] })).get(others)).toMatchObject({ clock: 'accept', overdue: true })
    expect((await findNearestClocks(t.db, { scope: caller.scope, now }, { playerIds: [] })).size).toBe(0)
  })
})
