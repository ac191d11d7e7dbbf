import { describe, expect, it, vi } from 'vitest'
import { hashPassword, setPasswordCostForTests, verifyPassword } from '../../app/services/password.server'

describe('password hashes', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('wanqi-demo')
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/)
    expect(await verifyPassword('wanqi-demo', hash)).toBe(true)
    expect(await verifyPassword('wanqi-demo ', hash)).toBe(false)
  })

  it('salts every hash: the same password never gives the same hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'))
  })

  it('refuses a malformed stored hash rather than throwing', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false)
  })
})

describe('the hash cost for the test suite', () => {
  it('is lowered only under NODE_ENV=test, for hashes made afterwards, and the stored cost is what verifies', async () => {
    const before = await hashPassword('wanqi-demo')
    try {
      setPasswordCostForTests({ N: 2 ** 10, r: 8, p: 1 })
      const cheap = await hashPassword('wanqi-demo')
      expect(cheap).toMatch(/^scrypt\$1024\$8\$1\$/)
      expect(await verifyPassword('wanqi-demo', cheap)).toBe(true)
      // A hash made at the full cost still verifies at its own cost.
      expect(await verifyPassword('wanqi-demo', before)).toBe(true)
    } finally {
      setPasswordCostForTests('full')
    }
    expect(await hashPassword('wanqi-demo')).toMatch(/^scrypt\$32768\$8\$1\$/)
  })

  it('cannot be lowered outside the test suite', () => {
    vi.stubEnv('NODE_ENV', 'production')
    try {
      expect(() => setPasswordCostForTests({ N: 2 ** 10, r: 8, p: 1 })).toThrow('the password hash cost is fixed outside the test suite')
    } finally {
      vi.unstubAllEnvs()
    }
  })
})
