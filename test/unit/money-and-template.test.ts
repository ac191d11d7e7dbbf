// Money in words (never "50 × 10k yuan") and the list template's headers, which the importer
// must recognise as they are.
import { describe, expect, it } from 'vitest'
import { recogniseHeaders } from '../../app/domain/list-columns'
import { templateHeaders } from '../../app/domain/list-template'
import { moneyText } from '../../app/domain/money-text'

describe('money as text', () => {
  it('writes 万元 in Chinese and plain yuan in English', () => {
    expect(moneyText(500_000, 'zh-CN')).toBe('50 万元')
    expect(moneyText(1_234_500, 'zh-CN')).toBe('123.45 万元')
    expect(moneyText(500_000, 'en')).toBe('500,000 yuan')
    expect(moneyText(500_000, 'en')).not.toContain('10k')
  })
})

describe('the list template', () => {
  it.each(['zh-CN', 'en'] as const)('has one header per column, each recognised by the importer (%s)', (locale) => {
    const headers = templateHeaders(locale)
    const recognised = recogniseHeaders(headers)
    expect(recognised.unknown).toEqual([])
    expect(recognised.duplicates).toEqual([])
    expect(recognised.missing).toEqual([])
    expect(recognised.columns.every((c) => c !== null)).toBe(true)
    expect(new Set(headers).size).toBe(headers.length)
  })
})
