// Consents signed offline on a real database (SQLite, and PostgreSQL when configured), over real
// HTTP: POST /api/v1/consents, as the phone's outbox sends a consent when the signal is back.
// Stored once per client id (a resend stores nothing and answers the same), with the phone's
// signing time (China time, kept in UTC and in the hash), the time it arrived, and the position
// with its accuracy and live/cached fix; a forged, oversized or non-PNG signature, a player out
// of the officer's scope, a stale text version or an impossible signing time is refused with a
// clear message, and nothing is stored.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { chinaIsoTime, chinaTimeText } from '../../app/domain/china-time'
import { hashConsent, sha256Hex } from '../../app/services/consents/consent-hash.server'
import { saveConsentText } from '../../app/services/consents/save-consent-text.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { routeSuite } from '../support/route-suite'
import { penStrokes, signaturePng } from '../support/signature-fixture'
import { TEST_DATA_KEY } from '../support/test-constants'
import type { Client } from '../support/http-client'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-consents-offline-'))
const ids: Record<string, number> = {}
let n = 0

afterAll(() => fs.rmSync(storageDir, { recursive: true, force: true }))

const suite = routeSuite(
  async (t) => {
    const org = await buildOrg(t.db)
    ids.officer = await addUser(t.db, 'off.a1', 'officer', org.outletA1.id)
    ids.otherOfficer = await addUser(t.db, 'off.b1', 'officer', org.outletB1.id)
    ids.hq = await addUser(t.db, 'hq.user', 'hq', org.hq.id)
    ids.admin = await addUser(t.db, 'admin.user', 'admin', org.hq.id)
    for (const [key, name, unit] of [['own', '离线签署商店', org.outletA1.id], ['elsewhere', '乙地商店', org.outletB1.id]] as const) {
      ids[key] = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields(name), orgUnitId: unit })
    }
    await t.db.updateTable('market_players').set({ assigned_officer_id: ids.officer }).where('id', '=', ids.own).execute()
    await t.db.updateTable('market_players').set({ assigned_officer_id: ids.otherOfficer }).where('id', '=', ids.elsewhere).execute()
  },
  { storage: { kind: 'disk', dir: storageDir } },
)

const dataUrl = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`

async function currentVersion(): Promise<number> {
  return (await suite.t.db.selectFrom('consent_texts').select('version').orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow()).version
}

/** A consent as the outbox sends it, signed `minutesAgo` minutes ago (China time). */
async function payload(overrides: Record<string, unknown> = {}, minutesAgo = 120): Promise<Record<string, unknown>> {
  return {
    id: `offline-${++n}-${crypto.randomBytes(4).toString('hex')}`,
    playerId: ids.own,
    textVersion: await currentVersion(),
    signerName: '王五',
    signerRole: 'legal_representative',
    signature: dataUrl(signaturePng()),
    strokes: penStrokes(),
    lat: 33.7801234567,
    lng: 114.5304567891,
    accuracy: 23.46,
    positionFix: 'cached',
    signedAt: chinaIsoTime(Date.now() - minutesAgo * 60_000),
    ...overrides,
  }
}

const send = (client: Client, body: unknown) =>
  client.request('/api/v1/consents', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) })

const countRows = async () => Number((await suite.t.db.selectFrom('consents').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n)

function storedFiles(): string[] {
  return fs.readdirSync(storageDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

/** Sends `body` and checks it is refused with `status` and `message` (on `field` when given), storing nothing. */
async function refused(client: Client, body: unknown, status: number, message: string | RegExp, field?: string) {
  const [rows, files, audits] = [await countRows(), storedFiles().length, await suite.t.db.selectFrom('audit_log').select('id').where('action', '=', 'consent.signed').execute()]
  const response = await send(client, body)
  const answer = (await response.json()) as { message: string; fields?: Record<string, string[]> }
  expect(response.status, JSON.stringify(answer)).toBe(status)
  expect(answer.message).toMatch(message)
  if (field) expect(answer.fields?.[field]?.join(' ')).toMatch(message)
  expect(await countRows()).toBe(rows)
  expect(storedFiles()).toHaveLength(files)
  expect(await suite.t.db.selectFrom('audit_log').select('id').where('action', '=', 'consent.signed').execute()).toHaveLength(audits.length)
  return answer
}

describe('POST /api/v1/consents (a consent signed offline)', () => {
  it('stores it once with the phone’s signing time, its arrival and the position fix; a resend answers the same', async () => {
    const officer = await suite.signedIn('off.a1')
    const body = await payload({}, 180)
    const first = await send(officer, body)
    const answer = (await first.json()) as { consent: Record<string, unknown> }
    expect(first.status, JSON.stringify(answer)).toBe(201)
    const signedAt = new Date(Date.parse(String(body.signedAt))).toISOString()
    expect(String(body.signedAt)).toMatch(/\+08:00$/)
    expect(answer.consent).toMatchObject({ id: body.id, playerId: ids.own, signedAt, positionFix: 'cached', standing: 'valid' })
    expect(Date.parse(String(answer.consent.receivedAt)) - Date.parse(signedAt)).toBeGreaterThanOrEqual(179 * 60_000)

    const row = await suite.t.db.selectFrom('consents').selectAll().where('id', '=', String(body.id)).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ player_id: ids.own, officer_id: ids.officer, signed_at: signedAt, position_fix: 'cached', lat: 33.7801235, lng: 114.5304568, accuracy_m: 23.5 })
    expect(row.received_at > row.signed_at).toBe(true)
    // Valid for the text's 90 days from when it was signed, not from when it arrived.
    expect(row.expires_at).toBe(new Date(Date.parse(signedAt) + 90 * 86_400_000).toISOString())
    // The hash covers the phone's signing time: recomputed from the facts, it matches.
    const text = await suite.t.db.selectFrom('consent_texts').selectAll().where('version', '=', row.text_version).executeTakeFirstOrThrow()
    expect(row.sha256).toBe(
      hashConsent({
        consentId: row.id, playerId: ids.own, playerName: '离线签署商店', uscc: null, textVersion: text.version, textSha256: sha256Hex(text.body), signerName: '王五',
        signerRole: 'legal_representative', signedAt, lat: 33.7801235, lng: 114.5304568, accuracyM: 23.5, officerId: ids.officer, officerName: 'off.a1',
        signatureSha256: row.signature_sha256, expiresAt: row.expires_at,
      }),
    )
    const files = storedFiles().filter((f) => f.includes(row.id))
    expect(files.map((f) => path.basename(f)).sort()).toEqual([path.basename(row.form_key), path.basename(row.signature_key)])

    // The answer was lost on the way back: the outbox sends it again, stored nothing new.
    const again = await send(officer, body)
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(answer)
    expect(await countRows()).toBe(1)
    expect(storedFiles().filter((f) => f.includes(row.id))).toHaveLength(2)
    expect(await suite.t.db.selectFrom('audit_log').select('detail').where('action', '=', 'consent.signed').execute()).toHaveLength(1)

    // The player's consents say it was signed offline and when it arrived (China time).
    const page = await (await officer.get(`/players/${ids.own}/consent`)).text()
    expect(page).toContain(`离线签署，${chinaTimeText(row.received_at)} 送达`)
    expect(page).toContain(chinaTimeText(signedAt))

    // The same id with another signature is another consent: refused, nothing stored.
    await refused(officer, { ...body, signature: dataUrl(signaturePng(640, 320)) }, 409, /编号已被另一份授权使用/)
  })

  it('refuses forged, oversized and non-PNG signatures with a clear message, storing nothing', async () => {
    const officer = await suite.signedIn('off.a1')
    const png = signaturePng()
    // Not a PNG: a JPEG's bytes called one, and a script carrier.
    await refused(officer, await payload({ signature: dataUrl(Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.alloc(200)])) }), 422, '签名数据无效：不是 PNG 图像。', 'signature')
    await refused(officer, await payload({ signature: `data:image/svg+xml;base64,${Buffer.from('<svg onload="alert(1)"/>').toString('base64')}` }), 400, '签名数据无效：不是 PNG 图像。', 'signature')
    // Forged: a drawn PNG altered after the pad made it (one byte of its picture), and a PNG header on other bytes.
    const altered = Buffer.from(png)
    altered[altered.length - 20] ^= 0xff
    await refused(officer, await payload({ signature: dataUrl(altered) }), 422, '签名图像已损坏或被改动（PNG 校验不通过），请重新签名。', 'signature')
    await refused(officer, await payload({ signature: dataUrl(Buffer.concat([png.subarray(0, 33), Buffer.from('<svg onload="alert(1)"/>')])) }), 422, /签名图像已损坏或被改动/, 'signature')
    // A mark with no pen strokes behind it is no signature.
    await refused(officer, await payload({ strokes: [] }), 422, '签名为空：请在框内用手指签名。', 'signature')
    // Oversized: over 300 KB, and a body over the API's 1 MB, refused from its length alone.
    await refused(officer, await payload({ signature: dataUrl(signaturePng(600, 300, 310 * 1024)) }), 422, '签名图像过大：最多 300 KB。', 'signature')
    const before = await countRows()
    const huge = await send(officer, await payload({ signature: dataUrl(signaturePng(600, 300, 1024 * 1024)) }))
    expect(huge.status).toBe(413)
    expect(await countRows()).toBe(before)
  })

  it('refuses a player out of the officer’s scope, a stale text version and an impossible signing time', async () => {
    const officer = await suite.signedIn('off.a1')
    await refused(officer, await payload({ playerId: ids.elsewhere }), 404, '找不到该市场主体（或不在您的范围内）。')
    await refused(officer, await payload({}, -60), 422, /签署时间晚于当前时间/, 'signedAt')
    await refused(officer, await payload({}, 31 * 24 * 60), 422, '签署已超过 30 天仍未发送，不能再接收：请重新签署。', 'signedAt')
    await refused(officer, { ...(await payload()), signedAt: 'yesterday' }, 400, /ISO-8601/, 'signedAt')
    const two = await refused(officer, { ...(await payload()), signerName: ' ', positionFix: 'guessed' }, 400, /^请检查授权数据：.+ .+/)
    expect(Object.keys(two.fields ?? {})).toEqual(['signerName', 'positionFix'])

    // Signed on version v while offline; meanwhile the admin saved v+1.
    const stored = await payload()
    expect((await send(officer, stored)).status).toBe(201)
    const signedOnOld = await payload()
    const version = await currentVersion()
    await saveConsentText(suite.t.db, { actor: { id: ids.admin, username: 'admin.user', ip: null } }, { body: '征信查询授权书\n新版文本。', validDays: 60, expectedVersion: version })
    await refused(officer, signedOnOld, 409, `授权书文本已更新为第 ${version + 1} 版，请让签署人阅读新文本后重新签署。`)
    // A consent stored before the change is still answered as stored when sent again.
    const resent = await send(officer, stored)
    expect(resent.status).toBe(200)
    expect(((await resent.json()) as { consent: { textVersion: number } }).consent.textVersion).toBe(version)
  })

  it('is for the officer’s phone only: no session 401, a desk role 403, a form 415', async () => {
    const body = await payload()
    await refused(suite.client(), body, 401, /sign in/)
    await refused(await suite.signedIn('hq.user'), body, 403, /.+/)
    const officer = await suite.signedIn('off.a1')
    const form = await officer.request('/api/v1/consents', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'id=x' })
    expect(form.status).toBe(415)
    expect((await officer.get('/api/v1/consents')).status).toBe(405)
  })
})
