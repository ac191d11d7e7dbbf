import { describe, expect, it } from 'vitest'
import { nameInitials, normaliseForMatch } from '../../app/domain/name-search'

describe('nameInitials', () => {
  it('gives the lower-case pinyin initials of a Chinese name', () => {
    expect(nameInitials('河南金穗面业有限公司')).toBe('hnjsmyyxgs')
    expect(nameInitials('河南金穗面业有限公司')).toContain('jsmy')
  })

  it('reads common polyphones from their word', () => {
    expect(nameInitials('重庆银行')).toBe('cqyh')
    expect(nameInitials('长沙市')).toBe('css')
  })

  it('keeps letters and digits, lower-cased, and drops symbols and spaces', () => {
    expect(nameInitials('ABC超市（2号店）')).toBe('abccs2hd')
    expect(nameInitials('ＫＦ·便利店 88')).toBe('kfbld88')
    expect(nameInitials('')).toBe('')
  })
})

describe('normaliseForMatch', () => {
  it('folds two spellings of the same household name together', () => {
    expect(normaliseForMatch('张三 小吃（店）')).toBe(normaliseForMatch('张三小吃(店)'))
    expect(normaliseForMatch('张三 小吃（店）')).toBe('张三小吃店')
  })

  it('turns full-width letters and digits half-width and lower-case, and drops punctuation', () => {
    expect(normaliseForMatch('ＡＢＣ　超市１号、')).toBe('abc超市1号')
    expect(normaliseForMatch(' Li·Si - Noodles! ')).toBe('lisinoodles')
  })

  it('keeps different names apart', () => {
    expect(normaliseForMatch('张三小吃店')).not.toBe(normaliseForMatch('张四小吃店'))
  })
})
