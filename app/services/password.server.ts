// Slow salted password hashes (scrypt). The parameters are stored with each hash, so they
// can be raised later without breaking existing passwords.
import crypto from 'node:crypto'
import os from 'node:os'
import { promisify } from 'node:util'

const scrypt = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>

type Cost = { N: number; r: number; p: number }
const FULL_COST: Cost = { N: 2 ** 15, r: 8, p: 1 }
let COST = FULL_COST
/** For one-time initial passwords only: random, 80 bits or more, and replaced at first
 * sign-in, so stretching adds nothing an attacker notices; 8 times cheaper, so 2,000 staff
 * import in seconds (docs/decisions/0101-initial-password-hash-cost.md). */
const INITIAL_COST = { N: 2 ** 12, r: 8, p: 1 }
const KEY_LENGTH = 32

/**
 * For the test suite only (test/support/cheap-passwords.ts; refused outside NODE_ENV=test):
 * the cost of the hashes this process makes from now on, so that hundreds of test users do
 * not each cost a tenth of a second of CPU. Verifying reads the cost stored with the hash.
 */
export function setPasswordCostForTests(cost: Cost | 'full'): void {
  if (process.env.NODE_ENV !== 'test') throw new Error('the password hash cost is fixed outside the test suite')
  COST = cost === 'full' ? FULL_COST : cost
}

export async function hashPassword(password: string, cost: Cost = COST): Promise<string> {
  const salt = crypto.randomBytes(16)
  const key = await scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...cost, maxmem: 128 * cost.N * cost.r * 2 })
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$')
}

/** A one-time initial password's hash (see INITIAL_COST): never for a password a person chose. */
export function hashInitialPassword(password: string): Promise<string> {
  return hashPassword(password, INITIAL_COST)
}

// scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise),
// off the event loop. One thread is left for file reads and sign-ins while a batch hashes.
const HASH_CONCURRENCY = Math.max(1, Math.min(os.availableParallelism(), 3))

/** Hashes many passwords in parallel on the thread pool, in the order given. */
export async function hashMany(passwords: readonly string[], hash: (password: string) => Promise<string>): Promise<string[]> {
  const out = new Array<string>(passwords.length)
  let next = 0
  const lane = async () => {
    while (next < passwords.length) {
      const i = next++
      out[i] = await hash(passwords[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, passwords.length) }, lane))
  return out
}

// Unambiguous characters only (no 0/O, 1/l/I): read off a screen or a printed sheet.
const INITIAL_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** A random one-time password, 16 characters in groups of four (about 92 bits). */
export function newInitialPassword(): string {
  const chars = Array.from({ length: 16 }, () => INITIAL_ALPHABET[crypto.randomInt(INITIAL_ALPHABET.length)])
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$')
  if (scheme !== 'scrypt' || !saltB64 || !keyB64) return false
  const N = Number(n)
  const R = Number(r)
  const expected = Buffer.from(keyB64, 'base64')
  const key = await scrypt(password.normalize('NFKC'), Buffer.from(saltB64, 'base64'), expected.length, {
    N,
    r: R,
    p: Number(p),
    maxmem: 128 * N * R * 2,
  })
  return crypto.timingSafeEqual(key, expected)
}

/** A hash no password matches: checked against when a user name is unknown, so that
 * unknown names and wrong passwords take the same time. */
let decoy: Promise<string> | null = null
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(crypto.randomBytes(16).toString('hex'))
  return decoy
}
