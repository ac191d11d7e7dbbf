import { describe, expect, it } from 'vitest'
import { classifySize, type SizeInput, type SizeRuleId } from '../../app/domain/size-class'
import type { IndustrySection, SizeClass } from '../../app/domain/market-player'
import { translator } from '../../app/i18n/index'

type Thresholds = { X?: number; Y?: number; Z?: number }

// The 2011 standard's thresholds, written out here independently of the rule table.
// X = employees, Y = revenue, Z = total assets (Y and Z in 10,000 yuan).
const STANDARD: {
  rule: SizeRuleId
  industry: IndustrySection
  code: string | null
  small: Thresholds
  medium: Thresholds
  large: Thresholds
}[] = [
  { rule: 'agriculture', industry: 'A', code: null, small: { Y: 50 }, medium: { Y: 500 }, large: { Y: 20000 } },
  { rule: 'industry', industry: 'B', code: null, small: { X: 20, Y: 300 }, medium: { X: 300, Y: 2000 }, large: { X: 1000, Y: 40000 } },
  { rule: 'industry', industry: 'C', code: '13', small: { X: 20, Y: 300 }, medium: { X: 300, Y: 2000 }, large: { X: 1000, Y: 40000 } },
  { rule: 'industry', industry: 'D', code: null, small: { X: 20, Y: 300 }, medium: { X: 300, Y: 2000 }, large: { X: 1000, Y: 40000 } },
  { rule: 'construction', industry: 'E', code: null, small: { Y: 300, Z: 300 }, medium: { Y: 6000, Z: 5000 }, large: { Y: 80000, Z: 80000 } },
  { rule: 'wholesale', industry: 'F', code: '51', small: { X: 5, Y: 1000 }, medium: { X: 20, Y: 5000 }, large: { X: 200, Y: 40000 } },
  { rule: 'retail', industry: 'F', code: '5211', small: { X: 10, Y: 100 }, medium: { X: 50, Y: 500 }, large: { X: 300, Y: 20000 } },
  { rule: 'retailAssumed', industry: 'F', code: null, small: { X: 10, Y: 100 }, medium: { X: 50, Y: 500 }, large: { X: 300, Y: 20000 } },
  { rule: 'transport', industry: 'G', code: '54', small: { X: 20, Y: 200 }, medium: { X: 300, Y: 3000 }, large: { X: 1000, Y: 30000 } },
  { rule: 'transport', industry: 'G', code: null, small: { X: 20, Y: 200 }, medium: { X: 300, Y: 3000 }, large: { X: 1000, Y: 30000 } },
  { rule: 'warehousing', industry: 'G', code: '59', small: { X: 20, Y: 100 }, medium: { X: 100, Y: 1000 }, large: { X: 200, Y: 30000 } },
  { rule: 'postal', industry: 'G', code: '60', small: { X: 20, Y: 100 }, medium: { X: 300, Y: 2000 }, large: { X: 1000, Y: 30000 } },
  { rule: 'lodging', industry: 'H', code: '61', small: { X: 10, Y: 100 }, medium: { X: 100, Y: 2000 }, large: { X: 300, Y: 10000 } },
  { rule: 'catering', industry: 'H', code: '62', small: { X: 10, Y: 100 }, medium: { X: 100, Y: 2000 }, large: { X: 300, Y: 10000 } },
  { rule: 'lodgingCatering', industry: 'H', code: null, small: { X: 10, Y: 100 }, medium: { X: 100, Y: 2000 }, large: { X: 300, Y: 10000 } },
  { rule: 'software', industry: 'I', code: '65', small: { X: 10, Y: 50 }, medium: { X: 100, Y: 1000 }, large: { X: 300, Y: 10000 } },
  { rule: 'informationTransmission', industry: 'I', code: '63', small: { X: 10, Y: 100 }, medium: { X: 100, Y: 1000 }, large: { X: 2000, Y: 100000 } },
  { rule: 'informationAssumed', industry: 'I', code: null, small: { X: 10, Y: 100 }, medium: { X: 100, Y: 1000 }, large: { X: 2000, Y: 100000 } },
  { rule: 'realEstateDevelopment', industry: 'K', code: '7010', small: { Y: 100, Z: 2000 }, medium: { Y: 1000, Z: 5000 }, large: { Y: 200000, Z: 10000 } },
  { rule: 'propertyManagement', industry: 'K', code: '7020', small: { X: 100, Y: 500 }, medium: { X: 300, Y: 1000 }, large: { X: 1000, Y: 5000 } },
  { rule: 'leasing', industry: 'L', code: null, small: { X: 10, Z: 100 }, medium: { X: 100, Z: 8000 }, large: { X: 300, Z: 120000 } },
  { rule: 'other', industry: 'K', code: null, small: { X: 10 }, medium: { X: 100 }, large: { X: 300 } },
  { rule: 'other', industry: 'M', code: null, small: { X: 10 }, medium: { X: 100 }, large: { X: 300 } },
  { rule: 'other', industry: 'O', code: '80', small: { X: 10 }, medium: { X: 100 }, large: { X: 300 } },
]

const LOWER: Record<'small' | 'medium' | 'large', SizeClass> = { small: 'micro', medium: 'small', large: 'medium' }

function input(industry: IndustrySection, code: string | null, t: Thresholds): SizeInput {
  return {
    kind: 'enterprise',
    industry,
    industryCode: code,
    employees: t.X ?? null,
    revenueYuan: t.Y === undefined ? null : t.Y * 10000,
    assetsYuan: t.Z === undefined ? null : t.Z * 10000,
  }
}

describe('size class (工信部联企业〔2011〕300号)', () => {
  for (const spec of STANDARD) {
    for (const sizeClass of ['small', 'medium', 'large'] as const) {
      const t = spec[sizeClass]
      it(`${spec.rule} (${spec.industry}${spec.code ?? ''}): ${sizeClass} at ${JSON.stringify(t)}, one below on any measure is ${LOWER[sizeClass]}`, () => {
        const at = classifySize(input(spec.industry, spec.code, t))
        expect(at.sizeClass).toBe(sizeClass)
        expect(at.rule).toBe(spec.rule)
        for (const measure of Object.keys(t) as (keyof Thresholds)[]) {
          // One employee, or one yuan, short of the threshold.
          const below = input(spec.industry, spec.code, t)
          if (measure === 'X') below.employees = t.X! - 1
          if (measure === 'Y') below.revenueYuan = t.Y! * 10000 - 1
          if (measure === 'Z') below.assetsYuan = t.Z! * 10000 - 1
          expect(classifySize(below).sizeClass, `${measure} just below`).toBe(LOWER[sizeClass])
        }
      })
    }
  }

  it('explains the rule that applied in words, in both languages', () => {
    const result = classifySize({
      kind: 'enterprise',
      industry: 'F',
      industryCode: '52',
      employees: 12,
      revenueYuan: 1_500_000,
      assetsYuan: null,
    })
    expect(result.sizeClass).toBe('small')
    expect(result.basis.key).toBe('size.met.XY')
    expect(translator('zh-CN')(result.basis.key, result.basis.params)).toBe(
      '零售业：从业人员 12 人 ≥ 10 且营业收入 150 万元 ≥ 100 万元，为小型',
    )
    expect(translator('en')(result.basis.key, result.basis.params)).toBe(
      'Retail: 12 employees ≥ 10 and revenue 150 ≥ 100 (10,000 yuan), so small',
    )
  })

  it('gives the rule and the class as codes, which each language names where the basis is shown', () => {
    const result = classifySize({ kind: 'enterprise', industry: 'F', industryCode: '52', employees: 12, revenueYuan: 1_500_000, assetsYuan: null })
    expect(result.basis.params).toEqual({ rule: { key: 'size.rule.retail' }, class: { key: 'size.class.small' }, x: 12, xMin: 10, y: 150, yMin: 100 })
    expect(JSON.stringify(result.basis)).not.toMatch(/零售|Retail/)
    // A basis stored before, with each language's name beside the other, still reads in both.
    const stored = { ...result.basis, params: { x: 12, xMin: 10, y: 150, yMin: 100, ruleZh: '零售业', ruleEn: 'Retail', classZh: '小型', classEn: 'small' } }
    expect(translator('zh-CN')(stored.key, stored.params)).toBe('零售业：从业人员 12 人 ≥ 10 且营业收入 150 万元 ≥ 100 万元，为小型')
    expect(translator('en')(stored.key, stored.params)).toBe('Retail: 12 employees ≥ 10 and revenue 150 ≥ 100 (10,000 yuan), so small')
  })

  it('names the measure that keeps a player micro', () => {
    const result = classifySize({ kind: 'enterprise', industry: 'C', industryCode: null, employees: 25, revenueYuan: 2_999_999, assetsYuan: null })
    expect(result.sizeClass).toBe('micro')
    expect(translator('zh-CN')(result.basis.key, result.basis.params)).toBe(
      '工业：营业收入 299.9999 万元，低于小型下限 300 万元，为微型',
    )
  })

  it('gives households no size class', () => {
    const result = classifySize({ kind: 'household', industry: 'F', industryCode: '52', employees: 3, revenueYuan: 100000, assetsYuan: null })
    expect(result).toEqual({ sizeClass: null, basis: { key: 'size.household' }, rule: null })
  })

  it('gives no size class without an industry', () => {
    const result = classifySize({ kind: 'enterprise', industry: null, industryCode: null, employees: 3, revenueYuan: 1, assetsYuan: 1 })
    expect(result).toEqual({ sizeClass: null, basis: { key: 'size.noIndustry' }, rule: null })
  })

  it('names what is missing when the rule needs it', () => {
    const noRevenue = classifySize({ kind: 'enterprise', industry: 'F', industryCode: '52', employees: 12, revenueYuan: null, assetsYuan: null })
    expect(noRevenue.sizeClass).toBeNull()
    expect(translator('zh-CN')(noRevenue.basis.key, noRevenue.basis.params)).toBe('零售业：缺少营业收入，无法划分企业规模')
    const nothing = classifySize({ kind: 'enterprise', industry: 'E', industryCode: null, employees: 12, revenueYuan: null, assetsYuan: null })
    expect(nothing.basis.key).toBe('size.missing.YZ')
    // Large on employees, revenue unknown: large or medium cannot be told.
    const big = classifySize({ kind: 'enterprise', industry: 'C', industryCode: null, employees: 5000, revenueYuan: null, assetsYuan: null })
    expect(big).toMatchObject({ sizeClass: null, basis: { key: 'size.missing.Y' } })
  })

  it('still says micro when a known measure is below the small threshold and another is missing', () => {
    const result = classifySize({ kind: 'enterprise', industry: 'F', industryCode: '52', employees: 4, revenueYuan: null, assetsYuan: null })
    expect(result).toMatchObject({ sizeClass: 'micro', basis: { key: 'size.micro.X', params: { x: 4, xMin: 10 } } })
  })

  it('treats wholesale and retail without a code as retail, and says so', () => {
    const result = classifySize({ kind: 'enterprise', industry: 'F', industryCode: null, employees: 12, revenueYuan: 1_500_000, assetsYuan: null })
    expect(result.rule).toBe('retailAssumed')
    expect(translator('zh-CN')(result.basis.key, result.basis.params)).toContain('未给出行业代码，按零售业标准')
  })

  it('reads a code written with its section letter', () => {
    const result = classifySize({ kind: 'enterprise', industry: 'F', industryCode: 'F51', employees: 5, revenueYuan: 10_000_000, assetsYuan: null })
    expect(result).toMatchObject({ sizeClass: 'small', rule: 'wholesale' })
  })
})
