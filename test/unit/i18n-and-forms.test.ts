import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { MIN_PASSWORD_LENGTH, parseForm, passwordField, requiredText } from '../../app/forms/fields'
import { en } from '../../app/i18n/en'
import { translator } from '../../app/i18n/index'
import { zhCN } from '../../app/i18n/zh-CN'

describe('messages', () => {
  it('has the same keys in Chinese and English, none left empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort())
    for (const [key, text] of [...Object.entries(en), ...Object.entries(zhCN)]) expect(text, key).not.toBe('')
  })

  it('names a referral one way in Chinese: 推荐授信, never 转介 (decision 0270)', () => {
    expect(Object.entries(zhCN).filter(([, text]) => text.includes('转介'))).toEqual([])
  })

  it('fills parameters and speaks Chinese by default', () => {
    expect(translator('zh-CN')('login.throttled', { minutes: 15 })).toBe('登录失败次数过多，请 15 分钟后再试。')
    expect(translator('en')('login.throttled', { minutes: 15 })).toBe('Too many failed sign-ins. Try again in 15 minutes.')
  })
})

describe('parseForm', () => {
  const schema = z.object({ name: requiredText(5), password: passwordField })

  it('returns each field error as a message key with its parameters, keeps input, never echoes passwords', () => {
    const form = new FormData()
    form.set('name', 'far too long')
    form.set('password', 'short')
    const result = parseForm(form, schema)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.name).toEqual([{ key: 'validation.tooLong', params: { max: 5 } }])
    expect(result.errors.password).toEqual([{ key: 'validation.password', params: { min: MIN_PASSWORD_LENGTH } }])
    expect(result.values).toEqual({ name: 'far too long', password: '' })
  })

  it('trims text and accepts valid input', () => {
    const form = new FormData()
    form.set('name', '  王五 ')
    form.set('password', 'long enough password')
    expect(parseForm(form, schema)).toEqual({ ok: true, data: { name: '王五', password: 'long enough password' } })
  })

  it('reports a missing field as required', () => {
    const result = parseForm(new FormData(), z.object({ name: requiredText(5) }))
    expect(result.ok === false && result.errors.name).toEqual([{ key: 'validation.required' }])
  })
})
