import { describe, expect, it } from 'vitest'
import { checkNewPassword } from '../../app/domain/password-policy'
import { changePasswordSchema } from '../../app/forms/account'
import { parseValues } from '../../app/forms/fields'

describe('the password policy', () => {
  it('accepts a long passphrase', () => {
    expect(checkNewPassword('a walk by the yellow river', { username: 'zhang.san', current: 'old password 1' })).toEqual([])
  })

  it('refuses short, user-name-like, unchanged and common passwords, naming each reason', () => {
    expect(checkNewPassword('short')).toEqual(['tooShort'])
    expect(checkNewPassword('x'.repeat(201))).toContain('tooLong')
    expect(checkNewPassword('Zhang.San2026', { username: 'zhang.san' })).toEqual(['sameAsUsername'])
    expect(checkNewPassword('zhangsan-is-my-name-here', { username: 'zhang.san' })).toEqual([])
    expect(checkNewPassword('same old password', { current: 'same old password' })).toEqual(['sameAsCurrent'])
    for (const common of ['1234567890', 'Password123', 'qwertyuiop', 'aaaaaaaaaaaa', '3456789012', 'abcdefghijkl', 'wanqi-demo']) {
      expect(checkNewPassword(common), common).toContain('common')
    }
  })

  it('is the form’s rule in the browser and on the server, with the confirmation checked', () => {
    const schema = changePasswordSchema('li.si')
    expect(parseValues({ current: 'old one', password: 'plum blossoms in spring', confirm: 'plum blossoms in spring' }, schema).ok).toBe(true)
    const refused = parseValues({ current: 'old one', password: 'li.si12', confirm: 'li.si13' }, schema)
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.errors.password.map((m) => m.key)).toEqual(['password.tooShort', 'password.sameAsUsername'])
    expect(refused.errors.confirm.map((m) => m.key)).toEqual(['account.confirmMismatch'])
    expect(refused.values.password).toBe('')
  })
})
