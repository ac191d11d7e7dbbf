// List import end to end on a real database: encodings, preview, rejections with row,
// column and reason, commit, a second import that changes nothing, de-duplication,
// resumption after a failure, scoping, and the command line.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import {
  commitImportJob,
  createImportJob,
  getImportJob,
  listImportIssues,
  previewImportJob,
  queueImportJob,
  saveImportMapping,
} from '../../app/services/import/import-jobs.server'
import { listPlayers } from '../../app/services/players/list-players.server'
import { revealPersonalData } from '../../app/services/players/reveal-personal-data.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { translator } from '../../app/i18n/index'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { runCli } from '../support/cli'
import { addUser, buildOrg } from '../support/fixtures'
import { makeTempDir, writeCsv, writeXlsx, type TempDir } from '../support/spreadsheets'
import { listRows, makeUscc, taxList } from '../support/lists'
import { columnLetter } from '../../app/services/import/read-table.server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const en = translator('en')
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let dir: TempDir
let managerA: number

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  managerA = await addUser(t.db, 'mgr.a1', 'manager', org.outletA1.id)
  dir = await makeTempDir('wanqi-import-')
})
afterAll(async () => {
  await t.destroy()
  await dir.remove()
})

async function importFile(file: string, options: { orgUnitId?: number; source?: 'tax' | 'market'; acceptBadCheck?: boolean; mergeHouseholds?: boolean } = {}) {
  const jobId = await createImportJob(t.db, { id: managerA, username: 'mgr.a1', ip: null }, {
    source: options.source ?? 'tax',
    fileName: path.basename(file),
    filePath: file,
    fileBytes: 1,
    orgUnitId: options.orgUnitId ?? org.outletA1.id,
  })
  const preview = await previewImportJob(t.db, pii, jobId)
  if (preview.status !== 'previewed') return { jobId, preview, commit: null }
  await queueImportJob(t.db, SYSTEM_ACTOR, jobId, { acceptBadCheck: options.acceptBadCheck ?? false, mergeHouseholds: options.mergeHouseholds ?? true })
  const commit = await commitImportJob(t.db, pii, jobId)
  return { jobId, preview, commit }
}

async function rejections(jobId: number) {
  return (await listImportIssues(t.db, jobId, 'rejected')).flatMap((r) =>
    r.problems.map((p) => ({ row: r.row, column: p.column, message: en(p.message.key, p.message.params) })),
  )
}

const playerCount = async () => Number((await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

describe('importing a GB18030 tax list with Chinese headers', () => {
  let file: string
  let jobId: number

  it('previews without writing a player: rows to insert, and each rejection with its row, column and reason', async () => {
    file = await writeCsv(dir.path('tax-gb18030.csv'), listRows(taxList()), { encoding: 'gb18030' })
    const before = await playerCount()
    const id = await createImportJob(t.db, SYSTEM_ACTOR, { source: 'tax', fileName: 'tax.csv', filePath: file, fileBytes: 1, orgUnitId: org.outletA1.id })
    const preview = await previewImportJob(t.db, pii, id)
    expect(preview.status).toBe('previewed')
    // Only identity refuses a row (issue 21): a bad phone or date is left blank with a warning.
    expect(preview.counts).toMatchObject({ totalRows: 7, inserted: 5, updated: 0, rejected: 2, warnings: 2 })
    expect(await playerCount()).toBe(before)
    const job = await getImportJob(t.db, id)
    expect(job).toMatchObject({ encoding: 'gb18030', format: 'csv', status: 'previewed', expected_rows: 7 })
    expect(await rejections(id)).toEqual([
      { row: 5, column: '统一社会信用代码', message: 'USCC check character should be L' },
      { row: 8, column: '企业名称', message: expect.stringMatching(/name/i) },
    ])
    const warned = (await listImportIssues(t.db, id, 'warning')).flatMap((r) =>
      r.problems.map((p) => ({ row: r.row, column: p.column, message: en(p.message.key, p.message.params) })),
    )
    expect(warned).toEqual([
      { row: 6, column: '联系电话', message: expect.stringMatching(/\*{8}67 is neither/) },
      { row: 7, column: '注册日期', message: 'date 2023-02-30 does not exist' },
    ])
    jobId = id
  })

  it('commits: the players land in the importing unit with their derived fields, and the rejected rows stay out', async () => {
    await queueImportJob(t.db, SYSTEM_ACTOR, jobId, { acceptBadCheck: false, mergeHouseholds: true })
    const result = await commitImportJob(t.db, pii, jobId)
    expect(result).toMatchObject({ status: 'done', counts: { inserted: 5, rejected: 2 } })
    const rows = await t.db.selectFrom('market_players').selectAll().orderBy('id').execute()
    expect(rows.map((r) => r.name)).toEqual(['河南金穗面业有限公司', '西华华盛商贸有限公司', '红花集王记面馆', '电话错误有限公司', '日期错误有限公司'])
    const [mill, trader, noodles, badPhone, badDate] = rows
    expect(badPhone).toMatchObject({ phone_enc: null, phone_masked: null })
    expect(badDate).toMatchObject({ registered_on: null })
    expect(rows.every((r) => r.org_unit_id === org.outletA1.id && r.source === 'tax')).toBe(true)
    expect(mill).toMatchObject({
      kind: 'enterprise',
      name_initials: 'hnjsmyyxgs',
      registered_on: '2019-03-05',
      loan_history: 'none',
      loan_checked_on: '2026-03-02',
      candidate_status: 'candidate',
      revenue_yuan: 3_500_000,
      size_class: 'small',
      phone_masked: '138****5678',
      lat: 33.79,
      lng: 114.52,
      position_approximate: 0,
    })
    expect(mill.phone_enc).not.toContain('13812345678')
    expect(trader).toMatchObject({ industry: 'F', industry_code: '51', candidate_status: 'not_candidate', loan_history: 'has_loan' })
    expect(noodles).toMatchObject({ kind: 'household', size_class: null, phone_masked: '139****1111' })
  })

  it('finds what it imported: by pinyin initials, name, USCC and full phone number', async () => {
    const all = { kind: 'all' } as const
    const names = async (q: string) => (await listPlayers(t.db, { pii, scope: all }, { filter: { q } })).rows.map((r) => r.name)
    expect(await names('hnmy')).toEqual(['河南金穗面业有限公司'])
    expect(await names('面业')).toEqual(['河南金穗面业有限公司'])
    expect(await names('金穗面业')).toEqual(['河南金穗面业有限公司'])
    expect(await names(makeUscc(2))).toEqual(['西华华盛商贸有限公司'])
    expect(await names('139 0000 1111')).toEqual(['红花集王记面馆'])
    expect(await names('13900001112')).toEqual([])
    expect(await names('王芳')).toEqual(['红花集王记面馆'])
  })

  it('a second import of the same file changes nothing', async () => {
    const before = await t.db.selectFrom('market_players').selectAll().orderBy('id').execute()
    const again = await importFile(file)
    expect(again.commit).toMatchObject({ status: 'done', counts: { inserted: 0, updated: 0, unchanged: 5, rejected: 2 } })
    expect(await t.db.selectFrom('market_players').selectAll().orderBy('id').execute()).toEqual(before)
  })

  it('an update fills in and corrects, never blanks a known value, and records which list said what', async () => {
    const update = await writeCsv(
      dir.path('market.csv'),
      [
        ['uscc', 'name', 'tax grade', 'phone', 'registered on'],
        [makeUscc(1), '河南金穗面业有限公司', 'A', '', ''],
      ],
      { encoding: 'utf-8-bom' },
    )
    const result = await importFile(update, { source: 'market' })
    expect(result.commit).toMatchObject({ counts: { updated: 1, inserted: 0 } })
    const mill = await t.db.selectFrom('market_players').selectAll().where('uscc', '=', makeUscc(1)).executeTakeFirstOrThrow()
    expect(mill).toMatchObject({ tax_grade: 'A', phone_masked: '138****5678', registered_on: '2019-03-05', source: 'tax' })
    const said = await t.db.selectFrom('player_sources').selectAll().where('player_id', '=', mill.id).execute()
    expect(said.map((s) => ({ source: s.source, said: JSON.parse(s.said) }))).toEqual([{ source: 'market', said: { taxGrade: 'A' } }])
  })

  it('the phone number is stored encrypted and revealed only through the audited unmask', async () => {
    const mill = await t.db.selectFrom('market_players').select('id').where('uscc', '=', makeUscc(1)).executeTakeFirstOrThrow()
    const revealed = await revealPersonalData(t.db, { actor: { id: managerA, username: 'mgr.a1', ip: '10.0.0.9' }, pii, scope: { kind: 'all' } }, { id: mill.id })
    expect(revealed.phone).toBe('13812345678')
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'player.unmask').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor_username: 'mgr.a1', entity_id: String(mill.id), ip: '10.0.0.9' })
    expect(audit[0].detail).not.toContain('13812345678')
  })

  it('accepts a bad check character only when asked, as a warning', async () => {
    const accepted = await importFile(file, { acceptBadCheck: true })
    expect(accepted.commit).toMatchObject({ counts: { inserted: 1, rejected: 1 } })
    const warned = await listImportIssues(t.db, accepted.jobId, 'warning')
    expect(warned.map((w) => w.row)).toContain(5)
    expect(await t.db.selectFrom('market_players').select('uscc').where('uscc', '=', '91110000600037341N').executeTakeFirst()).toBeDefined()
  })
})

describe('de-duplication', () => {
  it('the same USCC twice in one file is one player, filled in by both rows', async () => {
    const file = await writeCsv(dir.path('dup.csv'), [
      ['uscc', 'name', 'tax grade', 'employees'],
      [makeUscc(100), '重复企业', 'B', ''],
      [makeUscc(100), '重复企业', '', '12'],
    ])
    const result = await importFile(file)
    expect(result.commit).toMatchObject({ counts: { inserted: 1, updated: 1, warnings: 1 } })
    const rows = await t.db.selectFrom('market_players').selectAll().where('uscc', '=', makeUscc(100)).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ tax_grade: 'B', employees: 12 })
  })

  it('a household without a USCC matching name, owner and address is shown for confirmation and merged only when confirmed', async () => {
    const header = ['名称', '主体类型', '经营者', '经营场所', '纳税信用等级']
    const first = await writeCsv(dir.path('hh1.csv'), [header, ['聂堆李记超市', '个体工商户', '李强', '聂堆镇中心街9号', '']])
    await importFile(first)
    const second = await writeCsv(dir.path('hh2.csv'), [header, ['聂堆 李记超市', '个体工商户', '李强', '聂堆镇中心街 9 号', 'M']])
    const declined = await importFile(second, { mergeHouseholds: false })
    expect(declined.preview).toMatchObject({ counts: { matches: 1 } })
    const matches = await listImportIssues(t.db, declined.jobId, 'match')
    expect(matches).toHaveLength(1)
    expect(matches[0].playerId).toBeGreaterThan(0)
    expect(declined.commit).toMatchObject({ counts: { inserted: 1 } })
    const third = await importFile(second, { mergeHouseholds: true })
    expect(third.commit).toMatchObject({ counts: { inserted: 0, updated: 1, matches: 1 } })
    const original = await t.db.selectFrom('market_players').selectAll().where('id', '=', matches[0].playerId!).executeTakeFirstOrThrow()
    expect(original.tax_grade).toBe('M')
  })
})

describe('files that cannot be imported', () => {
  it('refuses a file with only headers, a file without a name column, and one with a column twice, changing nothing', async () => {
    const before = await playerCount()
    const headersOnly = await importFile(await writeCsv(dir.path('headers.csv'), [['uscc', 'name']]))
    expect(headersOnly.preview).toMatchObject({ status: 'failed', error: { key: 'import.headersOnly' } })
    const noName = await importFile(await writeCsv(dir.path('noname.csv'), [['uscc', 'tax grade'], [makeUscc(300), 'A']]))
    expect(noName.preview).toMatchObject({ status: 'failed', error: { key: 'import.missingColumns' } })
    const twice = await importFile(await writeCsv(dir.path('twice.csv'), [['uscc', '企业名称', '名称'], [makeUscc(301), 'a', 'b']]))
    expect(twice.preview).toMatchObject({ status: 'failed', error: { key: 'import.duplicateColumns' } })
    const garbage = dir.path('garbage.csv')
    await import('node:fs/promises').then((fs) => fs.writeFile(garbage, Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 7, 8, 9])))
    const bytes = await importFile(garbage)
    expect(bytes.preview).toMatchObject({ status: 'failed', error: { key: 'file.notSpreadsheet' } })
    expect(await playerCount()).toBe(before)
  })

  it('reports unknown headers without stopping, and asks for a mapping only when the name is missing', async () => {
    // Changed by issue 21: an unknown column is reported (and not read), the list previews.
    const file = await writeCsv(dir.path('unknown.csv'), [['名称', '客户经理备注'], ['映射测试店', 'x']])
    const first = await importFile(file, { source: 'market' })
    expect(first.preview).toMatchObject({ status: 'previewed', unknown: [{ index: 1, header: '客户经理备注', column: 'B' }] })
    const nameless = await importFile(await writeCsv(dir.path('nameless.csv'), [['商号', '客户经理备注'], ['映射测试店', 'x']]), { source: 'market' })
    expect(nameless.preview).toMatchObject({ status: 'needs_mapping', unknown: [{ header: '商号' }, { header: '客户经理备注' }] })
  })

  it("keeps a manager's mapping for their org unit and source only, changeable and resettable, audited", async () => {
    const header = ['统一社会信用代码', '商号', '企业类型']
    const file = await writeCsv(dir.path('mapped.csv'), [header, [makeUscc(500), '映射企业', '有限责任公司']])
    const first = await importFile(file, { source: 'market' })
    expect(first.preview.status).toBe('needs_mapping')
    await saveImportMapping(t.db, { id: managerA, username: 'mgr.a1', ip: null }, first.jobId, { 商号: 'name' })
    expect((await previewImportJob(t.db, pii, first.jobId)).status).toBe('previewed')
    // The same unit's next file of that source is read with it…
    expect((await importFile(file, { source: 'market' })).preview.status).toBe('previewed')
    // …another outlet's, or another source's, is not: they are asked, never mapped in silence.
    expect((await importFile(file, { source: 'market', orgUnitId: org.outletA2.id })).preview.status).toBe('needs_mapping')
    expect((await importFile(file, { source: 'tax' })).preview.status).toBe('needs_mapping')
    const stored = await t.db.selectFrom('import_mappings').selectAll().execute()
    expect(stored).toEqual([expect.objectContaining({ org_unit_id: org.outletA1.id, source: 'market', header: '商号', field: 'name', updated_by: managerA })])
    const again = await createImportJob(t.db, SYSTEM_ACTOR, { source: 'market', fileName: 'mapped.csv', filePath: file, fileBytes: 1, orgUnitId: org.outletA1.id })
    expect((await previewImportJob(t.db, pii, again)).status).toBe('previewed')
    await saveImportMapping(t.db, { id: managerA, username: 'mgr.a1', ip: null }, again, {}, ['商号'])
    expect((await previewImportJob(t.db, pii, again)).status).toBe('needs_mapping')
    expect(await t.db.selectFrom('import_mappings').selectAll().execute()).toEqual([])
    const audit = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'import.mapping').execute()
    expect(audit.map((a) => JSON.parse(a.detail ?? '{}'))).toEqual([
      expect.objectContaining({ answers: { 商号: 'name' }, reset: [] }),
      expect.objectContaining({ answers: {}, reset: ['商号'] }),
    ])
  })
})

describe('large files and failures', () => {
  it('an XLSX of 2,500 rows imports in batches; a job that fails half way resumes without duplicating anything', async () => {
    const file = await writeXlsx(dir.path('big.xlsx'), (sheet) => {
      sheet.addRow(['统一社会信用代码', '企业名称', '纳税信用等级'])
      for (let i = 0; i < 2500; i++) sheet.addRow([makeUscc(10_000 + i), `批量企业${i}`, 'B'])
    })
    const before = await playerCount()
    const jobId = await createImportJob(t.db, SYSTEM_ACTOR, { source: 'other', fileName: 'big.xlsx', filePath: file, fileBytes: 1, orgUnitId: org.outletA1.id })
    expect((await previewImportJob(t.db, pii, jobId)).counts.inserted).toBe(2500)
    await queueImportJob(t.db, SYSTEM_ACTOR, jobId, { acceptBadCheck: false, mergeHouseholds: true })
    // The process "dies" after the first committed batch.
    await expect(
      commitImportJob(t.db, pii, jobId, {
        batchRows: 1000,
        onProgress(done) {
          if (done >= 1000) throw new Error('killed')
        },
      }),
    ).rejects.toThrow('killed')
    expect(await playerCount()).toBe(before + 1000)
    const interrupted = await getImportJob(t.db, jobId)
    expect(interrupted).toMatchObject({ status: 'running', rows_done: 1000, last_row: 1001 })
    const resumed = await commitImportJob(t.db, pii, jobId, { batchRows: 1000 })
    expect(resumed).toMatchObject({ status: 'done', counts: { totalRows: 2500, inserted: 2500 } })
    expect(await playerCount()).toBe(before + 2500)
    const distinct = await t.db.selectFrom('market_players').select('uscc').where('name', 'like', '批量企业%').execute()
    expect(new Set(distinct.map((d) => d.uscc)).size).toBe(2500)
  })

  it('a commit written from a thread of its own stores what the server’s thread stores, and resumes after a crash without duplicating', async () => {
    const header = ['统一社会信用代码', '企业名称', '纳税信用等级', '联系电话']
    const file = await writeCsv(dir.path('writer.csv'), [header, ...Array.from({ length: 2300 }, (_, i) => [makeUscc(40_000 + i), `写入线程企业${i}`, 'A', `1380000${String(i).padStart(4, '0')}`])])
    const before = await playerCount()
    const jobId = await createImportJob(t.db, SYSTEM_ACTOR, { source: 'other', fileName: 'writer.csv', filePath: file, fileBytes: 1, orgUnitId: org.outletA1.id })
    expect((await previewImportJob(t.db, pii, jobId)).counts.inserted).toBe(2300)
    await queueImportJob(t.db, SYSTEM_ACTOR, jobId, { acceptBadCheck: false, mergeHouseholds: true })
    const progress: number[] = []
    await expect(
      commitImportJob(t.db, pii, jobId, {
        writerThread: true,
        batchRows: 1000,
        onProgress(done) {
          progress.push(done)
          if (done >= 1000) throw new Error('killed')
        },
      }),
    ).rejects.toThrow('killed')
    // The writer may have begun the next batch, or taken several into one transaction
    // while nobody waited (0381): what it left is what it committed, as the job says (on
    // SQLite its batches are at most 500 rows, 0581, committed a slice at a time, 0741).
    const interrupted = await getImportJob(t.db, jobId)
    expect(interrupted?.status).toBe('running')
    expect(interrupted!.rows_done).toBeGreaterThanOrEqual(1000)
    expect(interrupted!.rows_done).toBeLessThanOrEqual(2300)
    expect(interrupted!.last_row).toBe(interrupted!.rows_done + 1)
    expect(await playerCount()).toBe(before + interrupted!.rows_done)

    const resumed = await commitImportJob(t.db, pii, jobId, { writerThread: true, batchRows: 1000 })
    expect(resumed).toMatchObject({ status: 'done', counts: { totalRows: 2300, inserted: 2300, rejected: 0 } })
    expect(await playerCount()).toBe(before + 2300)
    const stored = await t.db.selectFrom('market_players').select(['uscc', 'phone_masked', 'phone_hash', 'name_initials', 'tax_grade']).where('name', 'like', '写入线程企业%').execute()
    expect(new Set(stored.map((p) => p.uscc)).size).toBe(2300)
    const sample = stored.find((p) => p.uscc === makeUscc(40_007))!
    expect(sample).toMatchObject({ phone_masked: '138****0007', phone_hash: pii.blindIndex('phone', '13800000007'), name_initials: 'xrxcqy7', tax_grade: 'A' })
  })

  it('finds a common piece of a name sorted by name, page after page, whichever index answers', async () => {
    const all = { kind: 'all' } as const
    const first = await listPlayers(t.db, { pii, scope: all }, { filter: { q: '批量企业' }, page: { sort: 'name' } })
    const second = await listPlayers(t.db, { pii, scope: all }, { filter: { q: '批量企业' }, page: { sort: 'name', cursor: first.nextCursor } })
    const names = [...first.rows, ...second.rows].map((r) => r.name)
    expect(names).toHaveLength(100)
    expect(names.every((n) => n.includes('批量企业'))).toBe(true)
    expect(names).toEqual([...names].sort())
    expect(new Set(names).size).toBe(100)
  })
})

describe('scope', () => {
  it('an officer sees only their own players; a manager of another branch sees none of these', async () => {
    const officer = await addUser(t.db, 'off.a1', 'officer', org.outletA1.id)
    const mill = await t.db.selectFrom('market_players').select('id').where('uscc', '=', makeUscc(1)).executeTakeFirstOrThrow()
    await t.db.updateTable('market_players').set({ assigned_officer_id: officer }).where('id', '=', mill.id).execute()
    const officerScope = scopeOf({ id: officer, role: 'officer', orgPath: org.outletA1.path })
    expect((await listPlayers(t.db, { pii, scope: officerScope }, { filter: {} })).rows.map((r) => r.id)).toEqual([mill.id])
    const otherManager = scopeOf({ id: 0, role: 'manager', orgPath: org.branchB.path })
    expect((await listPlayers(t.db, { pii, scope: otherManager }, { filter: {} })).rows).toEqual([])
    expect((await listPlayers(t.db, { pii, scope: otherManager }, { filter: { q: '金穗' } })).rows).toEqual([])
  })

  it('a manager of another branch cannot update these players by importing them', async () => {
    const file = await writeCsv(dir.path('other-branch.csv'), [['uscc', 'name', 'tax grade'], [makeUscc(1), '河南金穗面业有限公司', 'D']])
    const result = await importFile(file, { orgUnitId: org.outletB1.id })
    expect(result.commit).toMatchObject({ counts: { rejected: 1, updated: 0 } })
    expect(await rejections(result.jobId)).toEqual([{ row: 2, column: 'uscc', message: expect.stringMatching(/another org unit/) }])
  })
  it('matches a player without a code within the importing unit first; one only elsewhere is reported and left as it was', async () => {
    // A lead of branch B, and one of outlet A-1 under the same key (name and address), made later.
    const header = ['企业名称', '地址', '联系电话']
    const inB = await importFile(await writeCsv(dir.path('scope-b.csv'), [header, ['范围商行', '某县某路1号', '']]), { orgUnitId: org.outletB1.id, source: 'market' })
    expect(inB.commit).toMatchObject({ counts: { inserted: 1 } })
    const inA = await importFile(await writeCsv(dir.path('scope-a.csv'), [header, ['范围商行', '某县某路2号', '']]), { source: 'market' })
    const b = await t.db.selectFrom('market_players').select(['id', 'match_key', 'phone_masked']).where('import_job_id', '=', inB.jobId).executeTakeFirstOrThrow()
    await t.db.updateTable('market_players').set({ match_key: b.match_key, address: '某县某路1号' }).where('import_job_id', '=', inA.jobId).execute()
    const a = await t.db.selectFrom('market_players').select('id').where('import_job_id', '=', inA.jobId).executeTakeFirstOrThrow()
    expect(b.id).toBeLessThan(a.id)

    const update = await importFile(await writeCsv(dir.path('scope-a2.csv'), [header, ['范围商行', '某县某路1号', '13812340001']]), { source: 'market' })
    expect(update.commit).toMatchObject({ counts: { updated: 1, rejected: 0 } })
    expect((await t.db.selectFrom('market_players').select('phone_masked').where('id', '=', a.id).executeTakeFirstOrThrow()).phone_masked).toBe('138****0001')

    // B's own import updates B's; outlet A-2 holds neither: B's is found, reported, and not touched.
    const elsewhere = await importFile(await writeCsv(dir.path('scope-a3.csv'), [header, ['范围商行', '某县某路1号', '13812340002']]), { orgUnitId: org.outletB1.id, source: 'market' })
    expect(elsewhere.commit).toMatchObject({ counts: { updated: 1, rejected: 0 } })
    const fromA2 = await importFile(await writeCsv(dir.path('scope-a4.csv'), [header, ['范围商行', '某县某路1号', '13812340003']]), { orgUnitId: org.outletA2.id, source: 'market' })
    expect(fromA2.commit).toMatchObject({ counts: { updated: 0, rejected: 1 } })
    expect(await rejections(fromA2.jobId)).toEqual([{ row: 2, column: '企业名称', message: expect.stringMatching(/another org unit/) }])
    const after = await t.db.selectFrom('market_players').select(['id', 'phone_masked']).where('id', 'in', [a.id, b.id]).orderBy('id').execute()
    expect(after).toEqual([
      { id: b.id, phone_masked: '138****0002' },
      { id: a.id, phone_masked: '138****0001' },
    ])
  })
})

describe('the command line', () => {
  it('gives the same result as the browser path, as one JSON object, exit 0 with rejected rows', async () => {
    const fresh = await createTestDatabase()
    try {
      await buildOrg(fresh.db)
      // An unknown column too: listed on stdout, said on stderr, never dropped in silence.
      const rows = listRows(taxList()).map((cells, i) => [...cells, i === 0 ? '客户经理备注' : '备注'])
      const file = await writeCsv(dir.path('cli.csv'), rows, { encoding: 'gb18030' })
      const { stdout, stderr } = await runCli('app/cli/import.server.ts', ['--source', 'tax', '--org', 'A-1', file], {
        env: { ...process.env, DATABASE_URL: fresh.url, DATA_KEY: TEST_DATA_KEY, WANQI_SECRETS_FILE: dir.path('cli-secrets.json') },
        tsx: true,
      })
      const output = JSON.parse(stdout)
      expect(output).toEqual({
        inserted: 5,
        updated: 0,
        unchanged: 0,
        rejected: 2,
        warnings: 2,
        errors: [
          { row: 5, column: '统一社会信用代码', message: 'USCC check character should be L' },
          { row: 8, column: '企业名称', message: expect.any(String) },
        ],
        warningList: [
          { row: 6, column: '联系电话', message: expect.stringMatching(/\*{8}67 is neither/) },
          { row: 7, column: '注册日期', message: 'date 2023-02-30 does not exist' },
        ],
        unknownColumns: [{ column: columnLetter(rows[0].length), header: '客户经理备注' }],
      })
      expect(stderr).toMatch(/客户经理备注/)
      expect(stderr).toMatch(/rows done/)
      const names = await fresh.db.selectFrom('market_players').select('name').orderBy('id').execute()
      expect(names.map((n) => n.name)).toEqual(['河南金穗面业有限公司', '西华华盛商贸有限公司', '红花集王记面馆', '电话错误有限公司', '日期错误有限公司'])
    } finally {
      await fresh.destroy()
    }
  })

  it('prints pure JSON however long the warning list, progress on stderr', async () => {
    // 4,000 rows with three warnings each: about 1.5 MB of JSON, far beyond a pipe's 64 KB.
    const fresh = await createTestDatabase()
    try {
      await buildOrg(fresh.db)
      const rows = [['企业名称', '联系电话', '注册日期', '纳税信用等级'], ...Array.from({ length: 4000 }, (_, i) => [`警告${i}号商贸有限公司`, '12345', '2023-02-30', 'Q'])]
      const file = await writeCsv(dir.path('warnings.csv'), rows)
      const { stdout, stderr } = await runCli('app/cli/import.server.ts', ['--source', 'market', '--org', 'A-1', file], {
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, DATABASE_URL: fresh.url, DATA_KEY: TEST_DATA_KEY, WANQI_SECRETS_FILE: dir.path('cli-secrets.json') },
      })
      expect(stdout.length).toBeGreaterThan(1_000_000)
      const output = JSON.parse(stdout) as { inserted: number; warnings: number; errors: unknown[]; warningList: { row: number; column: string }[] }
      expect(output).toMatchObject({ inserted: 4000, warnings: 4000, errors: [] })
      expect(output.warningList).toHaveLength(12_000)
      expect(output.warningList.slice(0, 3).map((w) => [w.row, w.column])).toEqual([[2, '联系电话'], [2, '注册日期'], [2, '纳税信用等级']])
      expect(output.warningList.at(-1)).toMatchObject({ row: 4001, column: '纳税信用等级' })
      expect(stderr).toMatch(/4,000 rows done/)
    } finally {
      await fresh.destroy()
    }
  })

  it('exits non-zero when the file cannot be read', async () => {
    const file = dir.path('empty.csv')
    await import('node:fs/promises').then((fs) => fs.writeFile(file, ''))
    const run = runCli('app/cli/import.server.ts', ['--source', 'tax', file], {
      env: { ...process.env, DATABASE_URL: t.url, DATA_KEY: TEST_DATA_KEY, WANQI_SECRETS_FILE: dir.path('cli-secrets.json') },
    })
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/empty/i) })
  })
})
