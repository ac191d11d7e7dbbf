// The import pages over real HTTP for lists as they arrive (issue 21): any file name
// uploads, the preview shows columns with samples and the first rows as they will be
// stored, ticking "accept bad check characters" previews again, and the rejected rows'
// download is masked unless unmasked by a role that may (audited).
import { describe, expect, it } from 'vitest'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { runOnce } from '../../app/services/import/import-runner.server'
import type { TestDatabase } from '../support/test-db'
import { routeSuite } from '../support/route-suite'
import { type Client, TEST_DATA_KEY, testConfig } from '../support/test-server'
import { addUser, buildOrg } from '../support/fixtures'
import { csvText } from '../support/spreadsheets'
import { makeUscc } from '../support/lists'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>

const suite = routeSuite(async (db) => {
  t = db
  org = await buildOrg(t.db)
  await addUser(t.db, 'mgr.a', 'manager', org.outletA1.id)
})

const signedIn = (username: string) => suite.signedIn(username)

function upload(client: Client, name: string, text: string) {
  const form = new FormData()
  form.set('source', 'market')
  form.set('file', new Blob([Buffer.from(text, 'utf8')]), name)
  return client.request('/imports', { method: 'POST', body: form })
}

const runJobs = () => runOnce(t.db, pii, 'test-runner', { uploadDir: testConfig().uploadDir })

describe('file names', () => {
  it.each(['名单=2024.csv', 'a;b.csv', '"quoted".csv', `${'很长的名单'.repeat(60)}.csv`, "it's.csv"])('uploads %s', async (name) => {
    const manager = await signedIn('mgr.a')
    const response = await upload(manager, name, '企业名称\r\n某公司\r\n')
    expect(response.status).toBe(302)
    const id = Number(response.headers.get('Location')!.split('/').pop())
    const job = await t.db.selectFrom('import_jobs').select('file_name').where('id', '=', id).executeTakeFirstOrThrow()
    expect(name.startsWith(job.file_name.slice(0, 50))).toBe(true)
  })

  it('uploads a file sent without a name', async () => {
    const manager = await signedIn('mgr.a')
    const response = await upload(manager, '', '企业名称\r\n某公司\r\n')
    expect(response.status).toBe(302)
  })
})

describe('a refused upload', () => {
  // Issue 23 item 3: each refusal is beside the field it is about, summed up at the button,
  // and what was chosen stays chosen.
  it('names the field: the channel\'s list name, with the choices kept', async () => {
    const manager = await signedIn('mgr.a')
    const form = new FormData()
    form.set('source', 'tax')
    form.set('channel', 'working_group')
    form.set('channelDate', '2026-11-02')
    form.set('file', new Blob([Buffer.from('企业名称\r\n某公司\r\n', 'utf8')]), 'list.csv')
    const response = await manager.request('/imports', { method: 'POST', body: form })
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toMatch(/<input[^>]*aria-invalid="true"[^>]*name="channelGroup"|<input[^>]*name="channelGroup"[^>]*aria-invalid="true"/)
    expect(html).toContain('data-testid="form-error-summary"')
    expect(html).toMatch(/<option value="tax" selected=""/)
    expect(html).toContain('value="2026-11-02"')
    expect(await t.db.selectFrom('import_jobs').select('id').where('source', '=', 'tax').execute()).toEqual([])
  })

  it('names the file when none was chosen', async () => {
    const manager = await signedIn('mgr.a')
    const form = new FormData()
    form.set('source', 'market')
    form.set('file', new Blob([]), 'empty.csv')
    const response = await manager.request('/imports', { method: 'POST', body: form })
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toMatch(/<input[^>]*id="file"[^>]*aria-invalid="true"/)
    expect(html).toContain('id="file-error"')
  })
})

describe('the file pickers', () => {
  // Issue 21: the picker greyed out .xls, still the commonest format from government offices.
  it.each(['/imports', '/imports/history'])('%s offers XLS and WPS files beside CSV and XLSX', async (page) => {
    const html = await (await (await signedIn('mgr.a')).get(page)).text()
    const accept = /type="file"[^>]*accept="([^"]*)"|accept="([^"]*)"[^>]*type="file"/.exec(html)
    expect((accept?.[1] ?? accept?.[2] ?? '').split(',')).toEqual(expect.arrayContaining(['.csv', '.xlsx', '.xls', '.et', 'application/vnd.ms-excel']))
  })
})

describe('the preview page', () => {
  it('shows unknown columns with samples, the first rows as stored, and previews again when bad check characters are accepted', async () => {
    const manager = await signedIn('mgr.a')
    const csv = csvText([
      ['公司', '统一社会信用代码', '电话', '客户经理备注'],
      ['预览甲公司', makeUscc(8001), '0572-6029388', '老客户'],
      ['预览乙公司', '91110000600037341N', '13812345678', ''],
    ])
    const response = await upload(manager, 'preview.csv', csv)
    const jobPath = response.headers.get('Location')!
    await runJobs()
    const html = await (await manager.get(jobPath)).text()
    expect(html).toContain('客户经理备注')
    expect(html).toContain('未识别：不读取')
    expect(html).toContain('老客户')
    expect(html).toContain('0572-****388')
    expect(html).not.toContain('6029388')
    expect(html).toMatch(/data-testid="preview-row-2"[\s\S]*预览甲公司/)
    expect(html).toMatch(/data-testid="preview-row-3"[\s\S]*拒收/)
    // Stored fields under their Chinese labels, codes in words: never the database's names.
    expect(html).toMatch(/<th>名称<\/th><th>统一社会信用代码<\/th><th>主体类型<\/th>[\s\S]*<th>联系电话<\/th>[\s\S]*<th>企业规模<\/th>/)
    expect(html).toMatch(/data-testid="preview-row-2"[^>]*>(?:(?!<\/tr>)[\s\S])*<td>企业<\/td>/)
    expect(html).not.toMatch(/<th>(name|uscc|kind|phone_masked|size_class|area_basis)<\/th>|<td>enterprise<\/td>/)

    expect((await manager.post(jobPath, { intent: 'options', acceptBadCheck: '1' })).status).toBe(200)
    await runJobs()
    const again = await (await manager.get(jobPath)).text()
    expect(again).toMatch(/data-testid="preview-row-3"[\s\S]*预览乙公司/)
    const job = await t.db.selectFrom('import_jobs').selectAll().where('id', '=', Number(jobPath.split('/').pop())).executeTakeFirstOrThrow()
    expect(job).toMatchObject({ status: 'previewed', accept_bad_check: 1, rejected: 0 })
  })
})

describe('rejected rows', () => {
  it('are kept encrypted, downloaded masked, and in clear only when unmasked, with an audit entry', async () => {
    const manager = await signedIn('mgr.a')
    const csv = csvText([
      ['企业名称', '统一社会信用代码', '联系电话', '身份证号'],
      ['拒收公司', '91110000600037341N', '13912345678', '11010519491231002X'],
    ])
    const jobPath = (await upload(manager, 'rejected.csv', csv)).headers.get('Location')!
    await runJobs()
    const stored = await t.db.selectFrom('import_issues').selectAll().where('job_id', '=', Number(jobPath.split('/').pop())).where('severity', '=', 'rejected').execute()
    expect(stored).toHaveLength(1)
    expect(stored[0].cells).not.toContain('13912345678')
    expect(stored[0].cells).not.toContain('11010519491231002X')
    expect(stored[0].cells_enc).not.toContain('13912345678')

    const masked = await (await manager.get(`${jobPath}/rejected.csv`)).text()
    expect(masked).toContain('139****5678')
    expect(masked).not.toContain('13912345678')
    expect(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'import.rejected.unmask').execute()).toHaveLength(0)

    const clear = await (await manager.get(`${jobPath}/rejected.csv?unmask=1`)).text()
    expect(clear).toContain('13912345678')
    expect(clear).toContain('11010519491231002X')
    expect(await t.db.selectFrom('audit_log').select('actor_username').where('action', '=', 'import.rejected.unmask').execute()).toEqual([{ actor_username: 'mgr.a' }])
  })
})

describe('mapping an unknown header in the preview', () => {
  it('shows sample values of unknown columns when the name is missing, and reads the list once a field is chosen', async () => {
    const manager = await signedIn('mgr.a')
    const csv = csvText([
      ['商号', '统一社会信用代码'],
      ['映射甲公司', makeUscc(8101)],
    ])
    const jobPath = (await upload(manager, 'unmapped.csv', csv)).headers.get('Location')!
    await runJobs()
    const html = await (await manager.get(jobPath)).text()
    expect(html).toMatch(/data-testid="column-A"[\s\S]*?商号[\s\S]*?映射甲公司/)
    expect((await manager.post(jobPath, { intent: 'mapping', 'column-0': 'name' })).status).toBe(200)
    await runJobs()
    const again = await (await manager.get(jobPath)).text()
    expect(again).toContain('本机构此前的选择')
    expect(again).toMatch(/data-testid="preview-row-2"[\s\S]*映射甲公司/)

    // Forgotten from the same page: the list asks again, and the audit log says who reset what.
    expect((await manager.post(jobPath, { intent: 'mapping', 'column-0': 'name', 'reset-0': '1' })).status).toBe(200)
    await runJobs()
    const job = await t.db.selectFrom('import_jobs').select('status').where('id', '=', Number(jobPath.split('/').pop())).executeTakeFirstOrThrow()
    expect(job.status).toBe('needs_mapping')
    expect(await t.db.selectFrom('import_mappings').select('header').where('header', '=', '商号').execute()).toEqual([])
    const audit = await t.db.selectFrom('audit_log').select(['actor_username', 'detail']).where('action', '=', 'import.mapping').orderBy('id').execute()
    expect(audit.map((a) => [a.actor_username, JSON.parse(a.detail ?? '{}').reset])).toEqual([['mgr.a', []], ['mgr.a', ['商号']]])
  })
})

