// The owner's consent to query the credit report (征信查询授权, PRODUCT.md "Consents"): who
// may sign, what a signature payload must be, when a consent counts, and the one hash over
// everything a consent says, which Wanqi stores and the loan system recomputes to check
// that what it fetched is what was signed. Pure rules: no database, no files, no Node.
import { MAX_AGE_DAYS } from './visit'

/** How far ahead of the server's clock a phone's may be (as for a visit's time). */
const MAX_AHEAD_MS = 10 * 60_000

export const SIGNER_ROLES = ['owner', 'legal_representative'] as const
export type SignerRole = (typeof SIGNER_ROLES)[number]

/** A signature drawn on a phone is a few KB to a few tens of KB; anything bigger is not one. */
export const MAX_SIGNATURE_BYTES = 300 * 1024
/** Enough pen points to be a mark rather than a tap (signature_pad samples every few ms). */
export const MIN_SIGNATURE_POINTS = 10
export const MAX_CONSENT_TEXT_CHARS = 5000
export const MAX_VALID_DAYS = 3650
export const CONSENT_ID = /^[A-Za-z0-9_-]{8,64}$/

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

export type SignatureProblem = 'signature.notPng' | 'signature.tooLarge' | 'signature.empty' | 'signature.badSize' | 'signature.damaged'

/** Whether the consent's position was a live fix or the phone's last known one (as a visit's check-in). */
export const POSITION_FIXES = ['live', 'cached'] as const
export type PositionFix = (typeof POSITION_FIXES)[number]

/** The PNG's width and height from its IHDR chunk, or null when it is not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 33 || PNG_MAGIC.some((b, i) => bytes[i] !== b)) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

/**
 * Checks a signature as the phone sends it: a PNG (by its bytes, whatever it claims), at most
 * MAX_SIGNATURE_BYTES, of a pad's size, and drawn: the pen strokes signature_pad recorded
 * hold at least MIN_SIGNATURE_POINTS points. `strokes` is their JSON as sent.
 */
export function checkSignature(bytes: Uint8Array, strokes: unknown): SignatureProblem | null {
  if (bytes.byteLength > MAX_SIGNATURE_BYTES) return 'signature.tooLarge'
  const size = pngSize(bytes)
  if (!size) return 'signature.notPng'
  if (!pngChunksHold(bytes)) return 'signature.damaged'
  if (size.width < 100 || size.height < 50 || size.width > 4000 || size.height > 4000) return 'signature.badSize'
  if (strokePoints(strokes) < MIN_SIGNATURE_POINTS) return 'signature.empty'
  return null
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/**
 * Whether a PNG is whole as a canvas writes it: IHDR first, picture data, IEND last with
 * nothing after, and every chunk's CRC right. Bytes altered after the pad made them, or a
 * PNG header put on something else, fail here.
 */
export function pngChunksHold(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = 8
  let chunks = 0
  let pictures = 0
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at)
    const end = at + 12 + length
    if (end > bytes.length) return false
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8))
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return false
    if (chunks++ === 0 && type !== 'IHDR') return false
    if (type === 'IDAT') pictures++
    at = end
    if (type === 'IEND') return at === bytes.length && pictures > 0
  }
  return false
}

/** Points in signature_pad's `toData()`: [{ points: [{ x, y, … }] }]; anything else counts 0. */
export function strokePoints(strokes: unknown): number {
  if (!Array.isArray(strokes)) return 0
  let n = 0
  for (const stroke of strokes) {
    const points = (stroke as { points?: unknown } | null)?.points
    if (!Array.isArray(points)) return 0
    for (const p of points) if (typeof p?.x === 'number' && typeof p?.y === 'number' && Number.isFinite(p.x) && Number.isFinite(p.y)) n++
  }
  return n
}

/** What a consent says, as the hash covers it (and the loan system receives it). */
export interface ConsentFacts {
  consentId: string
  playerId: number
  playerName: string
  uscc: string | null
  textVersion: number
  /** SHA-256 of the authorisation text as shown. */
  textSha256: string
  signerName: string
  signerRole: SignerRole
  /** ISO-8601, UTC. */
  signedAt: string
  lat: number | null
  lng: number | null
  accuracyM: number | null
  officerId: number
  officerName: string
  /** SHA-256 of the signature PNG as stored. */
  signatureSha256: string
  expiresAt: string
}

/** The order the hash reads the facts in: fixed, so anyone can recompute it. */
export const CONSENT_HASH_FIELDS = [
  'consentId', 'playerId', 'playerName', 'uscc', 'textVersion', 'textSha256', 'signerName', 'signerRole',
  'signedAt', 'lat', 'lng', 'accuracyM', 'officerId', 'officerName', 'signatureSha256', 'expiresAt',
] as const satisfies readonly (keyof ConsentFacts)[]

/**
 * What the consent's hash is taken over: the facts as JSON, keys in CONSENT_HASH_FIELDS'
 * order. The hash itself is SHA-256 (hex) of this text's UTF-8 bytes (made on the server;
 * this module stays free of Node so the signing page can import it).
 */
export function consentHashInput(facts: ConsentFacts): string {
  return JSON.stringify(Object.fromEntries(CONSENT_HASH_FIELDS.map((k) => [k, facts[k] ?? null])))
}

/** Positions kept to the centimetre and accuracy to the decimetre, so both databases give back what was hashed. */
export function roundPosition(p: { lat: number | null; lng: number | null; accuracyM: number | null }) {
  const round = (v: number | null, places: number) => (v === null ? null : Math.round(v * 10 ** places) / 10 ** places)
  return { lat: round(p.lat, 7), lng: round(p.lng, 7), accuracyM: round(p.accuracyM, 1) }
}

/** When a consent signed at `signedAt` on a text valid `validDays` days stops counting. */
export function consentExpiry(signedAt: string, validDays: number): string {
  return new Date(Date.parse(signedAt) + validDays * 86_400_000).toISOString()
}

/**
 * When a consent may say it was signed: a phone with no signal keeps it in its outbox as long
 * as it keeps a visit (MAX_AGE_DAYS), and its clock may run a little ahead of the server's.
 */
export function checkSignedAt(signedAt: Date, now: Date): { key: 'consent.signedInFuture' } | { key: 'consent.signedTooLongAgo'; days: number } | null {
  if (signedAt.getTime() > now.getTime() + MAX_AHEAD_MS) return { key: 'consent.signedInFuture' }
  if (signedAt.getTime() < now.getTime() - MAX_AGE_DAYS * 86_400_000) return { key: 'consent.signedTooLongAgo', days: MAX_AGE_DAYS }
  return null
}

export type ConsentStanding = 'valid' | 'expired' | 'withdrawn'

/** A withdrawn or expired consent does not count, whatever else holds. */
export function consentStanding(consent: { expires_at: string; withdrawn_at: string | null }, now: Date): ConsentStanding {
  if (consent.withdrawn_at !== null) return 'withdrawn'
  return consent.expires_at > now.toISOString() ? 'valid' : 'expired'
}
