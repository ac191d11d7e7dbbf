// The reporting team's reconciliation over real HTTP: one row per disbursed loan in scope and
// period with the loan system's reference, the customer (USCC, else the owner's ID masked
// unless an allowed exporter asks by POST, audited), the China day, the amount lent (or asked,
// marked), guarantee type, first-lender flag (flagged or estimated), channel, product, outlet
// and officer; an outlet's manager sees only their loans; the API's new keys, scoped.
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Channel } from '../../app/domain/channels'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { listDisbursedLoans } from '../../app/services/reconciliation/disbursed-loans.server'
import { addUser, buildOrg, PASSWORD, playerFields } from '../support/fixtures'
import { makeUscc } from '../support/lists'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const ID = '11010519491231002X'
const Q1 = 'from=2026-01-01&to=2026-03-31'
let t: TestDatabase
let server: TestServer
let org: Awaited<ReturnType<typeof buildOrg>>
let officerA: number
let officerB: number

interface LoanSpec {
  player: number
  officer: number
  orgUnit: number
  disbursedAt: string | null
  amountYuan: number
  lentYuan: number | null
  guaranteeType: string | null
  credit: number
  lenderFlag: number | null
  firstLender: number
  channel: Channel
  externalRef: string
}

async function loan(spec: LoanSpec) {
  const referredAt = '2026-01-05T02:00:00.000Z'
  await t.db
    .insertInto('referrals')
    .values({
      player_id: spec.player, visit_id: null, officer_id: spec.officer, org_unit_id: spec.orgUnit, product_code: 'tax_credit', product_version: 1,
      amount_yuan: spec.amountYuan, term_months: 12, credit: spec.credit, first_lender: spec.firstLender, verdict: '{}',
      stage: spec.disbursedAt ? 'disbursed' : 'approved', stage_at: spec.disbursedAt ?? referredAt, referred_at: referredAt, accept_due_at: '2026-01-08T16:00:00.000Z',
      accepted_at: '2026-01-06T02:00:00.000Z', disbursed_at: spec.disbursedAt, external_ref: spec.externalRef, lent_yuan: spec.lentYuan,
      guarantee_type: spec.guaranteeType, lender_flag: spec.lenderFlag, channel: spec.channel, created_at: referredAt, updated_at: referredAt,
    })
    .execute()
}

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  officerA = await addUser(t.db, 'rec-officer-a', 'officer', org.outletA1.id)
  officerB = await addUser(t.db, 'rec-officer-b', 'officer', org.outletB1.id)
  await addUser(t.db, 'rec-manager-a', 'manager', org.outletA1.id)
  await addUser(t.db, 'rec-hq', 'hq', org.hq.id)
  await addUser(t.db, 'rec-admin', 'admin', org.hq.id)
  const actor = { id: null, username: 'test', ip: null }
  const enterprise = await createPlayer(t.db, { actor, pii }, { fields: playerFields('甲一企业', { uscc: makeUscc(7001) }), orgUnitId: org.outletA1.id })
  const household = await createPlayer(t.db, { actor, pii }, { fields: playerFields('甲一个体户', { kind: 'household', idNumber: ID, owner: '王五' }), orgUnitId: org.outletA1.id })
  const elsewhere = await createPlayer(t.db, { actor, pii }, { fields: playerFields('乙一企业', { uscc: makeUscc(7002) }), orgUnitId: org.outletB1.id })
  await t.db.updateTable('market_players').set({ assigned_officer_id: officerA }).where('id', 'in', [enterprise, household]).execute()
  await t.db.updateTable('market_players').set({ assigned_officer_id: officerB }).where('id', '=', elsewhere).execute()
  const base = { officer: officerA, orgUnit: org.outletA1.id, amountYuan: 400_000, credit: 1, firstLender: 1 }
  // 16:30 UTC on 10 March is 11 March in China.
  await loan({ ...base, player: enterprise, disbursedAt: '2026-03-10T16:30:00.000Z', lentYuan: 300_000, guaranteeType: 'credit', lenderFlag: 1, channel: 'loan_qr', externalRef: 'LOS-A1' })
  await loan({ ...base, player: household, disbursedAt: '2026-02-01T03:00:00.000Z', amountYuan: 200_000, lentYuan: null, guaranteeType: null, lenderFlag: null, channel: 'own_list', externalRef: 'LOS-A2' })
  await loan({ ...base, player: enterprise, disbursedAt: '2026-05-01T03:00:00.000Z', lentYuan: 100_000, guaranteeType: 'collateral', lenderFlag: 0, channel: 'own_list', externalRef: 'LOS-A3-LATER' })
  await loan({ ...base, player: household, disbursedAt: null, lentYuan: null, guaranteeType: null, lenderFlag: null, channel: 'own_list', externalRef: 'LOS-A4-NOT-YET' })
  await loan({ ...base, officer: officerB, orgUnit: org.outletB1.id, player: elsewhere, disbursedAt: '2026-03-02T03:00:00.000Z', lentYuan: 500_000, guaranteeType: 'guaranteed', lenderFlag: 0, channel: 'own_list', externalRef: 'LOS-B1' })
  server = await startTestServer(t)
})

afterAll(async () => {
  await server?.close()
  await t?.destroy()
})

async function signedIn(username: string) {
  const client = new Client(server.url)
  expect((await client.signIn(username, PASSWORD)).status).toBe(302)
  return client
}

function csvRows(text: string): string[][] {
  return text.replace(/^\ufeff/, '').trim().split('\r\n').map((line) => line.split(','))
}

describe('the loans behind the figures', () => {
  it('are one row per loan disbursed in the period, each column as the reporting team reads it', async () => {
    const { total, rows } = await listDisbursedLoans(t.db, pii, { scopes: [{ kind: 'all' }] }, { from: '2026-01-01', to: '2026-03-31' }, 'disbursed')
    expect(total).toBe(3)
    expect(rows.map((r) => r.externalRef)).toEqual(['LOS-A1', 'LOS-A2', 'LOS-B1'])
    expect(rows[0]).toMatchObject({ name: '甲一企业', customer: makeUscc(7001), disbursedOn: '2026-03-11', amountYuan: 300_000, amountReported: true, guaranteeType: 'credit', firstLender: true, firstLenderBasis: 'flagged', channel: 'loan_qr', productName: '税易贷', outlet: '甲一网点', officer: 'rec-officer-a' })
    expect(rows[1]).toMatchObject({ customer: '110***********002X', customerIsId: true, amountYuan: 200_000, amountReported: false, guaranteeType: null, productCredit: true, firstLender: true, firstLenderBasis: 'estimated' })
    expect(rows[2]).toMatchObject({ firstLender: false, firstLenderBasis: 'flagged', outlet: '乙一网点' })
  })

  it('for first-lender conversions, are those the loan system flagged or, without a flag, estimated', async () => {
    const { rows } = await listDisbursedLoans(t.db, pii, { scopes: [{ kind: 'all' }] }, { from: '2026-01-01', to: '2026-03-31' }, 'firstLenderConversions')
    expect(rows.map((r) => r.externalRef)).toEqual(['LOS-A1', 'LOS-A2'])
  })

  it('show an outlet\'s manager only their outlet\'s loans, and hq the bank\'s, from the drill-down', async () => {
    const manager = await signedIn('rec-manager-a')
    const drill = await (await manager.get(`/dashboard/players?${Q1}&figure=disbursed`)).text()
    expect(drill).toContain('data-testid="loans-link"')
    const page = await manager.get(`/dashboard/loans?${Q1}&figure=disbursed`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('LOS-A1')
    expect(html).toContain('LOS-A2')
    expect(html).not.toContain('LOS-B1')
    expect((await manager.get(`/dashboard/loans?${Q1}&figure=disbursed&scope=B-1`)).status).toBe(404)
    const hq = await signedIn('rec-hq')
    expect(await (await hq.get(`/dashboard/loans?${Q1}&figure=disbursed`)).text()).toContain('LOS-B1')
    const officer = await signedIn('rec-officer-a')
    expect((await officer.get(`/dashboard/loans?${Q1}&figure=disbursed`)).status).toBe(403)
  })
})

describe('the export', () => {
  it('masks the owner ID by GET, unmasks it only by an allowed exporter\'s POST, and audits each', async () => {
    const admin = await signedIn('rec-admin')
    const masked = await admin.get(`/dashboard/loans/export?${Q1}&figure=disbursed&format=csv`)
    expect(masked.status).toBe(200)
    const rows = csvRows(await masked.text())
    expect(rows[0]![0]).toBe('信贷系统编号')
    expect(rows.slice(1).map((r) => r[0])).toEqual(['LOS-A1', 'LOS-A2', 'LOS-B1'])
    expect(rows[2]).toEqual(['LOS-A2', '甲一个体户', '110***********002X', '2026-02-01', '200000', '未报送，按申请金额', '未报送（产品为信用类）', '是', '估算（推荐授信时无贷款记录）', '本行名单', '税易贷', '甲一网点', 'rec-officer-a'])
    const unmasked = await admin.post(`/dashboard/loans/export?${Q1}&figure=disbursed&format=csv`, { unmask: '1' })
    expect(await unmasked.text()).toContain(ID)
    const hq = await signedIn('rec-hq')
    const refused = await hq.post(`/dashboard/loans/export?${Q1}&figure=disbursed&format=csv`, { unmask: '1' })
    const refusedText = await refused.text()
    expect(refusedText).not.toContain(ID)
    expect(refusedText).toContain('110***********002X')
    const audits = await t.db.selectFrom('audit_log').select(['actor_username', 'detail']).where('action', '=', 'loans.exported').orderBy('id').execute()
    expect(audits.map((a) => [a.actor_username, (JSON.parse(a.detail!) as { unmasked: boolean }).unmasked])).toEqual([
      ['rec-admin', false],
      ['rec-admin', true],
      ['rec-hq', false],
    ])
  })

  it('as XLSX holds the same rows, amounts as numbers, scoped to the manager', async () => {
    const manager = await signedIn('rec-manager-a')
    const response = await manager.get(`/dashboard/loans/export?${Q1}&figure=disbursed&format=xlsx`)
    expect(response.status).toBe(200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]!
    const values = sheet.getSheetValues().slice(2).map((r) => (r as unknown[]).slice(1))
    expect(values.map((r) => r[0])).toEqual(['LOS-A1', 'LOS-A2'])
    expect(values[0]![4]).toBe(300_000)
  })
})

describe('GET /api/v1/figures', () => {
  it('answers the first-lender keys and new loan customers per channel, scoped as the pages', async () => {
    const hq = await signedIn('rec-hq')
    const bank = (await (await hq.get(`/api/v1/figures?${Q1}`)).json()) as Record<string, unknown>
    expect(bank).toMatchObject({ newLoanCustomers: 3, firstLenderConversions: 2, firstLenderEstimated: 1, firstLenderEnterprises: 1, newLoanCustomersByChannel: { loan_qr: 1, own_list: 2, working_group: 0, credit_platform: 0 } })
    const manager = await signedIn('rec-manager-a')
    const outlet = (await (await manager.get(`/api/v1/figures?${Q1}`)).json()) as Record<string, unknown>
    expect(outlet).toMatchObject({ newLoanCustomers: 2, newLoanCustomersByChannel: { loan_qr: 1, own_list: 1, working_group: 0, credit_platform: 0 } })
    expect((await manager.get(`/api/v1/figures?${Q1}&scope=B-1`)).status).toBe(404)
  })
})
