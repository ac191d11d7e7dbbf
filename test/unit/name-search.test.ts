import { pinyin } from 'pinyin-pro'
import { describe, expect, it } from 'vitest'
import { nameInitials, normaliseForMatch } from '../../app/domain/name-search'
import { townshipAreas } from '../../db/seed/geography'
import { TOWNSHIP_NAMES } from '../../db/seed/names'
import { generatePlayer } from '../../db/seed/players'
import { createRandom } from '../../db/seed/random'

/** What pinyin-pro reads for the whole name at once: the reference the fast path must match. */
function wholeNameInitials(name: string): string {
  const text = name.normalize('NFKC')
  if (text === '') return ''
  return pinyin(text, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase().replace(/[^a-z0-9]/g, '')
}

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

  it('gives what reading the whole name at once gives, for polyphones, mixed scripts and generated names', () => {
    const rng = createRandom(3)
    const townships = townshipAreas(rng, { code: '410122', box: { west: 113, south: 34, east: 113.5, north: 34.4 } }, TOWNSHIP_NAMES.slice(0, 13))
    const names = [
      '重庆银行长沙分行', '行知书店', '中国建设银行', '长乐和平饭店', '乐行天下', '朝阳区朝霞便利店', '藏书阁', '曾记重阳糕',
      '单县单氏传统手工面馆', '解放路解记调料行', '都市丽人内衣店', 'Ａ＆Ｂ贸易行', '7-11便利店', '𠮷野家',
      ...Array.from({ length: 3000 }, (_, i) => generatePlayer(rng, townships[i % townships.length], i).name),
    ]
    for (const name of names) expect(nameInitials(name), name).toBe(wholeNameInitials(name))
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
