// The consent rules: what a signature payload must be, when a consent counts, and the hash
// input's fixed order (which the loan system recomputes).
import { describe, expect, it } from 'vitest'
import { CONSENT_HASH_FIELDS, checkSignature, checkSignedAt, consentExpiry, consentHashInput, consentStanding, pngChunksHold, roundPosition, strokePoints, type ConsentFacts } from '../../app/domain/consent'
import { parseProduct } from '../../app/forms/product'
import { penStrokes, signaturePng } from '../support/signature-fixture'

const facts: ConsentFacts = {
  consentId: 'c-12345678', playerId: 7, playerName: '甲面馆', uscc: null, textVersion: 2, textSha256: 'a'.repeat(64), signerName: '王五', signerRole: 'owner',
  signedAt: '2026-12-03T02:00:00.000Z', lat: 33.78, lng: 114.53, accuracyM: 9, officerId: 3, officerName: '李四', signatureSha256: 'b'.repeat(64), expiresAt: '2027-03-03T02:00:00.000Z',
}

describe('a signature payload', () => {
  it('is a drawn PNG of a pad\'s size', () => {
    expect(checkSignature(signaturePng(), penStrokes())).toBeNull()
    expect(checkSignature(new TextEncoder().encode('GIF89a not a png at all, padded to length'), penStrokes())).toBe('signature.notPng')
    expect(checkSignature(signaturePng(600, 300, 301 * 1024), penStrokes())).toBe('signature.tooLarge')
    expect(checkSignature(signaturePng(20, 20), penStrokes())).toBe('signature.badSize')
    expect(checkSignature(signaturePng(), [])).toBe('signature.empty')
    expect(checkSignature(signaturePng(), penStrokes(9))).toBe('signature.empty')
  })

  it('is a whole PNG: a byte changed after the pad made it, or a PNG header on other bytes, is damaged', () => {
    const png = signaturePng()
    expect(pngChunksHold(png)).toBe(true)
    for (const at of [16, 40, png.length - 20, png.length - 14]) {
      const altered = Buffer.from(png)
      altered[at] ^= 0x01
      expect(pngChunksHold(altered), `byte ${at}`).toBe(false)
      expect(checkSignature(altered, penStrokes()), `byte ${at}`).toBe('signature.damaged')
    }
    expect(pngChunksHold(png.subarray(0, png.length - 12))).toBe(false) // no IEND
    expect(pngChunksHold(Buffer.concat([png, Buffer.from('trailing')]))).toBe(false)
    expect(checkSignature(Buffer.concat([png.subarray(0, 33), Buffer.from('<svg onload="alert(1)"/>')]), penStrokes())).toBe('signature.damaged')
  })

  it('says when it was signed: not ahead of the server by more than 10 minutes, not more than 30 days ago', () => {
    const now = new Date('2026-12-04T06:00:00.000Z')
    expect(checkSignedAt(new Date('2026-12-04T06:09:00.000Z'), now)).toBeNull()
    expect(checkSignedAt(new Date('2026-11-04T06:01:00.000Z'), now)).toBeNull()
    expect(checkSignedAt(new Date('2026-12-04T06:11:00.000Z'), now)).toEqual({ key: 'consent.signedInFuture' })
    expect(checkSignedAt(new Date('2026-11-04T05:59:00.000Z'), now)).toEqual({ key: 'consent.signedTooLongAgo', days: 30 })
  })

  it('counts only real points in signature_pad\'s strokes', () => {
    expect(strokePoints(penStrokes(12))).toBe(12)
    expect(strokePoints({ points: [] })).toBe(0)
    expect(strokePoints([{ points: [{ x: 'a', y: 1 }, { x: Number.NaN, y: 1 }, { x: 1, y: 2 }] }])).toBe(1)
    expect(strokePoints([{ nope: true }])).toBe(0)
  })
})

describe('a consent', () => {
  it('counts until it expires or is withdrawn', () => {
    const expires = consentExpiry('2026-12-03T02:00:00.000Z', 90)
    expect(expires).toBe('2027-03-03T02:00:00.000Z')
    expect(consentStanding({ expires_at: expires, withdrawn_at: null }, new Date('2027-03-03T01:59:59Z'))).toBe('valid')
    expect(consentStanding({ expires_at: expires, withdrawn_at: null }, new Date('2027-03-03T02:00:00Z'))).toBe('expired')
    expect(consentStanding({ expires_at: expires, withdrawn_at: '2026-12-04T00:00:00Z' }, new Date('2026-12-05T00:00:00Z'))).toBe('withdrawn')
  })

  it('hashes its facts as JSON in a fixed order, whatever order they were given in', () => {
    const shuffled = Object.fromEntries(Object.entries(facts).reverse()) as unknown as ConsentFacts
    expect(consentHashInput(shuffled)).toBe(consentHashInput(facts))
    expect(Object.keys(JSON.parse(consentHashInput(facts)) as object)).toEqual([...CONSENT_HASH_FIELDS])
    expect(consentHashInput({ ...facts, signerName: '赵六' })).not.toBe(consentHashInput(facts))
  })

  it('keeps positions to 7 places and accuracy to 1', () => {
    expect(roundPosition({ lat: 33.123456789, lng: -114.98765432, accuracyM: 12.345 })).toEqual({ lat: 33.1234568, lng: -114.9876543, accuracyM: 12.3 })
    expect(roundPosition({ lat: null, lng: null, accuracyM: null })).toEqual({ lat: null, lng: null, accuracyM: null })
  })
})

describe('the products editor', () => {
  it('keeps the "queries credit" flag a product is saved with', () => {
    const base = { code: 'credit_query', name: '查征信的贷款', kind: 'credit', limit: '30', active: '1' }
    const marked = parseProduct({ ...base, queriesCredit: '1' })
    const plain = parseProduct(base)
    expect(marked.ok && marked.data.queriesCredit).toBe(true)
    expect(plain.ok && plain.data.queriesCredit).toBe(false)
  })
})
