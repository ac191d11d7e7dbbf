// Personal data at rest (PIPL): phone and ID numbers are encrypted with AES-256-GCM under
// DATA_KEY, and indexed by an HMAC of the normalised value so that a full number can be
// found without decrypting every row. The masked form is what pages show by default.
import crypto from 'node:crypto'

export type PersonalDataKind = 'phone' | 'idNumber'

export interface PersonalDataCipher {
  encrypt(plain: string): string
  decrypt(stored: string): string
  /** The blind index of a normalised value: equal values give equal indexes. */
  blindIndex(kind: PersonalDataKind, normalised: string): string
  /** The key itself, for a worker thread of this process that encrypts on its behalf. */
  readonly keyForWorkers: string
}

const VERSION = 'v1'

export function createPersonalDataCipher(dataKey: string): PersonalDataCipher {
  const master = Buffer.from(dataKey, 'base64url')
  if (master.length < 32) throw new Error('DATA_KEY must be at least 32 bytes, base64url-encoded')
  const derive = (label: string) => Buffer.from(crypto.hkdfSync('sha256', master, Buffer.alloc(0), label, 32))
  const encryptionKey = derive('wanqi personal data encryption')
  const indexKey = derive('wanqi personal data index')
  // Random IVs drawn in blocks: one system call per 4,096 encryptions instead of one each.
  let ivs = Buffer.alloc(0)
  let next = 0
  const nextIv = () => {
    if (next + 12 > ivs.length) {
      ivs = crypto.randomBytes(12 * 4096)
      next = 0
    }
    next += 12
    return ivs.subarray(next - 12, next)
  }
  return {
    keyForWorkers: dataKey,
    encrypt(plain) {
      const iv = nextIv()
      const cipher = crypto.createCipheriv('aes-256-gcm', encryptionKey, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`
    },
    decrypt(stored) {
      const [version, payload] = stored.split(':')
      if (version !== VERSION || !payload) throw new Error('unknown personal data format')
      const raw = Buffer.from(payload, 'base64url')
      const decipher = crypto.createDecipheriv('aes-256-gcm', encryptionKey, raw.subarray(0, 12))
      decipher.setAuthTag(raw.subarray(12, 28))
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
    },
    blindIndex(kind, normalised) {
      return crypto.createHmac('sha256', indexKey).update(`${kind}:${normalised}`).digest('base64url').slice(0, 22)
    },
  }
}
