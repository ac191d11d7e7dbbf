// Consents to query the credit report on a real database (SQLite, and PostgreSQL when
// configured): the admin's text kept in versions; a consent stored with its signature and
// signed PDF in the storage module and a hash that recomputes; bad input (not a PNG, too big,
// no strokes, another outlet's player, a stale text) refused with nothing stored; expiry and
// withdrawal; a product that queries credit refusing the hand-off without a valid consent;
// and over real HTTP, the stand-in loan system fetching the carried consent with its token
// and checking its hash (and refusing a tampered one).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../app/domain/app-error'
import { PLAIN_CLOCKS } from '../../app/domain/clocks'
import { CONSENT_HASH_FIELDS, type ConsentFacts } from '../../app/domain/consent'
import { DEFAULT_PRODUCTS } from '../../app/domain/products'
import { scopeOf } from '../../app/domain/scope'
import { parseVisit } from '../../app/forms/visit'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createApiToken } from '../../app/services/api-tokens/create-api-token.server'
import { hashConsent, sha256Hex } from '../../app/services/consents/consent-hash.server'
import { findCurrentConsentText } from '../../app/services/consents/find-consent-text.server'
import { findPlayerConsents } from '../../app/services/consents/find-player-consents.server'
import { readSignedForm } from '../../app/services/consents/read-signed-form.server'
import { saveConsentText } from '../../app/services/consents/save-consent-text.server'
import { signConsent, type SignConsentInput } from '../../app/services/consents/sign-consent.server'
import { withdrawConsent } from '../../app/services/consents/withdraw-consent.server'
import { startLoanSim, type LoanSim } from '../../app/services/loan-sim.server'
import { claimOutboxEntries, deliverClaimed } from '../../app/services/outbox.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { saveProduct } from '../../app/services/products/save-product.server'
import { handOffCase } from '../../app/services/referrals.server'
import { createStorage, type ObjectStorage } from '../../app/services/storage/storage.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { penStrokes, signaturePng } from '../support/signature-fixture'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'
import { PASSWORD } from '../support/fixtures'

const FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'
const SECRET = 'test-loan-secret'
const pii = createPersonalDataCipher(TEST_DATA_KEY)
type Who = { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
const who: Record<string, Who> = {}
let t: TestDatabase
let storageDir: string
let storage: ObjectStorage
let server: TestServer
let sim: LoanSim
let n = 0

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

function storedFiles(): string[] {
  if (!fs.existsSync(storageDir)) return []
  return fs.readdirSync(storageDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

const countRows = async () => Number((await t.db.selectFrom('consents').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n)

/** A player of off.a1's with a financing need, so the tax credit loan qualifies. */
async function playerWithNeed(name: string): Promise<number> {
  const unit = await t.db.selectFrom('org_units').select(['id', 'path']).where('code', '=', 'A-1').executeTakeFirstOrThrow()
  const id = await createPlayer(t.db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields(`${name}${++n}`), orgUnitId: unit.id })
  await assignPlayers(t.db, { actor: who['mgr.a1'].actor, scope: who['mgr.a1'].scope }, { playerIds: [id], officerId: who['off.a1'].actor.id, reason: 'test' })
  const visit = parseVisit({ id: `consent-visit-${++n}-${Date.now()}`, playerId: id, channel: 'phone', hasNeed: true, needAmount: 50, needTermMonths: 12 })
  if (!visit.ok) throw new Error(JSON.stringify(visit.errors))
  await recordVisit(t.db, who['off.a1'], visit.data)
  return id
}

async function sign(playerId: number, overrides: Partial<SignConsentInput> = {}, signer: Who = who['off.a1']) {
  const text = await findCurrentConsentText(t.db)
  return signConsent(t.db, signer, { storage, fontFile: FONT }, {
    consentId: `consent-${++n}-${Date.now()}`,
    playerId,
    textVersion: text!.version,
    signerName: '王五',
    signerRole: 'legal_representative',
    signaturePng: signaturePng(),
    strokes: penStrokes(),
    lat: 33.7801234567,
    lng: 114.5304567891,
    accuracyM: 12.34,
    ...overrides,
  })
}

const handOff = (playerId: number, now?: Date) =>
  handOffCase(t.db, { actor: who['off.a1'].actor, scope: who['off.a1'].scope, clocks: PLAIN_CLOCKS, now }, { playerId, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 })

beforeAll(async () => {
  t = await createTestDatabase()
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-consents-'))
  storage = createStorage({ kind: 'disk', dir: storageDir })
  const org = await buildOrg(t.db)
  const add = async (name: string, role: 'officer' | 'manager' | 'admin', unit: { id: number; path: string }) => {
    const id = await addUser(t.db, name, role, unit.id)
    who[name] = { actor: { id, username: name, ip: null }, scope: scopeOf({ id, role, orgPath: unit.path }) }
  }
  await add('off.a1', 'officer', org.outletA1)
  await add('off.b1', 'officer', org.outletB1)
  await add('mgr.a1', 'manager', org.outletA1)
  await add('mgr.b1', 'manager', org.outletB1)
  await add('admin', 'admin', org.hq)
  // The tax credit loan queries the credit report.
  const current = await t.db.selectFrom('product_versions').select('version').where('code', '=', 'tax_credit').orderBy('version', 'desc').executeTakeFirstOrThrow()
  await saveProduct(t.db, { actor: who.admin.actor }, { rules: { ...DEFAULT_PRODUCTS[0], queriesCredit: true, active: true }, expectedVersion: current.version })
  server = await startTestServer(t, { storage: { kind: 'disk', dir: storageDir } })
  const { token } = await createApiToken(t.db, { actor: SYSTEM_ACTOR }, { name: 'loan system', purpose: 'loan_events' })
  sim = await startLoanSim({ appUrl: server.url, token, secret: SECRET, walk: false })
})

afterAll(async () => {
  await sim?.stop()
  await server?.close()
  await t?.destroy()
  if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true })
})

describe('the authorisation text', () => {
  it('saves each edit as a new version, keeping the old ones unchanged, audited', async () => {
    const first = await findCurrentConsentText(t.db)
    expect(first).toMatchObject({ version: 1, valid_days: 90 })
    expect(first!.body).toContain('征信查询授权书')
    const { version } = await saveConsentText(t.db, who.admin, { body: '征信查询授权书\n第二版文本。', validDays: 30, expectedVersion: 1 })
    expect(version).toBe(2)
    const rows = await t.db.selectFrom('consent_texts').selectAll().orderBy('version').execute()
    expect(rows.map((r) => [r.version, r.valid_days])).toEqual([[1, 90], [2, 30]])
    expect(rows[0].body).toBe(first!.body)
    // Someone else saved meanwhile: refused, nothing written.
    expect((await failure(saveConsentText(t.db, who.admin, { body: 'x', validDays: 30, expectedVersion: 1 }))).messageKey).toBe('consentText.changedMeanwhile')
    const audit = await t.db.selectFrom('audit_log').select(['action', 'entity_id']).where('action', '=', 'consent_text.saved').execute()
    expect(audit).toEqual([{ action: 'consent_text.saved', entity_id: '2' }])
  })
})

describe('signing', () => {
  it('stores the signature and the signed PDF, with a hash over all the consent says', async () => {
    const playerId = await playerWithNeed('签署')
    const { consent, created } = await sign(playerId)
    expect(created).toBe(true)
    expect(consent).toMatchObject({ player_id: playerId, signer_role: 'legal_representative', lat: 33.7801235, lng: 114.5304568, accuracy_m: 12.3, withdrawn_at: null })
    const text = await t.db.selectFrom('consent_texts').selectAll().where('version', '=', consent.text_version).executeTakeFirstOrThrow()
    // Valid for the text's days from signing.
    expect(Date.parse(consent.expires_at) - Date.parse(consent.signed_at)).toBe(text.valid_days * 86_400_000)
    const signature = await storage.get(consent.signature_key)
    expect(sha256Hex(signature!)).toBe(consent.signature_sha256)
    const form = await storage.get(consent.form_key)
    expect(form!.subarray(0, 5).toString()).toBe('%PDF-')
    expect(sha256Hex(form!)).toBe(consent.form_sha256)
    // The font is embedded (the Chinese text needs it).
    expect(form!.includes('FontFile2')).toBe(true)
    const player = await t.db.selectFrom('market_players').select(['name', 'uscc']).where('id', '=', playerId).executeTakeFirstOrThrow()
    const facts: ConsentFacts = {
      consentId: consent.id, playerId, playerName: player.name, uscc: player.uscc, textVersion: text.version, textSha256: sha256Hex(text.body),
      signerName: '王五', signerRole: 'legal_representative', signedAt: consent.signed_at, lat: consent.lat, lng: consent.lng, accuracyM: consent.accuracy_m,
      officerId: who['off.a1'].actor.id, officerName: 'off.a1', signatureSha256: consent.signature_sha256, expiresAt: consent.expires_at,
    }
    expect(hashConsent(facts)).toBe(consent.sha256)
    // Any fact changed changes the hash.
    expect(hashConsent({ ...facts, signerName: '李四' })).not.toBe(consent.sha256)
    // The same form sent again is the same consent.
    const again = await signConsent(t.db, who['off.a1'], { storage, fontFile: FONT }, {
      consentId: consent.id, playerId, textVersion: text.version, signerName: '王五', signerRole: 'legal_representative', signaturePng: signaturePng(), strokes: penStrokes(), lat: null, lng: null, accuracyM: null,
    })
    expect(again).toEqual({ consent, created: false })
    const audit = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'consent.signed').where('entity_id', '=', String(playerId)).execute()
    expect(audit).toHaveLength(1)
    expect(JSON.parse(audit[0].detail!)).toMatchObject({ consentId: consent.id, sha256: consent.sha256 })
  })

  it.each([
    ['a forged payload that is not a PNG', { signaturePng: new Uint8Array(Buffer.from('<svg><script>alert(1)</script></svg>')) }, 'consent.signature.notPng'],
    ['a signature over 300 KB', { signaturePng: new Uint8Array(signaturePng(600, 300, 400 * 1024)) }, 'consent.signature.tooLarge'],
    ['no pen strokes', { strokes: [] }, 'consent.signature.empty'],
    ['strokes that are not strokes', { strokes: [{ points: 'x' }] }, 'consent.signature.empty'],
    ['a tap, not a signature', { strokes: penStrokes(2) }, 'consent.signature.empty'],
    ['a 1×1 image', { signaturePng: new Uint8Array(signaturePng(1, 1)) }, 'consent.signature.badSize'],
    ['a stale text version', { textVersion: 1 }, 'consent.staleText'],
    ['a position out of range', { lat: 123 }, 'consent.badPosition'],
  ])('refuses %s, storing nothing', async (_name, overrides, key) => {
    const playerId = await playerWithNeed('坏')
    const [rows, files] = [await countRows(), storedFiles()]
    expect((await failure(sign(playerId, overrides as Partial<SignConsentInput>))).messageKey).toBe(key)
    expect(await countRows()).toBe(rows)
    expect(storedFiles()).toEqual(files)
  })

  it("refuses another outlet's player as missing, and an id already used for another player, storing nothing", async () => {
    const playerId = await playerWithNeed('范围')
    const [rows, files] = [await countRows(), storedFiles()]
    const outside = await failure(sign(playerId, {}, who['off.b1']))
    expect([outside.code, outside.messageKey]).toEqual(['not_found', 'consent.playerNotFound'])
    const other = await playerWithNeed('另一')
    const { consent } = await sign(other)
    const taken = await failure(sign(playerId, { consentId: consent.id }))
    expect([taken.code, taken.messageKey]).toEqual(['conflict', 'consent.idTaken'])
    expect(await countRows()).toBe(rows + 1)
    expect(storedFiles()).toHaveLength(files.length + 2)
  })

  it('over HTTP: refuses a forged signature beside the pad, signs a real one once, and withdraws it', async () => {
    const playerId = await playerWithNeed('表单')
    const officer = new Client(server.url)
    await officer.signIn('off.a1', PASSWORD)
    const text = await findCurrentConsentText(t.db)
    const form = (signature: Buffer, consentId: string) => ({
      intent: 'sign', consentId, textVersion: String(text!.version), signerName: '王五', signerRole: 'owner',
      signature: `data:image/png;base64,${signature.toString('base64')}`, strokes: JSON.stringify(penStrokes()), lat: '33.78', lng: '114.53', accuracy: '8',
    })
    const [rows, files] = [await countRows(), storedFiles()]
    const forged = await officer.post(`/players/${playerId}/consent`, form(Buffer.from('<svg onload="alert(1)"/>'), `form-${playerId}-a`))
    expect(forged.status).toBe(422)
    expect(await forged.text()).toContain('签名数据无效：不是 PNG 图像')
    expect([await countRows(), storedFiles()]).toEqual([rows, files])
    const signed = await officer.post(`/players/${playerId}/consent`, form(signaturePng(), `form-${playerId}-b`))
    expect([signed.status, signed.headers.get('Location')]).toEqual([302, `/players/${playerId}/consent?signed=form-${playerId}-b`])
    const again = await officer.post(`/players/${playerId}/consent`, form(signaturePng(), `form-${playerId}-b`))
    expect(again.status).toBe(302)
    expect(await countRows()).toBe(rows + 1)
    const withdrawn = await officer.post(`/players/${playerId}/consent`, { intent: 'withdraw', consentId: `form-${playerId}-b`, reason: '经营者撤回' })
    expect(withdrawn.status).toBe(200)
    expect(await withdrawn.text()).toContain('授权已撤回')
    expect((await findPlayerConsents(t.db, who['off.a1'], { playerId }))[0]).toMatchObject({ id: `form-${playerId}-b`, standing: 'withdrawn', withdrawnReason: '经营者撤回' })
  })

  it('shows the signed form to those in scope only, every view audited', async () => {
    const playerId = await playerWithNeed('查看')
    const { consent } = await sign(playerId)
    const form = await readSignedForm(t.db, who['mgr.a1'], storage, { consentId: consent.id, part: 'form' })
    expect(form.contentType).toBe('application/pdf')
    expect((await failure(readSignedForm(t.db, who['mgr.b1'], storage, { consentId: consent.id, part: 'form' }))).code).toBe('not_found')
    const views = await t.db.selectFrom('audit_log').select(['actor_id', 'detail']).where('action', '=', 'consent.viewed').where('entity_id', '=', String(playerId)).execute()
    expect(views).toEqual([{ actor_id: who['mgr.a1'].actor.id, detail: JSON.stringify({ consentId: consent.id, part: 'form' }) }])
  })
})

describe('the hand-off of a product that queries the credit report', () => {
  it('is refused without a consent, and carries a valid one', async () => {
    const playerId = await playerWithNeed('移交')
    const refused = await failure(handOff(playerId))
    expect([refused.code, refused.messageKey, refused.params.field]).toEqual(['unprocessable', 'referral.consentNeeded', 'productCode'])
    expect(await t.db.selectFrom('referrals').select('id').where('player_id', '=', playerId).execute()).toEqual([])
    const { consent } = await sign(playerId)
    const referral = await handOff(playerId)
    expect(referral.consent_id).toBe(consent.id)
    const entry = await t.db.selectFrom('outbox').select('payload').where('referral_id', '=', referral.id).executeTakeFirstOrThrow()
    expect(JSON.parse(entry.payload).consent).toEqual({ id: consent.id, sha256: consent.sha256, href: `/api/v1/consents/${consent.id}` })
  })

  it('says so beside the hand-off button on the player page, and as 422 consent_needed on the API (real HTTP)', async () => {
    const playerId = await playerWithNeed('页面')
    const officer = new Client(server.url)
    await officer.signIn('off.a1', PASSWORD)
    const page = await officer.post(`/players/${playerId}`, { intent: 'hand-off', productCode: 'tax_credit', amount: '50', termMonths: '12' })
    expect(page.status).toBe(422)
    const html = await page.text()
    expect(html).toContain('移交前须有经营者或法定代表人签署的有效征信查询授权')
    expect(html).toContain(`href="/players/${playerId}/consent"`)
    const api = await officer.request('/api/v1/referrals', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `consent-api-${playerId}` },
      body: JSON.stringify({ playerId, productCode: 'tax_credit', amountYuan: 500_000, termMonths: 12 }),
    })
    expect(api.status).toBe(422)
    expect(((await api.json()) as { error: string }).error).toBe('consent_needed')
    expect(await t.db.selectFrom('referrals').select('id').where('player_id', '=', playerId).execute()).toEqual([])
  })

  it('does not count an expired consent', async () => {
    const playerId = await playerWithNeed('过期')
    const { consent } = await sign(playerId)
    const afterExpiry = new Date(Date.parse(consent.expires_at) + 1000)
    expect((await failure(handOff(playerId, afterExpiry))).messageKey).toBe('referral.consentNeeded')
    expect((await findPlayerConsents(t.db, who['off.a1'], { playerId, now: afterExpiry }))[0].standing).toBe('expired')
  })

  it('does not count a withdrawn consent, which is kept on record', async () => {
    const playerId = await playerWithNeed('撤回')
    const { consent } = await sign(playerId)
    expect((await failure(withdrawConsent(t.db, who['off.b1'], { consentId: consent.id, reason: '客户要求' }))).code).toBe('not_found')
    await withdrawConsent(t.db, who['off.a1'], { consentId: consent.id, reason: '客户要求' })
    expect((await failure(withdrawConsent(t.db, who['off.a1'], { consentId: consent.id, reason: '再次' }))).messageKey).toBe('consent.alreadyWithdrawn')
    const kept = await t.db.selectFrom('consents').selectAll().where('id', '=', consent.id).executeTakeFirstOrThrow()
    expect(kept).toMatchObject({ withdrawn_by: who['off.a1'].actor.id, withdrawn_reason: '客户要求', sha256: consent.sha256 })
    expect(kept.withdrawn_at).not.toBeNull()
    expect((await failure(handOff(playerId))).messageKey).toBe('referral.consentNeeded')
    expect((await findPlayerConsents(t.db, who['off.a1'], { playerId }))[0].standing).toBe('withdrawn')
    expect(await t.db.selectFrom('audit_log').select('action').where('action', '=', 'consent.withdrawn').where('entity_id', '=', String(playerId)).execute()).toHaveLength(1)
  })
})

describe('the loan system fetching the consent (real HTTP)', () => {
  async function deliver(referralId: number) {
    const entries = (await claimOutboxEntries(t.db, 'test', 50)).filter((e) => e.referral_id === referralId)
    await deliverClaimed(t.db, entries, { url: sim.url, secret: SECRET })
    return t.db.selectFrom('outbox').select(['state', 'last_error']).where('referral_id', '=', referralId).executeTakeFirstOrThrow()
  }

  it('fetches the consent with its token, checks the hash, and takes the case', async () => {
    const playerId = await playerWithNeed('贷款系统')
    await sign(playerId)
    const referral = await handOff(playerId)
    expect(await deliver(referral.id)).toEqual({ state: 'delivered', last_error: null })
    expect(sim.consents.get(referral.id)).toEqual({ consentId: referral.consent_id, verdict: 'ok' })
    const fetched = await t.db.selectFrom('audit_log').select('actor_username as username').where('action', '=', 'consent.fetched').where('entity_id', '=', String(playerId)).execute()
    expect(fetched).toEqual([{ username: 'token:loan system' }])
  })

  it('refuses a consent altered after signing: the hash does not match', async () => {
    const playerId = await playerWithNeed('篡改')
    const { consent } = await sign(playerId)
    const referral = await handOff(playerId)
    await t.db.updateTable('consents').set({ signer_name: '冒名' }).where('id', '=', consent.id).execute()
    const outcome = await deliver(referral.id)
    expect(outcome.state).toBe('failed')
    expect(outcome.last_error).toContain('the consent hash does not match')
    expect(sim.consents.get(referral.id)?.verdict).toBe('the consent hash does not match')
  })

  it('gives a consent only to a live loan-system token, and only one a referral carried', async () => {
    const playerId = await playerWithNeed('令牌')
    const { consent } = await sign(playerId)
    expect((await fetch(`${server.url}/api/v1/consents/${consent.id}`)).status).toBe(401)
    const { token: figures } = await createApiToken(t.db, { actor: SYSTEM_ACTOR }, { name: 'bi', purpose: 'figures_read' })
    expect((await fetch(`${server.url}/api/v1/consents/${consent.id}`, { headers: { Authorization: `Bearer ${figures}` } })).status).toBe(401)
    const { token } = await createApiToken(t.db, { actor: SYSTEM_ACTOR }, { name: 'loan system 2', purpose: 'loan_events' })
    expect((await fetch(`${server.url}/api/v1/consents/${consent.id}`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(404)
    await handOff(playerId)
    const response = await fetch(`${server.url}/api/v1/consents/${consent.id}`, { headers: { Authorization: `Bearer ${token}` } })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { consent: ConsentFacts; sha256: string; standing: string }
    expect(Object.keys(body.consent)).toEqual([...CONSENT_HASH_FIELDS])
    expect([body.sha256, body.standing]).toEqual([consent.sha256, 'valid'])
  })
})
