// The stored hand-off flag and the catalogue behind it, on a real database (SQLite, and
// PostgreSQL when configured): a visit recording a need flags its player at once; a change
// to what the rules read (an import's update, an edit) queues the player and the refresher
// judges it again; a new catalogue version is validated, audited, judged again for every
// player with its progress, applies to new verdicts, while a referral keeps its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { PLAIN_CLOCKS } from '../../app/domain/clocks'
import { parseProduct } from '../../app/forms/product'
import { findAuditEntries } from '../../app/services/audit.server'
import { PassStopped } from '../../app/services/background-loop.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { listPlayers } from '../../app/services/players/list-players.server'
import { loadCatalogue } from '../../app/services/products/load-catalogue.server'
import { saveProduct } from '../../app/services/products/save-product.server'
import { drainQualificationQueue, qualificationState, runFullQualification } from '../../app/services/qualification.server'
import { handOffCase } from '../../app/services/referrals.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { parseVisit } from '../../app/forms/visit'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let officer: { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
let admin: { id: number; username: string; ip: null }
let orgId: number
let n = 0

async function player(name: string, overrides: Parameters<typeof playerFields>[1] = {}) {
  const id = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields(name, overrides), orgUnitId: orgId })
  const mgr = await t.db.selectFrom('users').select(['id']).where('username', '=', 'mgr').executeTakeFirstOrThrow()
  const org = await t.db.selectFrom('org_units').select('path').where('id', '=', orgId).executeTakeFirstOrThrow()
  await assignPlayers(t.db, { actor: { id: mgr.id, username: 'mgr', ip: null }, scope: scopeOf({ id: mgr.id, role: 'manager', orgPath: org.path }) }, { playerIds: [id], officerId: officer.actor.id, reason: 'test' })
  return id
}

async function visit(playerId: number, need: { amount: number; term?: number; collateral?: boolean } | null) {
  const parsed = parseVisit({
    id: `q-visit-${++n}-${Date.now()}`,
    playerId,
    channel: 'phone',
    visitedAt: new Date(Date.now() - (100 - n) * 60_000).toISOString(),
    hasNeed: need !== null,
    ...(need ? { needAmount: need.amount, needTermMonths: need.term ?? 12, needCollateral: need.collateral ? 'yes' : 'no' } : {}),
  })
  if (!parsed.ok) throw new Error(`invalid visit: ${JSON.stringify(parsed.errors)}`)
  await recordVisit(t.db, { ...officer }, parsed.data)
}

const flagOf = (id: number) => t.db.selectFrom('market_players').select(['qualification', 'qualified_products']).where('id', '=', id).executeTakeFirstOrThrow()

/** The form's fields for the tax credit loan as the default catalogue has it, with changes. */
function taxCreditForm(changes: Record<string, unknown> = {}) {
  return { code: 'tax_credit', name: '税易贷', kind: 'credit', playerKinds: [], taxGrades: ['A', 'B', 'M'], limitA: '300', limitB: '100', limitM: '30', minMonthsRegistered: '12', maxTermMonths: '12', active: '1', ...changes }
}

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  orgId = org.outletA1.id
  const id = await addUser(t.db, 'off', 'officer', org.outletA1.id)
  await addUser(t.db, 'mgr', 'manager', org.outletA1.id)
  const adminId = await addUser(t.db, 'adm', 'admin', org.hq.id)
  admin = { id: adminId, username: 'adm', ip: null }
  officer = { actor: { id, username: 'off', ip: null }, scope: scopeOf({ id, role: 'officer', orgPath: org.outletA1.path }) }
})

afterAll(async () => {
  await t?.destroy()
})

describe(`hand-off flags (${process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite'})`, () => {
  it('a visit recording a need flags its player at once; a later visit with none clears it', async () => {
    const id = await player('标记甲')
    expect(await flagOf(id)).toEqual({ qualification: 'no_need', qualified_products: '' })
    await visit(id, { amount: 80 })
    expect(await flagOf(id)).toEqual({ qualification: 'qualifies', qualified_products: 'tax_credit' })
    await visit(id, { amount: 80, collateral: true })
    expect((await flagOf(id)).qualified_products.split(',').sort()).toEqual(['secured', 'tax_credit'])
    await visit(id, null)
    expect(await flagOf(id)).toEqual({ qualification: 'no_need', qualified_products: '' })
  })

  it('a grade-C case with a need is refused, and the list filters by the flag', async () => {
    const refused = await player('标记乙', { taxGrade: 'C' })
    await visit(refused, { amount: 50 })
    expect(await flagOf(refused)).toEqual({ qualification: 'refused', qualified_products: '' })
    const page = await listPlayers(t.db, { pii, scope: officer.scope }, { filter: { qualification: 'refused' }, page: { sort: 'newest', limit: 50 } })
    expect(page.rows.map((r) => r.name)).toEqual(['标记乙'])
  })

  it('an update to what the rules read queues the player, and the refresher judges it again', async () => {
    const id = await player('标记丙')
    await visit(id, { amount: 50 })
    expect((await flagOf(id)).qualification).toBe('qualifies')
    // As an import writes a new tax grade: a plain update, wherever it comes from.
    await t.db.updateTable('market_players').set({ tax_grade: 'D' }).where('id', '=', id).execute()
    // A column the rules do not read queues nothing.
    await t.db.updateTable('market_players').set({ address: '新地址' }).where('name', '=', '标记乙').execute()
    const queued = await t.db.selectFrom('qualification_queue').select('player_id').execute()
    expect(queued.map((q) => q.player_id)).toEqual([id])
    expect(await drainQualificationQueue(t.db)).toBe(1)
    expect(await flagOf(id)).toEqual({ qualification: 'refused', qualified_products: '' })
    expect(await t.db.selectFrom('qualification_queue').select('player_id').execute()).toEqual([])
  })

  it('the full pass also corrects a candidate flag the stored facts do not support', async () => {
    const id = await player('标记戊')
    await t.db.updateTable('market_players').set({ candidate_status: 'not_candidate', candidate_reasons: '[]' }).where('id', '=', id).execute()
    await runFullQualification(t.db, { force: true })
    const fixed = await t.db.selectFrom('market_players').select(['candidate_status', 'candidate_reasons']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(fixed.candidate_status).toBe('candidate')
    expect(JSON.parse(fixed.candidate_reasons)).toContainEqual({ key: 'candidate.neverBorrowedChecked', params: { date: '2026-03-02' } })
  })

  it('a pass the server’s stop cuts short says so (not a failure) and leaves the work for the next pass', async () => {
    await player('标记己')
    // Stopping once the first chunk is judged: mid-pass.
    let asked = 0
    await expect(runFullQualification(t.db, { force: true, stopping: () => ++asked > 1 })).rejects.toBeInstanceOf(PassStopped)
    expect(await qualificationState(t.db)).toMatchObject({ stale: 1, running_since: null })
    expect(await runFullQualification(t.db)).toMatchObject({ players: expect.any(Number) })
    expect(await qualificationState(t.db)).toMatchObject({ stale: 0, running_since: null })
  })

  it('the catalogue form refuses contradictory rules, naming the field', () => {
    const noGradeLimit = parseProduct(taxCreditForm({ limitM: '' }))
    expect(noGradeLimit.ok).toBe(false)
    if (!noGradeLimit.ok) expect(noGradeLimit.errors.limitM).toEqual([{ key: 'productAdmin.limitForGrade', params: { grade: 'M' } }])
    const both = parseProduct(taxCreditForm({ limit: '50' }))
    expect(!both.ok && both.errors.limit).toEqual([{ key: 'productAdmin.oneLimitKind' }])
    const gradeD = parseProduct(taxCreditForm({ taxGrades: ['A', 'D'] }))
    expect(!gradeD.ok && Object.keys(gradeD.errors)).toContain('taxGrades')
    const badCode = parseProduct(taxCreditForm({ code: 'Tax Credit' }))
    expect(!badCode.ok && badCode.errors.code).toEqual([{ key: 'productAdmin.codeFormat' }])
    const ok = parseProduct(taxCreditForm({ limitB: '80' }))
    expect(ok.ok && ok.data.limitByGrade).toEqual({ A: 3_000_000, B: 800_000, M: 300_000 })
  })

  it('a new catalogue version is audited, judges every player again with progress, and a referral keeps its verdict', async () => {
    const id = await player('标记丁')
    await visit(id, { amount: 100 })
    const before = await handOffCase(t.db, { actor: officer.actor, scope: officer.scope, clocks: PLAIN_CLOCKS }, { playerId: id, productCode: 'tax_credit', amountYuan: 1_000_000, termMonths: 12 })
    await runFullQualification(t.db, { force: true })

    // Grade B no longer accepted by the tax credit loan.
    const parsed = parseProduct(taxCreditForm({ taxGrades: ['A', 'M'], limitB: '' }))
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    const { version } = await saveProduct(t.db, { actor: admin }, { rules: parsed.data, expectedVersion: 1 })
    expect(version).toBe(2)
    // Saving over a version someone else replaced is refused.
    await expect(saveProduct(t.db, { actor: admin }, { rules: parsed.data, expectedVersion: 1 })).rejects.toMatchObject({ messageKey: 'productAdmin.changedMeanwhile' })
    const audit = await findAuditEntries(t.db, { entityType: 'product', entityId: 'tax_credit' })
    expect(audit.map((a) => a.action)).toEqual(['product.changed'])
    expect(JSON.parse(audit[0].detail!)).toMatchObject({ version: 2, before: { taxGrades: ['A', 'B', 'M'] }, after: { taxGrades: ['A', 'M'] } })

    // The new version is in force for new verdicts…
    expect((await loadCatalogue(t.db)).find((p) => p.code === 'tax_credit')).toMatchObject({ version: 2, taxGrades: ['A', 'M'] })
    await expect(
      handOffCase(t.db, { actor: officer.actor, scope: officer.scope, clocks: PLAIN_CLOCKS }, { playerId: id, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 }),
    ).rejects.toMatchObject({ messageKey: 'referral.notQualified' })
    // …every player is judged again, the state row saying how far it got…
    expect((await qualificationState(t.db)).stale).toBe(1)
    const players = Number((await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    const pass = await runFullQualification(t.db)
    expect(pass).toMatchObject({ players })
    expect(await qualificationState(t.db)).toMatchObject({ stale: 0, running_since: null, done: players, total: players })
    expect(await flagOf(id)).toEqual({ qualification: 'refused', qualified_products: '' })
    // …and nothing is due until the next change or the next day.
    expect(await runFullQualification(t.db)).toBeNull()
    // The referral made under version 1 keeps that verdict.
    const kept = await t.db.selectFrom('referrals').select(['product_version', 'verdict']).where('id', '=', before.id).executeTakeFirstOrThrow()
    expect(kept.product_version).toBe(1)
    expect(JSON.parse(kept.verdict)).toMatchObject({ qualifies: true, limitYuan: 1_000_000 })
  })

  it('a new product is version 1; its code cannot be taken twice; an inactive one leaves the catalogue', async () => {
    const form = { code: 'green_credit', name: '绿色贷', kind: 'secured', playerKinds: ['enterprise'], taxGrades: [], limit: '500', active: '1' }
    const parsed = parseProduct(form)
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    expect((await saveProduct(t.db, { actor: admin }, { rules: parsed.data, expectedVersion: null })).version).toBe(1)
    await expect(saveProduct(t.db, { actor: admin }, { rules: parsed.data, expectedVersion: null })).rejects.toMatchObject({ messageKey: 'productAdmin.codeTaken' })
    expect((await loadCatalogue(t.db)).map((p) => p.code)).toContain('green_credit')
    const off = parseProduct({ ...form, active: '' })
    if (!off.ok) throw new Error(JSON.stringify(off.errors))
    await saveProduct(t.db, { actor: admin }, { rules: off.data, expectedVersion: 1 })
    expect((await loadCatalogue(t.db)).map((p) => p.code)).not.toContain('green_credit')
  })
})
