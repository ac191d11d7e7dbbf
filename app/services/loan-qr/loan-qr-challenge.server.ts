// The public page's proof of work: a challenge signed by the server (so it needs no storage
// until it is spent), answered by a nonce whose SHA-256 with it starts with enough zero bits.
// A bot must pay the hashing for every submission; a person's phone does it while they type.
import crypto from 'node:crypto'
import { hasLeadingZeroBits, LOAN_QR_CHALLENGE_MINUTES, LOAN_QR_POW_BITS } from '../../domain/loan-qr'

function mac(secret: string, token: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(`loan-qr:${token}:${body}`).digest('base64url').slice(0, 22)
}

/** A fresh challenge for the page of `token`: `<issued ms>.<random>.<mac>`. */
export function issueLoanQrChallenge(secret: string, token: string, now = new Date()): string {
  const body = `${now.getTime()}.${crypto.randomBytes(9).toString('base64url')}`
  return `${body}.${mac(secret, token, body)}`
}

/** The challenge's spend key when it is ours, fresh, and the nonce answers it; else null. */
export function verifyLoanQrProof(secret: string, token: string, challenge: unknown, nonce: unknown, now = new Date()): string | null {
  if (typeof challenge !== 'string' || typeof nonce !== 'string' || challenge.length > 200 || !/^\d{1,20}$/.test(nonce)) return null
  const parts = challenge.split('.')
  if (parts.length !== 3) return null
  const [issued, random, given] = parts as [string, string, string]
  const expected = mac(secret, token, `${issued}.${random}`)
  if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return null
  const age = now.getTime() - Number(issued)
  if (!(age >= -60_000 && age <= LOAN_QR_CHALLENGE_MINUTES * 60_000)) return null
  const digest = crypto.createHash('sha256').update(`${challenge}:${nonce}`).digest()
  return hasLeadingZeroBits(digest, LOAN_QR_POW_BITS) ? `pow:${random}` : null
}

/** SHA-256 in one call where Node has it (20.12 and later): no Hash object per nonce, about 0.6× the CPU. */
const sha256: (text: string) => Uint8Array =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'buffer') : (text) => crypto.createHash('sha256').update(text).digest()

/** The first nonce (0, 1, 2, …) that answers `challenge`, or with `answers` false the first that does not. */
function firstNonce(challenge: string, answers: boolean): string {
  for (let nonce = 0; ; nonce++) {
    if (hasLeadingZeroBits(sha256(`${challenge}:${nonce}`), LOAN_QR_POW_BITS) === answers) return String(nonce)
  }
}

/** What the page's script does, in Node: for tests and the benchmark (each solve is ~16,000 hashes). */
export function solveLoanQrChallenge(challenge: string): string {
  return firstNonce(challenge, true)
}

/**
 * A nonce that does not answer `challenge`, for tests and the benchmark of the refusal: a fixed
 * one such as '0' answers one challenge in 2^LOAN_QR_POW_BITS (16,384), and the try it was
 * meant to have refused is taken.
 */
export function wrongLoanQrNonce(challenge: string): string {
  return firstNonce(challenge, false)
}
