// Refusal reasons back to the credit platforms (PRODUCT.md "Channels and clocks"), on a real
// database (SQLite, and PostgreSQL when configured) over real HTTP: a platform's list keeps
// each application's reference; the bank exports the list's feedback file (read back here as
// XLSX); the platform polls GET /api/v1/platform-feedback with its own token and sees its own
// decided applications only, within the token's org unit, since the time it asks.
import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../app/domain/app-error'
import { scopeOf } from '../../app/domain/scope'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createApiToken } from '../../app/services/api-tokens/create-api-token.server'
import { revokeApiToken } from '../../app/services/api-tokens/revoke-api-token.server'
import { recordDecision } from '../../app/services/clocks/record-decision.server'
import { commitImportJob, createImportJob, previewImportJob, queueImportJob } from '../../app/services/import/import-jobs.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { PLATFORM_FEEDBACK_HEADERS } from '../../app/services/platform-feedback/export-platform-feedback.server'
import { addUser, buildOrg } from '../support/fixtures'
import { makeUscc } from '../support/lists'
import { routeSuite } from '../support/route-suite'
import { csvText, makeTempDir, type TempDir } from '../support/spreadsheets'
import { TEST_DATA_KEY } from '../support/test-constants'
import type { TestDatabase } from '../support/test-db'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const china = (local: string) => new Date(`${local}+08:00`).toISOString()
const PLATFORM = '信易贷平台'
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let dir: TempDir
const jobs = { a1: 0, b1: 0, other: 0 }
const players = new Map<string, number>()

async function importPlatformList(orgUnitId: number, group: string, rows: [string, string, string][], managerId: number) {
  const file = path.join(dir.dir, `platform-${orgUnitId}-${group}.csv`)
  fs.writeFileSync(file, csvText([['企业名称', '统一社会信用代码', '申请编号'], ...rows]))
  const actor = { id: managerId, username: 'm', ip: null }
  const id = await createImportJob(t.db, actor, { source: 'other', fileName: 'applications.csv', filePath: file, fileBytes: 1, orgUnitId, channel: { channel: 'credit_platform', group, listedAt: china('2026-04-01T00:00:00') } })
  expect((await previewImportJob(t.db, pii, id)).status).toBe('previewed')
  await queueImportJob(t.db, actor, id, { acceptBadCheck: false, mergeHouseholds: true })
  expect((await commitImportJob(t.db, pii, id)).status).toBe('done')
  for (const [name] of rows) players.set(name, (await t.db.selectFrom('market_players').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id)
  return id
}

const suite = routeSuite(async (db) => {
  t = db
  dir = await makeTempDir('platform-feedback-')
  org = await buildOrg(t.db)
  const mgrA1 = await addUser(t.db, 'pf-mgr', 'manager', org.outletA1.id)
  const mgrB1 = await addUser(t.db, 'pf-mgr-b', 'manager', org.outletB1.id)
  await addUser(t.db, 'pf-admin', 'admin', org.hq.id)
  jobs.a1 = await importPlatformList(org.outletA1.id, PLATFORM, [['平台甲公司', makeUscc(7001), 'XYD-2026-0001'], ['平台乙公司', makeUscc(7002), 'XYD-2026-0002'], ['平台丙公司', makeUscc(7003), '=XYD-2026-0003']], mgrA1)
  jobs.b1 = await importPlatformList(org.outletB1.id, PLATFORM, [['平台丁公司', makeUscc(7004), 'XYD-2026-0004']], mgrB1)
  jobs.other = await importPlatformList(org.outletA1.id, '其他平台', [['别家平台公司', makeUscc(7005), 'QT-9']], mgrA1)
  const as = (id: number, outlet: { path: string }) => ({ actor: { id, username: 'm', ip: null }, scope: scopeOf({ id, role: 'manager', orgPath: outlet.path }) })
  await recordDecision(t.db, { ...as(mgrA1, org.outletA1), now: new Date(china('2026-04-03T10:00:00')) }, { playerId: players.get('平台甲公司')!, decision: 'approved', amountYuan: 500_000 })
  await recordDecision(t.db, { ...as(mgrA1, org.outletA1), now: new Date(china('2026-04-07T16:30:00')) }, { playerId: players.get('平台乙公司')!, decision: 'refused', reason: 'poor_credit', note: '近两年有逾期' })
  await recordDecision(t.db, { ...as(mgrB1, org.outletB1), now: new Date(china('2026-04-05T09:00:00')) }, { playerId: players.get('平台丁公司')!, decision: 'refused', reason: 'no_need', note: null })
  await recordDecision(t.db, { ...as(mgrA1, org.outletA1), now: new Date(china('2026-04-04T09:00:00')) }, { playerId: players.get('别家平台公司')!, decision: 'approved', amountYuan: 100_000 })
})

afterAll(async () => {
  await dir?.remove()
})

async function platformToken(options: { platform?: string | null; orgUnitId?: number | null } = {}) {
  return (await createApiToken(t.db, { actor: SYSTEM_ACTOR }, { name: 'platform', purpose: 'platform_feedback', platform: options.platform === undefined ? PLATFORM : options.platform, orgUnitId: options.orgUnitId ?? null })).token
}

const poll = (token: string, since: string | null) => suite.client().request(`/api/v1/platform-feedback${since === null ? '' : `?since=${encodeURIComponent(since)}`}`, { headers: { Authorization: `Bearer ${token}` } })

describe("a platform's list", () => {
  it('keeps each application’s reference and the platform that sent it', async () => {
    const row = await t.db.selectFrom('market_players').select(['channel', 'channel_group', 'channel_ref']).where('id', '=', players.get('平台甲公司')!).executeTakeFirstOrThrow()
    expect(row).toEqual({ channel: 'credit_platform', channel_group: PLATFORM, channel_ref: 'XYD-2026-0001' })
  })
})

describe('the feedback file of a platform’s list', () => {
  it('downloads as XLSX and reads back: reference, decision, date, amount, reason code and words, the undecided too', async () => {
    const manager = await suite.signedIn('pf-mgr')
    const response = await manager.get(`/imports/${jobs.a1}/feedback.xlsx`)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toContain('spreadsheetml')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(await response.arrayBuffer())
    const sheet = workbook.getWorksheet('反馈')!
    const rows = sheet.getSheetValues().slice(1).map((r) => (r as unknown[]).slice(1))
    expect(rows[0]).toEqual([...PLATFORM_FEEDBACK_HEADERS])
    expect(rows.slice(1)).toEqual([
      [1, 'XYD-2026-0001', '平台甲公司', makeUscc(7001), '同意授信', '2026-04-03', 50],
      [2, 'XYD-2026-0002', '平台乙公司', makeUscc(7002), '拒绝', '2026-04-07', undefined, 'poor_credit', '信用状况不良', '近两年有逾期'],
      // A reference that would run as a formula is opened with an apostrophe.
      [3, "'=XYD-2026-0003", '平台丙公司', makeUscc(7003), '未决定'],
    ])
    const audit = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'platform_feedback.exported').where('entity_id', '=', String(jobs.a1)).executeTakeFirstOrThrow()
    expect(JSON.parse(audit.detail!)).toEqual({ rows: 3, platform: PLATFORM })
  })

  it('is not there for another outlet’s manager', async () => {
    const other = await suite.signedIn('pf-mgr-b')
    expect((await other.get(`/imports/${jobs.a1}/feedback.xlsx`)).status).toBe(404)
  })
})

describe('GET /api/v1/platform-feedback', () => {
  it('answers the token’s platform’s decisions since a time, over the whole bank, oldest first', async () => {
    const token = await platformToken()
    const response = await poll(token, '2026-04-01T00:00:00+08:00')
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toContain('no-store')
    const body = (await response.json()) as { platform: string; next: string; more: boolean; items: Record<string, unknown>[] }
    expect(body.platform).toBe(PLATFORM)
    expect(body.more).toBe(false)
    expect(body.items).toEqual([
      { applicationRef: 'XYD-2026-0001', uscc: makeUscc(7001), name: '平台甲公司', decision: 'approved', reasonCode: null, note: null, decidedAt: china('2026-04-03T10:00:00'), decidedOn: '2026-04-03', amountYuan: 500_000 },
      { applicationRef: 'XYD-2026-0004', uscc: makeUscc(7004), name: '平台丁公司', decision: 'refused', reasonCode: 'no_need', note: null, decidedAt: china('2026-04-05T09:00:00'), decidedOn: '2026-04-05', amountYuan: null },
      { applicationRef: 'XYD-2026-0002', uscc: makeUscc(7002), name: '平台乙公司', decision: 'refused', reasonCode: 'poor_credit', note: '近两年有逾期', decidedAt: china('2026-04-07T16:30:00'), decidedOn: '2026-04-07', amountYuan: null },
    ])
    // Read up to a minute before now: the next poll starts there.
    expect(Date.now() - Date.parse(body.next)).toBeGreaterThanOrEqual(60_000)
    const audit = await t.db.selectFrom('audit_log').select(['actor_username', 'detail']).where('action', '=', 'platform_feedback.read').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(audit.actor_username).toBe('token:platform')
    expect(JSON.parse(audit.detail!)).toMatchObject({ platform: PLATFORM, rows: 3 })
  })

  it('from a later time, and within the token’s org unit only', async () => {
    const token = await platformToken()
    const later = (await (await poll(token, '2026-04-04T00:00:00+08:00')).json()) as { items: { applicationRef: string }[] }
    expect(later.items.map((i) => i.applicationRef)).toEqual(['XYD-2026-0004', 'XYD-2026-0002'])
    const outlet = await platformToken({ orgUnitId: org.outletA1.id })
    const mine = (await (await poll(outlet, '2026-04-01T00:00:00+08:00')).json()) as { items: { applicationRef: string }[] }
    expect(mine.items.map((i) => i.applicationRef)).toEqual(['XYD-2026-0001', 'XYD-2026-0002'])
  })

  it('refuses a missing or unreadable since (400), and any token but a live platform one (401)', async () => {
    const token = await platformToken()
    const missing = await poll(token, null)
    expect(missing.status).toBe(400)
    expect(((await missing.json()) as { fields: Record<string, string[]> }).fields.since).toEqual(['required'])
    expect((await poll(token, '2026-04-01')).status).toBe(400)
    const figures = (await createApiToken(t.db, { actor: SYSTEM_ACTOR }, { name: 'bi', purpose: 'figures_read' })).token
    expect((await poll(figures, '2026-04-01T00:00:00Z')).status).toBe(401)
    const revoked = await createApiToken(t.db, { actor: SYSTEM_ACTOR }, { name: 'old', purpose: 'platform_feedback', platform: PLATFORM })
    await revokeApiToken(t.db, { actor: SYSTEM_ACTOR }, { id: revoked.id })
    expect((await poll(revoked.token, '2026-04-01T00:00:00Z')).status).toBe(401)
    expect((await suite.client().request('/api/v1/platform-feedback?since=2026-04-01T00:00:00Z')).status).toBe(401)
  })

  it('a platform token names its platform', async () => {
    await expect(platformToken({ platform: ' ' })).rejects.toThrow(AppError)
    const admin = await suite.signedIn('pf-admin')
    const refused = await admin.post('/admin/tokens', { intent: 'create', name: 'xyd', purpose: 'platform_feedback', orgUnitId: '', actsFor: '', platform: '' })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('平台反馈令牌需要填写平台名称')
    const made = await admin.post('/admin/tokens', { intent: 'create', name: 'xyd', purpose: 'platform_feedback', orgUnitId: '', actsFor: '', platform: PLATFORM })
    expect(made.status).toBe(200)
    const row = await t.db.selectFrom('api_tokens').select(['purpose', 'channel_group']).where('name', '=', 'xyd').executeTakeFirstOrThrow()
    expect(row).toEqual({ purpose: 'platform_feedback', channel_group: PLATFORM })
  })
})
