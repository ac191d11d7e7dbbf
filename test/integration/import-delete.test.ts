// Deleting an import job (PRODUCT.md: personal data in an import's errors is "gone with the
// job"): its file, preview, rejected cells, warnings and matches go, audited; the players it
// brought stay. Within scope only, never while a runner works on it; and over real HTTP,
// behind a ticked confirmation.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../app/services/audit.server'
import { deleteImportJob } from '../../app/services/import/delete-import-job.server'
import { commitImportJob, createImportJob, previewImportJob, queueImportJob } from '../../app/services/import/import-jobs.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import type { Scope } from '../../app/domain/scope'
import { PASSWORD, addUser, buildOrg } from '../support/fixtures'
import { makeUscc } from '../support/lists'
import { csvText, makeTempDir, type TempDir } from '../support/spreadsheets'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, testConfig, type TestServer } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let server: TestServer
let outside: TempDir
const uploadDir = testConfig().uploadDir
const manager: Actor = { id: null, username: 'mgr.delete', ip: null }

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  await addUser(t.db, 'mgr.del', 'manager', org.outletA1.id)
  await addUser(t.db, 'mgr.other', 'manager', org.outletB1.id)
  outside = await makeTempDir('wanqi-delete-')
  fs.mkdirSync(uploadDir, { recursive: true })
  server = await startTestServer(t)
})
afterAll(async () => {
  await server.close()
  await t.destroy()
  await outside.remove()
})

async function scopeOf(unitId: number): Promise<Scope> {
  const unit = await t.db.selectFrom('org_units').select('path').where('id', '=', unitId).executeTakeFirstOrThrow()
  return { kind: 'org', orgPath: unit.path }
}

/** A list with one good row, one rejected row holding a phone and an ID number, and a warning. */
function listText(seed: number) {
  return csvText([
    ['企业名称', '统一社会信用代码', '联系电话', '身份证号', '成立日期'],
    [`删除甲公司${seed}`, makeUscc(9000 + seed), '13812345678', '', '2023年13月40日'],
    [`删除乙公司${seed}`, '91110000600037341N', '13912345678', '11010519491231002X', ''],
  ])
}

/** A committed job whose file sits where the server keeps uploads (or elsewhere, as the CLI's). */
async function committedJob(seed: number, options: { inUploads?: boolean; orgUnitId?: number; text?: string } = {}) {
  const file = path.join(options.inUploads === false ? outside.dir : uploadDir, `delete-${seed}-${Date.now()}.upload`)
  fs.writeFileSync(file, options.text ?? listText(seed))
  const jobId = await createImportJob(t.db, manager, { source: 'market', fileName: 'list.csv', filePath: file, fileBytes: 1, orgUnitId: options.orgUnitId ?? org.outletA1.id })
  expect((await previewImportJob(t.db, pii, jobId)).status).toBe('previewed')
  await queueImportJob(t.db, manager, jobId, { acceptBadCheck: false, mergeHouseholds: true })
  expect((await commitImportJob(t.db, pii, jobId)).status).toBe('done')
  return { jobId, file }
}

const issuesOf = (jobId: number) => t.db.selectFrom('import_issues').select(['severity', 'cells_enc']).where('job_id', '=', jobId).execute()

describe('deleteImportJob', () => {
  it('removes the file, the preview and every row error with its cells; keeps the players, unlinked; audited', async () => {
    const { jobId, file } = await committedJob(1)
    const before = await issuesOf(jobId)
    expect(before.map((i) => i.severity).sort()).toEqual(['rejected', 'warning'])
    expect(before.find((i) => i.severity === 'rejected')!.cells_enc).not.toBeNull()
    const player = await t.db.selectFrom('market_players').select('id').where('import_job_id', '=', jobId).executeTakeFirstOrThrow()
    // A later list changes the player: what it said is kept, its job's deletion unlinks it.
    const later = await committedJob(10, { text: csvText([['企业名称', '统一社会信用代码', '联系电话'], ['删除甲公司1', makeUscc(9001), '13700001111']]) })
    expect((await t.db.selectFrom('player_sources').select('import_job_id').where('player_id', '=', player.id).execute()).map((s) => s.import_job_id)).toEqual([later.jobId])
    await deleteImportJob(t.db, { actor: manager, scope: await scopeOf(org.outletA1.id) }, { jobId: later.jobId, uploadDir })
    const sources = await t.db.selectFrom('player_sources').select(['import_job_id', 'said']).where('player_id', '=', player.id).execute()
    expect(sources).toHaveLength(1)
    expect(sources[0].import_job_id).toBeNull()
    expect(sources[0].said).toContain('phone')

    const result = await deleteImportJob(t.db, { actor: manager, scope: await scopeOf(org.outletA1.id) }, { jobId, uploadDir })

    expect(result).toEqual({ issues: 2, players: 1 })
    expect(await issuesOf(jobId)).toEqual([])
    expect(await t.db.selectFrom('import_jobs').select('id').where('id', '=', jobId).execute()).toEqual([])
    expect(fs.existsSync(file)).toBe(false)
    const kept = await t.db.selectFrom('market_players').select(['name', 'import_job_id']).where('id', '=', player.id).executeTakeFirstOrThrow()
    expect(kept).toEqual({ name: '删除甲公司1', import_job_id: null })
    const audit = await t.db.selectFrom('audit_log').select(['actor_username', 'detail']).where('action', '=', 'import.delete').where('entity_id', '=', String(jobId)).execute()
    expect(audit).toHaveLength(1)
    expect(audit[0].actor_username).toBe('mgr.delete')
    expect(JSON.parse(audit[0].detail!)).toMatchObject({ fileName: 'list.csv', inserted: 1, rejected: 1, issues: 2, players: 1 })
    // The audit entry says what the job was, never a row of it.
    expect(audit[0].detail).not.toContain('13912345678')
  })

  it('leaves a file outside the upload directory (a command-line import names the user’s own file)', async () => {
    const { jobId, file } = await committedJob(2, { inUploads: false })
    await deleteImportJob(t.db, { actor: manager, scope: { kind: 'all' } }, { jobId, uploadDir })
    expect(fs.existsSync(file)).toBe(true)
    expect(await issuesOf(jobId)).toEqual([])
  })

  it('does not see a job outside the scope, and leaves it whole', async () => {
    const { jobId, file } = await committedJob(3, { orgUnitId: org.outletA1.id })
    await expect(deleteImportJob(t.db, { actor: manager, scope: await scopeOf(org.outletB1.id) }, { jobId, uploadDir })).rejects.toMatchObject({ code: 'not_found' })
    expect(await issuesOf(jobId)).toHaveLength(2)
    expect(fs.existsSync(file)).toBe(true)
  })

  it.each([
    ['queued', 40],
    ['running', 41],
    ['previewing', 42],
    ['uploaded', 43],
  ] as const)('refuses a job that is %s, and leaves it whole', async (status, seed) => {
    const { jobId, file } = await committedJob(seed)
    await t.db.updateTable('import_jobs').set({ status }).where('id', '=', jobId).execute()
    await expect(deleteImportJob(t.db, { actor: manager, scope: { kind: 'all' } }, { jobId, uploadDir })).rejects.toMatchObject({ code: 'conflict' })
    expect(await issuesOf(jobId)).toHaveLength(2)
    expect(await t.db.selectFrom('market_players').select('id').where('import_job_id', '=', jobId).execute()).toHaveLength(1)
    expect(fs.existsSync(file)).toBe(true)
  })
})

describe('the job page', () => {
  async function signedIn(username: string) {
    const client = new Client(server.url)
    expect((await client.signIn(username, PASSWORD)).status).toBe(302)
    return client
  }

  it('offers the deletion, asks for the confirmation, then deletes and says so', async () => {
    const { jobId, file } = await committedJob(5)
    const client = await signedIn('mgr.del')
    const page = await (await client.get(`/imports/${jobId}`)).text()
    expect(page).toContain('删除此导入')
    expect(page).toContain('name="confirm"')

    const unconfirmed = await client.post(`/imports/${jobId}`, { intent: 'delete' })
    expect(unconfirmed.status).toBe(400)
    expect(await unconfirmed.text()).toContain('请勾选以确认删除')
    expect(await issuesOf(jobId)).toHaveLength(2)

    const deleted = await client.post(`/imports/${jobId}`, { intent: 'delete', confirm: 'yes' })
    expect(deleted.status).toBe(302)
    expect(deleted.headers.get('Location')).toBe(`/imports?deleted=${jobId}`)
    expect(await issuesOf(jobId)).toEqual([])
    expect(fs.existsSync(file)).toBe(false)
    expect(await (await client.get(`/imports?deleted=${jobId}`)).text()).toContain(`导入 #${jobId} 已删除`)
    expect((await client.get(`/imports/${jobId}`)).status).toBe(404)
  })

  it("answers 404 to another unit's manager and keeps the job", async () => {
    const { jobId } = await committedJob(6)
    const other = await signedIn('mgr.other')
    expect((await other.post(`/imports/${jobId}`, { intent: 'delete', confirm: 'yes' })).status).toBe(404)
    expect(await issuesOf(jobId)).toHaveLength(2)
  })
})
