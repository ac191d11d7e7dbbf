import { describe, expect, it } from 'vitest'
import { INDUSTRY_SECTION_NAMES, industrySectionName, parseIndustry, sectionOfCode } from '../../app/domain/industry'
import { INDUSTRY_SECTIONS } from '../../app/domain/market-player'
import { maskIdNumber, maskPhone } from '../../app/domain/masking'

describe('masking personal data', () => {
  it('shows a phone number as its first 3 and last 4 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678')
  })

  it('shows an ID number as its first 3 and last 4 characters, same length', () => {
    expect(maskIdNumber('110105194912310021')).toBe('110***********0021')
    expect(maskIdNumber('11010519491231002X')).toHaveLength(18)
    expect(maskIdNumber('110105491231002')).toBe('110********1002')
  })

  it('hides all but the last two characters of short or odd input', () => {
    expect(maskPhone('62345678')).toBe('******78')
    expect(maskIdNumber('1234')).toBe('**34')
    expect(maskPhone('12')).toBe('**')
    expect(maskPhone('')).toBe('')
  })
})

describe('industry (GB/T 4754-2017)', () => {
  it('names all 20 sections, A to T, in both languages', () => {
    expect(Object.keys(INDUSTRY_SECTION_NAMES)).toEqual([...INDUSTRY_SECTIONS])
    expect(INDUSTRY_SECTION_NAMES.A.zh).toBe('农、林、牧、渔业')
    expect(industrySectionName('T', 'zh-CN')).toBe('国际组织')
    expect(industrySectionName('F', 'en')).toBe('Wholesale and retail trade')
  })

  it('maps every division to its section', () => {
    const expected: [number, number, string][] = [
      [1, 5, 'A'], [6, 12, 'B'], [13, 43, 'C'], [44, 46, 'D'], [47, 50, 'E'], [51, 52, 'F'], [53, 60, 'G'], [61, 62, 'H'],
      [63, 65, 'I'], [66, 69, 'J'], [70, 70, 'K'], [71, 72, 'L'], [73, 75, 'M'], [76, 79, 'N'], [80, 82, 'O'], [83, 83, 'P'],
      [84, 85, 'Q'], [86, 90, 'R'], [91, 96, 'S'], [97, 97, 'T'],
    ]
    for (const [first, last, section] of expected) {
      for (let division = first; division <= last; division++) {
        expect(sectionOfCode(String(division).padStart(2, '0')), String(division)).toBe(section)
      }
    }
    expect(sectionOfCode('00')).toBeNull()
    expect(sectionOfCode('98')).toBeNull()
  })

  it('reads a section letter', () => {
    expect(parseIndustry('F')).toEqual({ section: 'F', code: null })
    expect(parseIndustry(' c ')).toEqual({ section: 'C', code: null })
    expect(parseIndustry('Z')).toBeNull()
  })

  it('reads codes with or without the section letter, keeping the finer code', () => {
    expect(parseIndustry('F52')).toEqual({ section: 'F', code: '52' })
    expect(parseIndustry('5211')).toEqual({ section: 'F', code: '5211' })
    expect(parseIndustry('52')).toEqual({ section: 'F', code: '52' })
    expect(parseIndustry('C13')).toEqual({ section: 'C', code: '13' })
    expect(parseIndustry('F13')).toBeNull()
    expect(parseIndustry('99')).toBeNull()
    expect(parseIndustry('5')).toBeNull()
  })

  it('reads section names, full and short, with a code hint where the short form names a division', () => {
    expect(parseIndustry('制造业')).toEqual({ section: 'C', code: null })
    expect(parseIndustry('批发和零售业')).toEqual({ section: 'F', code: null })
    expect(parseIndustry('批发业')).toEqual({ section: 'F', code: '51' })
    expect(parseIndustry('零售业')).toEqual({ section: 'F', code: '52' })
    expect(parseIndustry('住宿和餐饮业')).toEqual({ section: 'H', code: null })
    expect(parseIndustry('住宿业')).toEqual({ section: 'H', code: '61' })
    expect(parseIndustry('餐饮业')).toEqual({ section: 'H', code: '62' })
    expect(parseIndustry('软件和信息技术服务业')).toEqual({ section: 'I', code: '65' })
    expect(parseIndustry('农林牧渔业')).toEqual({ section: 'A', code: null })
    expect(parseIndustry('Wholesale and retail trade')).toEqual({ section: 'F', code: null })
    expect(parseIndustry('retail')).toEqual({ section: 'F', code: '52' })
  })

  it('reads every section by its full name', () => {
    for (const section of INDUSTRY_SECTIONS) {
      expect(parseIndustry(INDUSTRY_SECTION_NAMES[section].zh)).toEqual({ section, code: null })
      expect(parseIndustry(INDUSTRY_SECTION_NAMES[section].en.toUpperCase())).toEqual({ section, code: null })
    }
  })

  it('reads a code followed by a name, when the two agree', () => {
    expect(parseIndustry('F52 零售业')).toEqual({ section: 'F', code: '52' })
    expect(parseIndustry('F-批发和零售业')).toEqual({ section: 'F', code: null })
    expect(parseIndustry('F 零售业')).toEqual({ section: 'F', code: '52' })
    expect(parseIndustry('C 零售业')).toBeNull()
  })

  it('returns null for what it does not recognise', () => {
    expect(parseIndustry('卖菜')).toBeNull()
    expect(parseIndustry('')).toBeNull()
  })
})
