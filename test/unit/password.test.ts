import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../../app/services/password.server'

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
