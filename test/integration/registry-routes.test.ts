// The registry and import pages over real HTTP: upload, background preview and commit,
// list and detail, create and edit by hand, unmask, and who may do what.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { runOnce } from '../../app/services/import/import-runner.server'
import type { TestDatabase } from '../support/test-db'
import { routeSuite } from '../support/route-suite'
import { type Client, TEST_DATA_KEY, testConfig } from '../support/test-server'
import { addUser, buildOrg } from '../support/fixtures'
import { csvText, encodeText } from '../support/spreadsheets'
import { listRows, makeUscc, taxList } from '../support/lists'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let officerA: number

const suite = routeSuite(async (db) => {
  t = db
  org = await buildOrg(t.db)
  await addUser(t.db, 'mgr.a', 'manager', org.outletA1.id)
  await addUser(t.db, 'mgr.b', 'manager', org.outletB1.id)
  officerA = await addUser(t.db, 'off.a', 'officer', org.outletA1.id)
  await addUser(t.db, 'analyst', 'hq', org.hq.id)
})

const signedIn = (username: string) => suite.signedIn(username)

function upload(client: Client, source: string, name: string, bytes: Buffer) {
  const form = new FormData()
  form.set('source', source)
  form.set('file', new Blob([new Uint8Array(bytes)]), name)
  return client.request('/imports', { method: 'POST', body: form })
}

describe('importing through the pages', () => {
  let jobPath: string

  it('uploads a GB18030 list and previews it in the background, with each rejection shown', async () => {
    const manager = await signedIn('mgr.a')
    const response = await upload(manager, 'tax', '纳税人名单.csv', encodeText(csvText(listRows(taxList())), 'gb18030'))
    expect(response.status).toBe(302)
    jobPath = response.headers.get('Location')!
    expect(jobPath).toMatch(/^\/imports\/\d+$/)
    await runOnce(t.db, pii, 'test-runner', { uploadDir: testConfig().uploadDir })
    const html = await (await manager.get(jobPath)).text()
    expect(html).toContain('预览（尚未写入）')
    expect(html).toContain('纳税人名单.csv')
    expect(html).toContain('统一社会信用代码校验位应为 L')
    expect(html).toContain('日期 2023-02-30 不存在')
    expect(await t.db.selectFrom('market_players').select('id').execute()).toHaveLength(0)
  })

  it('commits on the manager’s word, and the players are found in the list', async () => {
    const manager = await signedIn('mgr.a')
    expect((await manager.post(jobPath, { intent: 'commit', mergeHouseholds: '1' })).status).toBe(200)
    await runOnce(t.db, pii, 'test-runner', { uploadDir: testConfig().uploadDir })
    const html = await (await manager.get(jobPath)).text()
    expect(html).toContain('导入结果')
    // The uploaded list held phone numbers in clear: it is gone once the job is done.
    const job = await t.db.selectFrom('import_jobs').select('file_path').where('id', '=', Number(jobPath.split('/').pop())).executeTakeFirstOrThrow()
    expect(fs.existsSync(job.file_path)).toBe(false)
    const list = await (await manager.get('/players?q=hnmy')).text()
    expect(list).toContain('河南金穗面业有限公司')
    expect(list).toContain('138****5678')
    expect(list).not.toContain('13812345678')
  })

  it('offers the rejected rows as a CSV with a reason column, in UTF-8 with a BOM', async () => {
    const manager = await signedIn('mgr.a')
    const response = await manager.get(`${jobPath}/rejected.csv`)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toContain('text/csv')
    const bytes = Buffer.from(await response.arrayBuffer())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    const lines = text.trim().split('\r\n')
    // Two rows refused for their identity; a bad phone or date only blanks a value (issue 21).
    expect(lines).toHaveLength(3)
    expect(lines[0]).toContain('原因')
    expect(lines[1]).toMatch(/^5,91110000600037341N,校验位错误有限公司/)
    expect(lines[1]).toContain('统一社会信用代码校验位应为 L')
  })

  it('refuses an empty file and a file over the limit with a clear message, creating no job', async () => {
    const manager = await signedIn('mgr.a')
    const before = await t.db.selectFrom('import_jobs').select('id').execute()
    const empty = await upload(manager, 'tax', 'empty.csv', Buffer.alloc(0))
    expect(empty.status).toBe(400)
    expect(await empty.text()).toContain('文件是空的')
    expect(await t.db.selectFrom('import_jobs').select('id').execute()).toHaveLength(before.length)
  })

  it('keeps another branch’s manager and officers out of the job', async () => {
    const other = await signedIn('mgr.b')
    expect((await other.get(jobPath)).status).toBe(404)
    expect((await other.get(`${jobPath}/rejected.csv`)).status).toBe(404)
    const officer = await signedIn('off.a')
    expect((await officer.get('/imports')).status).toBe(403)
    expect((await upload(officer, 'tax', 'x.csv', Buffer.from('name\nx\n'))).status).toBe(403)
  })
})

describe('players by hand', () => {
  it('creates a player with the same validation as an import, errors by the field', async () => {
    const manager = await signedIn('mgr.a')
    const bad = await manager.post('/players/new', { name: '手工录入有限公司', kind: 'enterprise', uscc: '91110000600037341N', phone: '12345' })
    expect(bad.status).toBe(400)
    const html = await bad.text()
    expect(html).toContain('统一社会信用代码校验位应为 L')
    expect(html).toMatch(/aria-invalid="true"[^>]*name="phone"|name="phone"[^>]*aria-invalid="true"/)
    const good = await manager.post('/players/new', { name: '手工录入有限公司', kind: 'enterprise', uscc: makeUscc(900), industry: 'F', employees: '12', revenue: '150', phone: '13700001234' })
    expect(good.status).toBe(302)
    const id = Number(good.headers.get('Location')!.split('/').pop())
    const row = await t.db.selectFrom('market_players').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ org_unit_id: org.outletA1.id, source: 'manual', size_class: 'small', phone_masked: '137****1234' })
  })

  it('edits keep what is left blank, and overriding the size class needs a reason', async () => {
    const manager = await signedIn('mgr.a')
    const row = await t.db.selectFrom('market_players').select(['id']).where('uscc', '=', makeUscc(900)).executeTakeFirstOrThrow()
    const edited = await manager.post(`/players/${row.id}/edit`, { name: '手工录入有限公司', kind: 'enterprise', uscc: makeUscc(900), employees: '8' })
    expect(edited.status).toBe(302)
    const after = await t.db.selectFrom('market_players').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()
    expect(after).toMatchObject({ employees: 8, industry: 'F', phone_masked: '137****1234', size_class: 'micro' })
    expect((await manager.post(`/players/${row.id}`, { intent: 'override', sizeClass: 'small', reason: '' })).status).toBe(400)
    expect((await manager.post(`/players/${row.id}`, { intent: 'override', sizeClass: 'small', reason: '年报显示员工 12 人' })).status).toBe(200)
    const overridden = await t.db.selectFrom('market_players').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()
    expect(overridden).toMatchObject({ size_class: 'small', size_class_computed: 'micro', size_class_override_reason: '年报显示员工 12 人' })
  })

  it('unmasks for a manager (audited), not for an officer or hq', async () => {
    const row = await t.db.selectFrom('market_players').select(['id']).where('uscc', '=', makeUscc(900)).executeTakeFirstOrThrow()
    await t.db.updateTable('market_players').set({ assigned_officer_id: officerA }).where('id', '=', row.id).execute()
    const manager = await signedIn('mgr.a')
    const shown = await (await manager.post(`/players/${row.id}`, { intent: 'unmask' })).text()
    expect(shown).toContain('13700001234')
    const officer = await signedIn('off.a')
    expect((await officer.get(`/players/${row.id}`)).status).toBe(200)
    expect((await officer.post(`/players/${row.id}`, { intent: 'unmask' })).status).toBe(403)
    const hq = await signedIn('analyst')
    expect((await hq.post(`/players/${row.id}`, { intent: 'unmask' })).status).toBe(403)
    expect((await hq.get('/players/new')).status).toBe(403)
    const audit = await t.db.selectFrom('audit_log').select(['actor_username']).where('action', '=', 'player.unmask').execute()
    expect(audit.map((a) => a.actor_username)).toEqual(['mgr.a'])
  })

  it('a player outside the scope is not found, by list or by id', async () => {
    const other = await signedIn('mgr.b')
    const row = await t.db.selectFrom('market_players').select(['id']).where('uscc', '=', makeUscc(900)).executeTakeFirstOrThrow()
    expect((await other.get(`/players/${row.id}`)).status).toBe(404)
    expect((await other.get(`/players/${row.id}/edit`)).status).toBe(404)
    expect((await other.post(`/players/${row.id}`, { intent: 'unmask' })).status).toBe(404)
    expect(await (await other.get('/players?q=手工录入')).text()).not.toContain('手工录入有限公司')
  })

  it('pages by keyset cursor without repeating or skipping a player', async () => {
    const manager = await signedIn('mgr.a')
    const seen: string[] = []
    let url = '/players?sort=name'
    for (let i = 0; i < 10 && url; i++) {
      const html = await (await manager.get(url)).text()
      seen.push(...[...html.matchAll(/href="\/players\/(\d+)"/g)].map((m) => m[1]))
      const next = html.match(/href="(\?[^"]*cursor=[^"]*)" rel="next"/)
      url = next ? `/players${next[1].replace(/&amp;/g, '&')}` : ''
    }
    const total = await t.db.selectFrom('market_players').select('id').where('org_unit_id', '=', org.outletA1.id).execute()
    expect(seen.sort()).toEqual(total.map((r) => String(r.id)).sort())
    expect((await manager.get('/players?cursor=garbage')).status).toBe(400)
  })
})
