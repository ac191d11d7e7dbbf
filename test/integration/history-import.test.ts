// Bringing a bank's history (issue 19, item 5) on a real database (SQLite, and PostgreSQL
// when configured): past visits matched by USCC, with a row error for an unknown USCC or
// officer, stored once however often the file is imported, moving a player's latest-visit
// columns only when newer, audited as imported; past referrals with their stages checked
// as a whole, stored once by the loan system's reference, and counted in the figures of
// the past quarter they belong to, by the pre-counted figures and the straight count alike.
import { writeFile } from 'node:fs/promises'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { periodOf, previousPeriod } from '../../app/domain/figures'
import { usccCheckCharacter } from '../../app/domain/identifiers'
import { todayInChina } from '../../app/domain/player-row'
import { scopeOf } from '../../app/domain/scope'
import { PLAIN_CLOCKS } from '../../app/domain/clocks'
import { readFigures } from '../../app/services/figure-rollups/read-figures.server'
import { computeFiguresInSql } from '../../app/services/figures.server'
import { importReferralHistory } from '../../app/services/history/import-referral-history.server'
import { importVisitHistory } from '../../app/services/history/import-visit-history.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { parseVisit } from '../../app/forms/visit'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { makeTempDir, writeXlsx, type TempDir } from '../support/spreadsheets'
import { createTestDatabase, testDialect, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { runCli } from '../support/cli'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let dir: TempDir
let org: Awaited<ReturnType<typeof buildOrg>>
let manager: { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
let admin: { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
let officerId: number

/** A valid USCC with organisation code `n`. */
export function uscc(n: number): string {
  const first17 = `91410225${String(n).padStart(9, '0')}`
  return first17 + usccCheckCharacter(first17)
}

let files = 0
async function csv(lines: string[]): Promise<{ filePath: string; fileName: string }> {
  const fileName = `history-${++files}.csv`
  await writeFile(dir.path(fileName), lines.join('\n') + '\n', 'utf8')
  return { filePath: dir.path(fileName), fileName }
}

async function player(n: number, orgUnitId = org.outletA1.id, registeredOn = '2020-04-01') {
  return createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields(`历史主体${n}`, { uscc: uscc(n), registeredOn }), orgUnitId })
}

beforeAll(async () => {
  t = await createTestDatabase()
  dir = await makeTempDir('wanqi-history-')
  org = await buildOrg(t.db)
  officerId = await addUser(t.db, 'hist.off', 'officer', org.outletA1.id)
  await addUser(t.db, 'hist.offb', 'officer', org.outletB1.id)
  const mgr = await addUser(t.db, 'hist.mgr', 'manager', org.branchA.id)
  const adm = await addUser(t.db, 'hist.admin', 'admin', org.hq.id)
  manager = { actor: { id: mgr, username: 'hist.mgr', ip: null }, scope: scopeOf({ id: mgr, role: 'manager', orgPath: org.branchA.path }) }
  admin = { actor: { id: adm, username: 'hist.admin', ip: null }, scope: scopeOf({ id: adm, role: 'admin', orgPath: org.hq.path }) }
})

afterAll(async () => {
  await dir?.remove()
  await t?.destroy()
})

const HEADER = '统一社会信用代码,客户经理,走访时间,走访方式,接待人,有融资需求,需求金额（万元）,用途,期限（月）,走访结果,下次跟进日期'

describe('past visits', () => {
  it('matches rows by USCC, names each bad row with its column and reason, and writes nothing on preview', async () => {
    const p1 = await player(101)
    await player(102, org.outletB1.id)
    const file = await csv([
      HEADER,
      `${uscc(101)},hist.off,2025-05-06 10:30,上门,张三,是,50,流动资金,12,需再跟进,2025-05-20`,
      `${uscc(999)},hist.off,2025-05-07,电话,,否,,,,暂无需求,`,
      `${uscc(101)},nobody,2025-05-08,视频,,否,,,,暂无需求,`,
      `${uscc(102)},hist.off,2025-05-08,电话,,否,,,,暂无需求,`,
      `${uscc(101)},hist.off,2025-05-09,坐飞机,,否,,,,暂无需求,`,
      `${uscc(101)},hist.off,2099-01-01,电话,,否,,,,暂无需求,`,
    ])
    const preview = await importVisitHistory(t.db, manager, { ...file, apply: false })
    expect(preview).toMatchObject({ applied: false, rows: 6, ready: 1, inserted: 0, rejected: 5 })
    expect(preview.errors.map((e) => [e.row, e.column, e.message.key])).toEqual([
      [3, '统一社会信用代码', 'history.playerUnknown'],
      [4, '客户经理', 'history.officerUnknown'],
      // Another branch's player is not there for this manager.
      [5, '统一社会信用代码', 'history.playerUnknown'],
      [6, '走访方式', 'history.notAChoice'],
      [7, '走访时间', 'history.inFuture'],
    ])
    expect(await t.db.selectFrom('visits').select('id').where('player_id', '=', p1).execute()).toEqual([])

    const applied = await importVisitHistory(t.db, manager, { ...file, apply: true })
    expect(applied).toMatchObject({ applied: true, inserted: 1, unchanged: 0, rejected: 5 })
    const stored = await t.db.selectFrom('visits').selectAll().where('player_id', '=', p1).execute()
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ officer_id: officerId, channel: 'on_site', contact: '张三', has_need: 1, need_purpose: 'working_capital', need_term_months: 12, outcome: 'follow_up', next_follow_up_on: '2025-05-20', visited_at: '2025-05-06T02:30:00.000Z' })
    expect(Number(stored[0].need_amount_yuan)).toBe(500_000)
  })

  it('reads an XLSX whose date cells are China time, and a player by its id', async () => {
    const p = await player(105)
    const filePath = await writeXlsx(dir.path('past-visits.xlsx'), (sheet) => {
      sheet.addRow(['主体编号', '客户经理', '走访时间', '走访方式', '走访结果'])
      // Excel keeps the wall clock: 2025-08-01 09:15 as the bank's staff typed it.
      sheet.addRow([p, 'hist.off', new Date(Date.UTC(2025, 7, 1, 9, 15)), '电话', '暂无需求'])
      sheet.getCell('C2').numFmt = 'yyyy-mm-dd hh:mm'
    })
    expect(await importVisitHistory(t.db, manager, { filePath, fileName: 'past-visits.xlsx', apply: true })).toMatchObject({ inserted: 1, rejected: 0 })
    expect(await t.db.selectFrom('visits').select(['visited_at', 'channel', 'outcome']).where('player_id', '=', p).execute()).toEqual([{ visited_at: '2025-08-01T01:15:00.000Z', channel: 'phone', outcome: 'no_need' }])
  })

  it('changes nothing when the same file is imported again', async () => {
    const p = await player(111)
    const file = await csv([HEADER, `${uscc(111)},hist.off,2025-06-01,电话,,否,,,,暂无需求,`, `${uscc(111)},hist.off,2025-06-02 09:00,phone,,no,,,,no_need,`])
    expect(await importVisitHistory(t.db, admin, { ...file, apply: true })).toMatchObject({ inserted: 2, unchanged: 0, rejected: 0 })
    const again = await importVisitHistory(t.db, admin, { ...file, apply: true })
    expect(again).toMatchObject({ inserted: 0, unchanged: 2, rejected: 0, errors: [] })
    expect(await t.db.selectFrom('visits').select('id').where('player_id', '=', p).execute()).toHaveLength(2)
  })

  it("moves a player's latest-visit columns only when an imported visit is newer", async () => {
    const fresh = await player(121)
    const live = await player(122)
    const visit = parseVisit({ id: `live-visit-${Date.now()}`, playerId: live, channel: 'phone', hasNeed: false, outcome: 'no_need' })
    if (!visit.ok) throw new Error('invalid visit')
    await recordVisit(t.db, { ...manager }, visit.data)
    const before = await t.db.selectFrom('market_players').select(['last_visited_at', 'last_outcome', 'next_follow_up_on']).where('id', '=', live).executeTakeFirstOrThrow()
    const file = await csv([
      HEADER,
      `${uscc(121)},hist.off,2025-03-01,电话,,否,,,,暂无需求,`,
      `${uscc(121)},hist.off,2025-04-01,上门,,是,30,,,需再跟进,2025-04-15`,
      `${uscc(122)},hist.off,2025-04-01,上门,,是,30,,,需再跟进,2025-04-15`,
    ])
    expect(await importVisitHistory(t.db, admin, { ...file, apply: true })).toMatchObject({ inserted: 3, rejected: 0 })
    expect(await t.db.selectFrom('market_players').select(['last_visited_at', 'last_outcome', 'next_follow_up_on', 'campaign_status']).where('id', '=', fresh).executeTakeFirstOrThrow()).toEqual({
      last_visited_at: '2025-03-31T16:00:00.000Z',
      last_outcome: 'follow_up',
      next_follow_up_on: '2025-04-15',
      campaign_status: 'need_found',
    })
    expect(await t.db.selectFrom('market_players').select(['last_visited_at', 'last_outcome', 'next_follow_up_on']).where('id', '=', live).executeTakeFirstOrThrow()).toEqual(before)
  })

  it('audits each visit as imported, and the import itself', async () => {
    await player(131)
    const file = await csv([HEADER, `${uscc(131)},hist.off,2025-02-03,电话,,否,,,,暂无需求,`])
    await importVisitHistory(t.db, manager, { ...file, apply: true })
    const entries = await t.db.selectFrom('audit_log').select(['action', 'actor_username', 'detail']).where('actor_username', '=', 'hist.mgr').where('detail', 'like', `%${file.fileName}%`).orderBy('id').execute()
    expect(entries.map((e) => e.action)).toEqual(['visit.imported', 'history.imported'])
    expect(JSON.parse(entries[1].detail!)).toMatchObject({ kind: 'visits', inserted: 1, rejected: 0 })
  })

  it('refuses a visit dated before the player was registered or before 2000', async () => {
    await player(141, org.outletA1.id, '2024-01-10')
    const file = await csv([HEADER, `${uscc(141)},hist.off,2023-12-01,电话,,否,,,,暂无需求,`, `${uscc(141)},hist.off,1999-12-31,电话,,否,,,,暂无需求,`])
    const result = await importVisitHistory(t.db, admin, { ...file, apply: false })
    expect(result.errors.map((e) => [e.row, e.message.key])).toEqual([
      [2, 'history.beforeRegistration'],
      [3, 'history.beforeFloor'],
    ])
  })

  it('leaves nothing half-written when the apply fails part way', async () => {
    const a = await player(151)
    const b = await player(152)
    // The database refuses the last row's insert, as a full disk or a lost connection would.
    if (testDialect() === 'sqlite') await sql`create trigger refuse_boom before insert on visits when new.notes = 'boom' begin select raise(abort, 'boom'); end`.execute(t.db)
    else {
      await sql`create function refuse_boom() returns trigger language plpgsql as $$ begin if new.notes = 'boom' then raise exception 'boom'; end if; return new; end $$`.execute(t.db)
      await sql`create trigger refuse_boom before insert on visits for each row execute function refuse_boom()`.execute(t.db)
    }
    try {
      const file = await csv(['统一社会信用代码,客户经理,走访时间,走访方式,走访情况', `${uscc(151)},hist.off,2025-02-03,电话,fine`, ...Array.from({ length: 250 }, (_, i) => `${uscc(152)},hist.off,2025-02-04 10:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')},电话,${i === 249 ? 'boom' : 'fine'}`)])
      await expect(importVisitHistory(t.db, admin, { ...file, apply: true })).rejects.toThrow(/boom/)
      expect(await t.db.selectFrom('visits').select('id').where('player_id', 'in', [a, b]).execute()).toEqual([])
      expect(await t.db.selectFrom('market_players').select('last_visited_at').where('id', 'in', [a, b]).execute()).toEqual([{ last_visited_at: null }, { last_visited_at: null }])
      expect(await t.db.selectFrom('audit_log').select('id').where('detail', 'like', `%${file.fileName}%`).execute()).toEqual([])
    } finally {
      await sql`drop trigger refuse_boom${sql.raw(testDialect() === 'postgres' ? ' on visits' : '')}`.execute(t.db)
    }
  })

  it('says which columns a file lacks, and reads none of its rows', async () => {
    const file = await csv(['名称,客户经理', 'x,hist.off'])
    const result = await importVisitHistory(t.db, admin, { ...file, apply: true })
    expect(result.errors.map((e) => e.message.key)).toEqual(['history.columnMissing', 'history.columnMissing'])
    expect(result).toMatchObject({ inserted: 0, unknownColumns: ['名称'] })
  })
})

const REF_HEADER = '统一社会信用代码,产品,推荐金额（万元）,推荐时间,受理时间,授信时间,放款时间,拒绝时间,拒绝原因,信贷系统编号,首贷户,放款金额（万元）'

describe('past referrals', () => {
  it('checks the stages as a whole: none before the referral, in the future, out of order, after a decline', async () => {
    await player(201)
    const file = await csv([
      REF_HEADER,
      `${uscc(201)},tax_credit,50,2025-05-10,2025-05-09,,,,,L-1,,`,
      `${uscc(201)},tax_credit,50,2025-05-10,2025-05-20,2025-05-12,,,,L-2,,`,
      `${uscc(201)},tax_credit,50,2025-05-10,2099-01-01,,,,,L-3,,`,
      `${uscc(201)},tax_credit,50,2025-05-10,2025-05-11,2025-05-20,,2025-05-15,额度不足,L-4,,`,
      `${uscc(201)},tax_credit,50,2025-05-10,,,,2025-05-15,,L-5,,`,
      `${uscc(201)},no-such-product,50,2025-05-10,,,,,,L-6,,`,
    ])
    const result = await importReferralHistory(t.db, { ...admin, clocks: PLAIN_CLOCKS }, { ...file, apply: true })
    expect(result.errors.map((e) => [e.row, e.column, e.message.key])).toEqual([
      [2, '受理时间', 'history.stageBeforeReferral'],
      [3, '授信时间', 'history.stageOutOfOrder'],
      [4, '受理时间', 'history.inFuture'],
      [5, '授信时间', 'history.stageAfterClose'],
      [6, '拒绝原因', 'history.reasonNeeded'],
      [7, '产品', 'history.productUnknown'],
    ])
    expect(result).toMatchObject({ inserted: 0, rejected: 6, notStoredColumns: ['放款金额（万元）'] })
  })

  it('stores each referral once, by the loan system reference, with its stage history', async () => {
    const p = await player(211)
    const file = await csv([REF_HEADER, `${uscc(211)},税易贷,80,2025-07-01 09:00,2025-07-02,2025-07-05,2025-07-08,,,LOS-211,是,80`])
    const first = await importReferralHistory(t.db, { ...admin, clocks: PLAIN_CLOCKS }, { ...file, apply: true })
    expect(first).toMatchObject({ inserted: 1, unchanged: 0, rejected: 0 })
    const again = await importReferralHistory(t.db, { ...admin, clocks: PLAIN_CLOCKS }, { ...file, apply: true })
    expect(again).toMatchObject({ inserted: 0, unchanged: 1, rejected: 0 })
    const stored = await t.db.selectFrom('referrals').selectAll().where('player_id', '=', p).execute()
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ stage: 'disbursed', referred_at: '2025-07-01T01:00:00.000Z', accepted_at: '2025-07-01T16:00:00.000Z', disbursed_at: '2025-07-07T16:00:00.000Z', external_ref: 'LOS-211', first_lender: 1, credit: 1 })
    const events = await t.db.selectFrom('referral_events').select('stage').where('referral_id', '=', stored[0].id).orderBy('at').execute()
    expect(events.map((e) => e.stage)).toEqual(['referred', 'accepted', 'approved', 'disbursed'])
    expect((await t.db.selectFrom('market_players').select('campaign_status').where('id', '=', p).executeTakeFirstOrThrow()).campaign_status).toBe('financed')
    expect(await t.db.selectFrom('outbox').select('id').where('referral_id', '=', stored[0].id).execute()).toEqual([])
  })

  it('counts them in the figures of the past quarter they belong to', async () => {
    const lastQuarter = previousPeriod(periodOf('quarter', todayInChina()))
    const day = (offset: number) => new Date(Date.parse(`${lastQuarter.from}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10)
    const scope = { scopes: [scopeOf({ id: manager.actor.id, role: 'manager', orgPath: org.branchA.path })] }
    const before = await readFigures(t.db, scope, lastQuarter)
    await player(221)
    await player(222)
    await player(223)
    const file = await csv([
      REF_HEADER,
      `${uscc(221)},tax_credit,50,${day(3)},${day(4)},${day(6)},${day(8)},,,Q-221,是,`,
      `${uscc(222)},secured,100,${day(10)},${day(11)},,,${day(14)},材料不全,Q-222,,`,
      `${uscc(223)},tax_credit,30,${day(20)},${day(21)},${day(25)},,,,Q-223,,`,
    ])
    expect(await importReferralHistory(t.db, { ...manager, clocks: PLAIN_CLOCKS }, { ...file, apply: true })).toMatchObject({ inserted: 3, rejected: 0 })
    const after = await readFigures(t.db, scope, lastQuarter)
    expect({ referred: after.referred - before.referred, accepted: after.accepted - before.accepted, approved: after.approved - before.approved, disbursed: after.disbursed - before.disbursed }).toEqual({ referred: 3, accepted: 3, approved: 2, disbursed: 1 })
    expect(after.firstLenderConversions - before.firstLenderConversions).toBe(1)
    // The straight count agrees with the pre-counted figures.
    expect(after).toEqual(await computeFiguresInSql(t.db, scope, lastQuarter))
  })

  it('keeps one open case per player, counting those stored and those earlier in the file', async () => {
    await player(231)
    const file = await csv([REF_HEADER, `${uscc(231)},tax_credit,50,2025-05-10,2025-05-11,,,,,O-1,,`, `${uscc(231)},secured,50,2025-06-10,,,,,,O-2,,`])
    const result = await importReferralHistory(t.db, { ...admin, clocks: PLAIN_CLOCKS }, { ...file, apply: true })
    expect(result).toMatchObject({ inserted: 1, rejected: 1 })
    expect(result.errors.map((e) => [e.row, e.message.key])).toEqual([[3, 'history.duplicateInFile']])
    const next = await csv([REF_HEADER, `${uscc(231)},secured,50,2025-06-10,,,,,,O-3,,`])
    const second = await importReferralHistory(t.db, { ...admin, clocks: PLAIN_CLOCKS }, { ...next, apply: false })
    expect(second.errors.map((e) => e.message.key)).toEqual(['history.alreadyOpen'])
  })
})

describe('npm run import:history', () => {
  const run = (args: string[], options: { tsx?: boolean } = {}) =>
    runCli('app/cli/import-history.server.ts', args, {
      env: { ...process.env, DATABASE_URL: t.url, DATA_KEY: TEST_DATA_KEY, WANQI_SECRETS_FILE: dir.path('cli-secrets.json') },
      tsx: options.tsx,
    })

  it('imports as the browser does: JSON on stdout, progress on stderr, the same file twice stored once', async () => {
    const p = await player(301)
    const file = await csv([REF_HEADER, `${uscc(301)},tax_credit,20,2025-04-01,2025-04-02,,,,,CLI-301,,`, `${uscc(998)},tax_credit,20,2025-04-01,,,,,,CLI-998,,`])
    const dry = await run(['--kind', 'referrals', '--as', 'hist.mgr', '--dry-run', file.filePath])
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, ready: 1, inserted: 0, rejected: 1 })
    expect(await t.db.selectFrom('referrals').select('id').where('player_id', '=', p).execute()).toEqual([])
    const first = await run(['--kind', 'referrals', '--as', 'hist.mgr', file.filePath], { tsx: true })
    expect(JSON.parse(first.stdout)).toEqual({
      kind: 'referrals',
      rows: 2,
      ready: 1,
      inserted: 1,
      unchanged: 0,
      rejected: 1,
      unknownColumns: [],
      notStoredColumns: ['放款金额（万元）'],
      dryRun: false,
      errors: [{ row: 3, column: '统一社会信用代码', message: 'No such player, or not in your scope.' }],
    })
    expect(first.stderr).toMatch(/rows read/)
    const second = await run(['--kind', 'referrals', '--as', 'hist.mgr', file.filePath])
    expect(JSON.parse(second.stdout)).toMatchObject({ inserted: 0, unchanged: 1 })
    expect(await t.db.selectFrom('referrals').select('id').where('player_id', '=', p).execute()).toHaveLength(1)
  })

  it('exits 1 when the file lacks a column it needs', async () => {
    const file = await csv(['名称', 'x'])
    await expect(run(['--kind', 'visits', file.filePath])).rejects.toMatchObject({ code: 1 })
  })
})
