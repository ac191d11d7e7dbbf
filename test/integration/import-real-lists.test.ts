// Real lists as banks receive them (issue 21), end to end on a real database: name-only
// contact lists, registry status wordings, title rows above a merged header, .xls, mixed
// line endings, rows wider than their header, leads matched but never merged in silence.
import path from 'node:path'
import { copyFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { resolveLeadMatch } from '../../app/services/resolve-lead-match.server'
import { translator } from '../../app/i18n/index'
import { commitImportJob, createImportJob, listImportIssues, previewImportJob, queueImportJob } from '../../app/services/import/import-jobs.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { buildOrg } from '../support/fixtures'
import { makeUscc } from '../support/lists'
import { realList } from '../support/real-lists'
import { makeTempDir, writeCsv, writeText, type TempDir } from '../support/spreadsheets'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const en = translator('en')
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let dir: TempDir

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  dir = await makeTempDir('wanqi-real-lists-')
})
afterAll(async () => {
  await t.destroy()
  await dir.remove()
})

async function importFile(file: string, options: { acceptBadCheck?: boolean; orgUnitId?: number } = {}) {
  const jobId = await createImportJob(t.db, SYSTEM_ACTOR, { source: 'market', fileName: path.basename(file), filePath: file, fileBytes: 1, orgUnitId: options.orgUnitId ?? org.outletA1.id })
  const preview = await previewImportJob(t.db, pii, jobId)
  if (preview.status !== 'previewed') throw new Error(`not previewed: ${JSON.stringify(preview)}`)
  await queueImportJob(t.db, SYSTEM_ACTOR, jobId, { acceptBadCheck: options.acceptBadCheck ?? false, mergeHouseholds: true })
  const commit = await commitImportJob(t.db, pii, jobId)
  if (commit.status !== 'done') throw new Error(`not done: ${JSON.stringify(commit)}`)
  return { jobId, preview, commit }
}

async function issues(jobId: number, severity: 'rejected' | 'warning' | 'match') {
  return (await listImportIssues(t.db, jobId, severity, 1000)).flatMap((r) => r.problems.map((p) => ({ row: r.row, column: p.column, message: en(p.message.key, p.message.params) })))
}

/** A real file, copied so the runner may delete it. */
async function real(name: string) {
  await copyFile(realList(name), dir.path(name))
  return dir.path(name)
}

describe('real lists', () => {
  it('imports a name-only contact list as leads to verify, landlines kept as phones, unknown columns reported', async () => {
    const { commit } = await importFile(await real('qicc_company580.csv'))
    expect(commit.counts).toMatchObject({ totalRows: 580, inserted: 580, rejected: 0 })
    expect(commit.unknown.map((u) => u.header)).toEqual(['邮箱', '索引'])
    const first = await t.db.selectFrom('market_players').selectAll().where('name', '=', '深圳市润点创新科技有限公司').executeTakeFirstOrThrow()
    expect(first).toMatchObject({ kind: 'enterprise', uscc: null, lead_to_verify: 1, legal_representative: '刘克之', phone_masked: '0755-*****353' })
    expect(first.phone_enc).not.toContain('23484353')
  })

  it('reads the registry status wordings; a bad area code is blanked with a warning, the row kept', async () => {
    const { jobId, commit } = await importFile(await real('henan2012_status_date_area_variants.csv'))
    expect(commit.counts).toMatchObject({ totalRows: 12, inserted: 12, rejected: 0 })
    const rows = await t.db.selectFrom('market_players').select(['uscc', 'registration_status', 'registered_on', 'area_code']).where('import_job_id', '=', jobId).orderBy('id').execute()
    expect(rows.map((r) => r.registration_status)).toEqual([
      'active', 'active', 'active', 'active', 'deregistered', 'deregistered', 'deregistered', 'moved_out', 'deregistered', 'suspended', 'in_liquidation', 'active',
    ])
    expect(new Set(rows.map((r) => r.registered_on))).toEqual(new Set(['2012-02-17']))
    const warned = await issues(jobId, 'warning')
    expect(warned.filter((w) => w.column === '行政区划代码').map((w) => w.row)).toEqual([6, 7])
  })

  it('skips the title row of an XLSX with a merged two-level header, and says so', async () => {
    const { jobId, preview, commit } = await importFile(await real('q1_title_merged.xlsx'))
    // The title row is a row with a warning: counted as one, as listed.
    expect(preview.counts).toMatchObject({ rejected: 0, warnings: 1 })
    expect(commit.counts).toMatchObject({ rejected: 0, warnings: 1 })
    expect(commit.counts.inserted).toBeGreaterThan(10)
    const first = await t.db.selectFrom('market_players').selectAll().where('uscc', '=', '91410100589720210N').executeTakeFirstOrThrow()
    expect(first).toMatchObject({ name: '郑州倾城之帘装饰材料有限公司', registered_on: '2012-01-14', legal_representative: '吴两两' })
    expect((await issues(jobId, 'warning'))[0]).toEqual({ row: 1, column: '', message: expect.stringMatching(/XX县小微企业名单（2026年）.*row 2/) })
  })

  it('imports an Excel 97–2003 list', async () => {
    const { commit } = await importFile(await real('q2_xls.xls'))
    expect(commit.counts).toMatchObject({ rejected: 0 })
    expect(commit.counts.inserted).toBeGreaterThan(10)
    const mill = await t.db.selectFrom('market_players').selectAll().where('uscc', '=', '9141102558971630X7').executeTakeFirstOrThrow()
    expect(mill).toMatchObject({ name: '襄城县绿如蓝园林有限公司', registered_on: '2012-01-18', kind: 'enterprise' })
  })
})

describe('no row lost in silence', () => {
  it('reads every row of a CSV whose header ends CRLF and rows LF, and warns of cells beyond the header', async () => {
    const file = await writeText(
      dir.path('mixed.csv'),
      `企业名称,统一社会信用代码,地址\r\n混合一公司,${makeUscc(7001)},甲地\n混合二公司,${makeUscc(7002)},乙地,多出来的,还有\n混合三公司,${makeUscc(7003)},丙地\n`,
    )
    const { jobId, commit } = await importFile(file)
    expect(commit.counts).toMatchObject({ totalRows: 3, inserted: 3, rejected: 0, warnings: 1 })
    // The preview's rows carry the same warning as the commit.
    const { preview } = await t.db.selectFrom('import_jobs').select('preview').where('id', '=', jobId).executeTakeFirstOrThrow()
    const shown = JSON.parse(preview!) as { rows: { row: number; problems: { message: { key: string } }[] }[] }
    expect(shown.rows.map((r) => [r.row, r.problems.map((p) => p.message.key)])).toEqual([[2, []], [3, ['row.extraCells']], [4, []]])
    expect(await issues(jobId, 'warning')).toEqual([{ row: 3, column: 'D–E', message: expect.stringMatching(/2 cell.*多出来的 \| 还有/) }])
    const stored = await t.db.selectFrom('market_players').select(['name', 'address']).where('import_job_id', '=', jobId).orderBy('id').execute()
    expect(stored).toEqual([
      { name: '混合一公司', address: '甲地' },
      { name: '混合二公司', address: '乙地' },
      { name: '混合三公司', address: '丙地' },
    ])
  })

  it('refuses a USCC that lost its last digits as a number, with the fix, even when bad check characters are accepted', async () => {
    const file = await writeCsv(dir.path('lost.csv'), [
      ['企业名称', '统一社会信用代码'],
      ['丢位公司', '914101815897281000'],
      ['科学计数公司', '9.14101815897281E+17'],
    ])
    const { jobId, commit } = await importFile(file, { acceptBadCheck: true })
    expect(commit.counts).toMatchObject({ inserted: 0, rejected: 2 })
    expect(await issues(jobId, 'rejected')).toEqual([
      { row: 2, column: '统一社会信用代码', message: expect.stringMatching(/lost its last digits; format the column as text/) },
      { row: 3, column: '统一社会信用代码', message: expect.stringMatching(/lost its last digits/) },
    ])
  })
})

describe('leads to verify', () => {
  it('matches a lead by name and address on a second import, and never merges it into a player with a code', async () => {
    const coded = await importFile(await writeCsv(dir.path('coded.csv'), [['企业名称', '统一社会信用代码'], ['线索匹配有限公司', makeUscc(7100)]]))
    expect(coded.commit.counts.inserted).toBe(1)
    const codedId = (await t.db.selectFrom('market_players').select('id').where('uscc', '=', makeUscc(7100)).executeTakeFirstOrThrow()).id

    const leadFile = await writeCsv(dir.path('lead.csv'), [['公司', '企业地址', '电话'], ['线索匹配有限公司', '某县人民路 1 号', '0572-6029388']])
    const lead = await importFile(leadFile)
    expect(lead.commit.counts).toMatchObject({ inserted: 1, updated: 0, matches: 1 })
    const matches = await listImportIssues(t.db, lead.jobId, 'match')
    expect(matches.map((m) => m.playerId)).toEqual([codedId])
    const stored = await t.db.selectFrom('market_players').selectAll().where('name', '=', '线索匹配有限公司').orderBy('id').execute()
    expect(stored).toHaveLength(2)
    expect(stored[0]).toMatchObject({ uscc: makeUscc(7100), phone_masked: null, lead_to_verify: 0 })
    expect(stored[1]).toMatchObject({ uscc: null, lead_to_verify: 1, lead_match_id: codedId, phone_masked: '0572-****388' })

    // The same lead again, its address spaced differently: the lead is updated, not duplicated.
    const again = await importFile(await writeCsv(dir.path('lead2.csv'), [['公司', '企业地址', '纳税缴费信用等级'], ['线索匹配有限公司', '某县人民路1号', 'B']]))
    expect(again.commit.counts).toMatchObject({ inserted: 0, updated: 1 })
    const lead2 = await t.db.selectFrom('market_players').selectAll().where('id', '=', stored[1].id).executeTakeFirstOrThrow()
    expect(lead2).toMatchObject({ tax_grade: 'B', uscc: null })
  })

  it("folds a lead into the coded player only on a manager's word, filling blanks, audited; or keeps them apart", async () => {
    const bank = { kind: 'all' } as const
    await importFile(await writeCsv(dir.path('coded2.csv'), [['企业名称', '统一社会信用代码', '法定代表人'], ['确认合并有限公司', makeUscc(7200), '原法人']]))
    const codedId = (await t.db.selectFrom('market_players').select('id').where('uscc', '=', makeUscc(7200)).executeTakeFirstOrThrow()).id
    await importFile(await writeCsv(dir.path('lead3.csv'), [['公司', '法人', '企业地址', '电话'], ['确认合并有限公司', '线索法人', '新地址 8 号', '0572-6029388']]))
    await importFile(await writeCsv(dir.path('lead4.csv'), [['公司', '企业地址'], ['确认合并有限公司', '另一个地址']]))
    const leads = await t.db.selectFrom('market_players').selectAll().where('name', '=', '确认合并有限公司').where('uscc', 'is', null).orderBy('id').execute()
    expect(leads.map((l) => l.lead_match_id)).toEqual([codedId, codedId])

    await resolveLeadMatch(t.db, { actor: SYSTEM_ACTOR, scope: bank }, { leadId: leads[1].id, same: false })
    expect(await t.db.selectFrom('market_players').select('lead_match_id').where('id', '=', leads[1].id).executeTakeFirstOrThrow()).toEqual({ lead_match_id: null })

    const { playerId } = await resolveLeadMatch(t.db, { actor: SYSTEM_ACTOR, scope: bank }, { leadId: leads[0].id, same: true })
    expect(playerId).toBe(codedId)
    expect(await t.db.selectFrom('market_players').select('id').where('id', '=', leads[0].id).executeTakeFirst()).toBeUndefined()
    const coded = await t.db.selectFrom('market_players').selectAll().where('id', '=', codedId).executeTakeFirstOrThrow()
    // The coded player's own facts win; the lead only fills what it lacked.
    expect(coded).toMatchObject({ legal_representative: '原法人', address: '新地址 8 号', phone_masked: '0572-****388' })
    const audit = await t.db.selectFrom('audit_log').select(['action', 'entity_id']).where('action', 'like', 'player.leadMatch%').orderBy('id').execute()
    expect(audit).toEqual([
      { action: 'player.leadMatchDismissed', entity_id: String(leads[1].id) },
      { action: 'player.leadMatchConfirmed', entity_id: String(codedId) },
    ])
    await expect(resolveLeadMatch(t.db, { actor: SYSTEM_ACTOR, scope: bank }, { leadId: leads[1].id, same: true })).rejects.toMatchObject({ messageKey: 'error.notFound' })
  })
})
