// The clock engine on a real database (SQLite, and PostgreSQL when configured), over the
// calendar the migration stores for 2026 (国务院办公厅关于2026年部分节假日安排的通知): each
// channel's clocks across weekends, holidays and 调休 workdays; the referral acceptance from
// the same calendar; an admin's edit reaching another server's cache; clocks opened once, by
// the import path's call or the background catch-all; accept, contact (a visit counts) and
// decide, with a refusal refused without a reason from the code list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../db/connection.server'
import { AppError } from '../../app/domain/app-error'
import type { Channel } from '../../app/domain/channels'
import { scopeOf } from '../../app/domain/scope'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { acceptLead } from '../../app/services/clocks/accept-lead.server'
import { loadClockContext } from '../../app/services/clocks/clock-context.server'
import { editCalendarDay, listCalendar } from '../../app/services/clocks/edit-calendar.server'
import { openClocksFor, openMissingClocks } from '../../app/services/clocks/open-clocks.server'
import { findPlayerClock } from '../../app/services/clocks/player-clock.server'
import { recordContact } from '../../app/services/clocks/record-contact.server'
import { recordDecision } from '../../app/services/clocks/record-decision.server'
import { updateClockSetting } from '../../app/services/clocks/update-clock-settings.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { handOffCase } from '../../app/services/referrals.server'
import { parseVisit } from '../../app/forms/visit'
import { addUser, buildOrg, PASSWORD, playerFields } from '../support/fixtures'
import { Client, startTestServer } from '../support/test-server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let officer: { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
let other: { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
let manager: { id: number; username: string; ip: null }
let n = 0

/** A China wall-clock time as stored (UTC ISO). */
const china = (local: string) => new Date(`${local}+08:00`).toISOString()

async function lead(channel: Channel, cameAt: string, open = true): Promise<number> {
  const id = await createPlayer(t.db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields(`时钟企业${++n}`), orgUnitId: org.outletA1.id })
  await t.db.updateTable('market_players').set({ channel, channel_at: cameAt }).where('id', '=', id).execute()
  await assignPlayers(t.db, { actor: manager, scope: scopeOf({ id: manager.id, role: 'manager', orgPath: org.outletA1.path }) }, { playerIds: [id], officerId: officer.actor.id, reason: 'test' })
  if (open) await t.db.transaction().execute((trx) => openClocksFor(trx, [id]))
  return id
}

const clockOf = (id: number) => t.db.selectFrom('player_clocks').selectAll().where('player_id', '=', id).executeTakeFirstOrThrow()

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  const id = await addUser(t.db, 'clock-off', 'officer', org.outletA1.id)
  const otherId = await addUser(t.db, 'clock-other', 'officer', org.outletA1.id)
  const mgr = await addUser(t.db, 'clock-mgr', 'manager', org.outletA1.id)
  officer = { actor: { id, username: 'clock-off', ip: null }, scope: scopeOf({ id, role: 'officer', orgPath: org.outletA1.path }) }
  other = { actor: { id: otherId, username: 'clock-other', ip: null }, scope: scopeOf({ id: otherId, role: 'officer', orgPath: org.outletA1.path }) }
  manager = { id: mgr, username: 'clock-mgr', ip: null }
})

afterAll(async () => {
  await t.destroy()
})

describe('the stored 2026 calendar', () => {
  it('holds the notice: 春节 off, the Saturdays before and after worked', async () => {
    const { calendar } = await loadClockContext(t.db)
    for (const day of ['2026-01-01', '2026-02-16', '2026-02-23', '2026-05-05', '2026-10-07']) expect(calendar.holidays.has(day)).toBe(true)
    for (const day of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) expect(calendar.workdays.has(day)).toBe(true)
  })

  it('warns about a year with no days entered', async () => {
    expect((await listCalendar(t.db, '2026-06-01')).missingYears).toEqual([])
    expect((await listCalendar(t.db, '2026-12-01')).missingYears).toEqual([2027])
    expect((await listCalendar(t.db, '2027-03-01')).missingYears).toEqual([2027])
  })
})

describe('loan QR clocks: accept 1, contact 3, decide 5 working days', () => {
  it('count the 调休 Saturday before 春节 and skip the nine days off', async () => {
    // Friday 13 February, 10:00: Saturday 14th is worked, 15th–23rd are off.
    const id = await lead('loan_qr', china('2026-02-13T10:00:00'))
    const c = await clockOf(id)
    expect(c.accept_due_at).toBe(china('2026-02-14T10:00:00'))
    expect(c.contact_due_at).toBe(china('2026-02-25T10:00:00'))
    expect(c.decide_due_at).toBe(china('2026-02-27T10:00:00'))
    expect(c.next_due_at).toBe(c.accept_due_at)
  })

  it('start a lead that came in on a day off at the next working day', async () => {
    // Saturday 2 May (劳动节): the first working day is Wednesday 6 May.
    const id = await lead('loan_qr', china('2026-05-02T20:00:00'))
    const c = await clockOf(id)
    expect(c.accept_due_at).toBe(china('2026-05-07T00:00:00'))
    // The whole of 6, 7 and 8 May: due as Saturday 9 May (worked) begins.
    expect(c.contact_due_at).toBe(china('2026-05-09T00:00:00'))
    // 6, 7, 8, 9 (Saturday, worked) and 11 May.
    expect(c.decide_due_at).toBe(china('2026-05-12T00:00:00'))
  })
})

describe('credit platform: decide within 10 working days', () => {
  it('skips 中秋 and 国庆 and counts the Sunday and Saturday worked', async () => {
    // Friday 18 September: 20th (Sunday, worked), 21–24, 28–30, 8 and 9 October.
    const a = await clockOf(await lead('credit_platform', china('2026-09-18T09:00:00')))
    expect(a.decide_due_at).toBe(china('2026-10-09T09:00:00'))
    expect(a.accept_due_at).toBeNull()
    expect(a.contact_due_at).toBeNull()
    // Wednesday 30 September: 8, 9, 10 (Saturday, worked), 12–16, 19, 20.
    const b = await clockOf(await lead('credit_platform', china('2026-09-30T15:00:00')))
    expect(b.decide_due_at).toBe(china('2026-10-20T15:00:00'))
  })
})

describe('working-group list: contact and decide within 30 days', () => {
  it('counts calendar days from the list date, holidays included', async () => {
    const c = await clockOf(await lead('working_group', china('2026-04-30T00:00:00')))
    expect(c.decide_due_at).toBe(china('2026-05-30T00:00:00'))
    expect(c.contact_due_at).toBe(china('2026-05-30T00:00:00'))
  })
})

describe('the referral acceptance clock reads the same calendar', () => {
  it('three working days from Thursday 30 April are 6, 7 and 8 May', async () => {
    const id = await lead('own_list', china('2026-04-01T00:00:00'), false)
    const visit = parseVisit({ id: `clock-visit-${n}`, playerId: id, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12, visitedAt: china('2026-04-30T09:00:00') })
    if (!visit.ok) throw new Error('invalid visit')
    await recordVisit(t.db, { ...officer, now: new Date(china('2026-04-30T09:30:00')) }, visit.data)
    const referral = await handOffCase(t.db, { ...officer, clocks: await loadClockContext(t.db), now: new Date(china('2026-04-30T10:00:00')) }, { playerId: id, productCode: 'tax_credit', amountYuan: 300_000, termMonths: 12 })
    expect(referral.accept_due_at).toBe(china('2026-05-08T10:00:00'))
  })
})

describe('an admin keeps the calendar and the numbers', () => {
  it('an edit on one server reaches another server that cached the calendar', async () => {
    const second = openDatabase(t.url)
    try {
      expect((await loadClockContext(second.db)).calendar.holidays.has('2026-12-31')).toBe(false)
      await editCalendarDay(t.db, SYSTEM_ACTOR, { day: '2026-12-31', kind: 'off', note: '测试假日' })
      expect((await loadClockContext(second.db)).calendar.holidays.has('2026-12-31')).toBe(true)
      // Wednesday 30 December: 31st now off; 2027 is not entered, so Friday 1 January counts.
      const c = await clockOf(await lead('loan_qr', china('2026-12-30T10:00:00')))
      expect(c.accept_due_at).toBe(china('2027-01-01T10:00:00'))
      await editCalendarDay(t.db, SYSTEM_ACTOR, { day: '2026-12-31', kind: 'remove' })
      expect((await loadClockContext(second.db)).calendar.holidays.has('2026-12-31')).toBe(false)
    } finally {
      await second.db.destroy()
    }
  })

  it('through the page: an admin adds a day off that clocks then skip, and removes it; a wrong day is refused', async () => {
    await addUser(t.db, 'clock-admin', 'admin', org.hq.id)
    const server = await startTestServer(t)
    try {
      const admin = new Client(server.url)
      expect((await admin.signIn('clock-admin', PASSWORD)).status).toBe(302)
      expect((await admin.post('/admin/calendar', { intent: 'day', day: '2026-12-29', kind: 'off', note: '页面假日' })).status).toBe(200)
      expect(await t.db.selectFrom('working_calendar_days').select(['day', 'kind', 'note']).where('day', '=', '2026-12-29').execute()).toEqual([{ day: '2026-12-29', kind: 'off', note: '页面假日' }])
      // Monday 28 December: Tuesday 29th now off, so the next working day is Wednesday.
      expect((await clockOf(await lead('loan_qr', china('2026-12-28T10:00:00')))).accept_due_at).toBe(china('2026-12-30T10:00:00'))
      const refused = await admin.post('/admin/calendar', { intent: 'day', day: '2026-02-30', kind: 'off', note: '不存在' })
      expect(refused.status).toBe(400)
      expect(await t.db.selectFrom('working_calendar_days').select('day').where('note', '=', '不存在').execute()).toEqual([])
      expect((await admin.post('/admin/calendar', { intent: 'remove', day: '2026-12-29' })).status).toBe(200)
      expect(await t.db.selectFrom('working_calendar_days').select('day').where('day', '=', '2026-12-29').execute()).toEqual([])
      expect((await clockOf(await lead('loan_qr', china('2026-12-28T11:00:00')))).accept_due_at).toBe(china('2026-12-29T11:00:00'))
    } finally {
      await server.close()
    }
  })

  it('refuses a day that does not exist and a day without a note', async () => {
    await expect(editCalendarDay(t.db, SYSTEM_ACTOR, { day: '2026-02-30', kind: 'off', note: 'x' })).rejects.toMatchObject({ messageKey: 'calendar.badDay' })
    await expect(editCalendarDay(t.db, SYSTEM_ACTOR, { day: '2026-03-02', kind: 'off', note: '  ' })).rejects.toMatchObject({ messageKey: 'calendar.noteRequired' })
    expect(await t.db.selectFrom('working_calendar_days').select('day').where('day', 'in', ['2026-03-02']).execute()).toEqual([])
  })

  it('new clocks take a changed number; running ones keep theirs', async () => {
    const before = await lead('loan_qr', china('2026-03-02T10:00:00'))
    await updateClockSetting(t.db, SYSTEM_ACTOR, { subject: 'loan_qr', clock: 'accept', days: 2, unit: 'working' })
    try {
      const after = await lead('loan_qr', china('2026-03-02T10:00:00'))
      expect((await clockOf(before)).accept_due_at).toBe(china('2026-03-03T10:00:00'))
      expect((await clockOf(after)).accept_due_at).toBe(china('2026-03-04T10:00:00'))
    } finally {
      await updateClockSetting(t.db, SYSTEM_ACTOR, { subject: 'loan_qr', clock: 'accept', days: 1, unit: 'working' })
    }
  })
})

describe('opening clocks', () => {
  it('opens once, never for the bank’s own lists, and the catch-all finds what a path left', async () => {
    const qr = await lead('loan_qr', china('2026-03-02T10:00:00'))
    const own = await lead('own_list', china('2026-03-02T10:00:00'))
    expect(await t.db.transaction().execute((trx) => openClocksFor(trx, [qr, own]))).toBe(0)
    expect(await t.db.selectFrom('player_clocks').select('player_id').where('player_id', '=', own).execute()).toEqual([])
    const forgotten = await lead('credit_platform', china('2026-03-02T10:00:00'), false)
    expect(await openMissingClocks(t.db)).toBe(1)
    expect((await clockOf(forgotten)).decide_due_at).toBe(china('2026-03-16T10:00:00'))
    expect(await openMissingClocks(t.db)).toBe(0)
  })
})

describe("the officer's actions", () => {
  it('accept, then a visit is the contact, then a decision; each audited', async () => {
    const id = await lead('loan_qr', china('2026-03-02T10:00:00'))
    await acceptLead(t.db, { ...officer, now: new Date(china('2026-03-02T11:00:00')) }, { playerId: id })
    await expect(acceptLead(t.db, officer, { playerId: id })).rejects.toMatchObject({ messageKey: 'clocks.alreadyAccepted' })
    const visit = parseVisit({ id: `clock-visit-contact-${id}`, playerId: id, channel: 'phone', hasNeed: false, visitedAt: china('2026-03-05T16:00:00') })
    if (!visit.ok) throw new Error('invalid visit')
    await recordVisit(t.db, { ...officer, now: new Date(china('2026-03-05T16:05:00')) }, visit.data)
    let c = await clockOf(id)
    expect(c.accepted_at).toBe(china('2026-03-02T11:00:00'))
    expect(c.contacted_at).toBe(china('2026-03-05T16:00:00'))
    // Contact was due Thursday 5 March 10:00: late. The decision is next: Monday 9 March.
    expect(c.contacted_at! > c.contact_due_at!).toBe(true)
    expect(c.next_due_at).toBe(china('2026-03-09T10:00:00'))
    await recordDecision(t.db, { ...officer, now: new Date(china('2026-03-06T09:00:00')) }, { playerId: id, decision: 'approved', amountYuan: 500_000 })
    c = await clockOf(id)
    expect(c).toMatchObject({ decision: 'approved', amount_yuan: 500_000, decided_at: china('2026-03-06T09:00:00'), next_due_at: null })
    const audit = await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'clock.%').where('entity_type', '=', 'market_player').where('entity_id', '=', String(id)).execute()
    expect(audit.map((a) => a.action).sort()).toEqual(['clock.accepted', 'clock.decided'])
  })

  it('a refusal without a reason from the code list is refused and changes nothing', async () => {
    const id = await lead('working_group', china('2026-03-02T00:00:00'))
    const refuse = (input: { reason: string; note: string | null }) =>
      recordDecision(t.db, officer, { playerId: id, decision: 'refused', ...input } as Parameters<typeof recordDecision>[2]).catch((e: unknown) => e)
    for (const [input, key] of [
      [{ reason: '', note: null }, 'clocks.reasonRequired'],
      [{ reason: 'bad-credit-made-up', note: null }, 'clocks.reasonRequired'],
      [{ reason: 'other', note: ' ' }, 'clocks.noteRequired'],
    ] as const) {
      const error = await refuse(input)
      expect(error).toBeInstanceOf(AppError)
      expect(error).toMatchObject({ code: 'bad_request', messageKey: key })
    }
    expect(await clockOf(id)).toMatchObject({ decided_at: null, decision: null, refusal_reason: null })
    await refuse({ reason: 'weak_repayment', note: null })
    expect(await clockOf(id)).toMatchObject({ decision: 'refused', refusal_reason: 'weak_repayment', amount_yuan: null })
    // The decision filled the contact and acceptance it implies.
    expect((await clockOf(id)).contacted_at).not.toBeNull()
  })

  it('the database itself refuses a refusal with no reason', async () => {
    const id = await lead('credit_platform', china('2026-03-02T00:00:00'))
    await expect(t.db.updateTable('player_clocks').set({ decision: 'refused', decided_at: china('2026-03-03T00:00:00') }).where('player_id', '=', id).execute()).rejects.toThrow()
  })

  it('another officer cannot act on a lead that is not theirs', async () => {
    const id = await lead('loan_qr', china('2026-03-02T10:00:00'))
    await expect(recordContact(t.db, other, { playerId: id })).rejects.toMatchObject({ code: 'not_found' })
    expect(await findPlayerClock(t.db, other.scope, id)).toBeUndefined()
    expect((await clockOf(id)).contacted_at).toBeNull()
  })
})
