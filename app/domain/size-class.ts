// Enterprise size class per 工信部联企业〔2011〕300号, as a table of rules.
import type { Message } from '../i18n/index'
import type { IndustrySection, PlayerKind, SizeClass } from './market-player'

/** X = employees, Y = revenue, Z = total assets; Y and Z in 10,000 yuan. */
type Measure = 'X' | 'Y' | 'Z'
type Thresholds = Partial<Record<Measure, number>>

export type SizeRuleId =
  | 'agriculture'
  | 'industry'
  | 'construction'
  | 'wholesale'
  | 'retail'
  | 'retailAssumed'
  | 'transport'
  | 'warehousing'
  | 'postal'
  | 'lodging'
  | 'catering'
  | 'lodgingCatering'
  | 'informationTransmission'
  | 'informationAssumed'
  | 'software'
  | 'realEstateDevelopment'
  | 'propertyManagement'
  | 'leasing'
  | 'other'

interface SizeRule {
  id: SizeRuleId
  sections: readonly IndustrySection[]
  /** The rule applies only when the industry code starts with one of these; the first matching rule wins. */
  codes?: readonly string[]
  large: Thresholds
  medium: Thresholds
  small: Thresholds
}

// Ordered: for a section, rules for finer codes come before its catch-all.
export const SIZE_RULES: readonly SizeRule[] = [
  { id: 'agriculture', sections: ['A'], large: { Y: 20000 }, medium: { Y: 500 }, small: { Y: 50 } },
  { id: 'industry', sections: ['B', 'C', 'D'], large: { X: 1000, Y: 40000 }, medium: { X: 300, Y: 2000 }, small: { X: 20, Y: 300 } },
  { id: 'construction', sections: ['E'], large: { Y: 80000, Z: 80000 }, medium: { Y: 6000, Z: 5000 }, small: { Y: 300, Z: 300 } },
  { id: 'wholesale', sections: ['F'], codes: ['51'], large: { X: 200, Y: 40000 }, medium: { X: 20, Y: 5000 }, small: { X: 5, Y: 1000 } },
  { id: 'retail', sections: ['F'], codes: ['52'], large: { X: 300, Y: 20000 }, medium: { X: 50, Y: 500 }, small: { X: 10, Y: 100 } },
  { id: 'retailAssumed', sections: ['F'], large: { X: 300, Y: 20000 }, medium: { X: 50, Y: 500 }, small: { X: 10, Y: 100 } },
  { id: 'warehousing', sections: ['G'], codes: ['59'], large: { X: 200, Y: 30000 }, medium: { X: 100, Y: 1000 }, small: { X: 20, Y: 100 } },
  { id: 'postal', sections: ['G'], codes: ['60'], large: { X: 1000, Y: 30000 }, medium: { X: 300, Y: 2000 }, small: { X: 20, Y: 100 } },
  { id: 'transport', sections: ['G'], large: { X: 1000, Y: 30000 }, medium: { X: 300, Y: 3000 }, small: { X: 20, Y: 200 } },
  { id: 'lodging', sections: ['H'], codes: ['61'], large: { X: 300, Y: 10000 }, medium: { X: 100, Y: 2000 }, small: { X: 10, Y: 100 } },
  { id: 'catering', sections: ['H'], codes: ['62'], large: { X: 300, Y: 10000 }, medium: { X: 100, Y: 2000 }, small: { X: 10, Y: 100 } },
  { id: 'lodgingCatering', sections: ['H'], large: { X: 300, Y: 10000 }, medium: { X: 100, Y: 2000 }, small: { X: 10, Y: 100 } },
  { id: 'software', sections: ['I'], codes: ['65'], large: { X: 300, Y: 10000 }, medium: { X: 100, Y: 1000 }, small: { X: 10, Y: 50 } },
  { id: 'informationTransmission', sections: ['I'], codes: ['63', '64'], large: { X: 2000, Y: 100000 }, medium: { X: 100, Y: 1000 }, small: { X: 10, Y: 100 } },
  { id: 'informationAssumed', sections: ['I'], large: { X: 2000, Y: 100000 }, medium: { X: 100, Y: 1000 }, small: { X: 10, Y: 100 } },
  { id: 'realEstateDevelopment', sections: ['K'], codes: ['701'], large: { Y: 200000, Z: 10000 }, medium: { Y: 1000, Z: 5000 }, small: { Y: 100, Z: 2000 } },
  { id: 'propertyManagement', sections: ['K'], codes: ['702'], large: { X: 1000, Y: 5000 }, medium: { X: 300, Y: 1000 }, small: { X: 100, Y: 500 } },
  { id: 'leasing', sections: ['L'], large: { X: 300, Z: 120000 }, medium: { X: 100, Z: 8000 }, small: { X: 10, Z: 100 } },
  {
    id: 'other',
    sections: ['J', 'K', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T'],
    large: { X: 300 },
    medium: { X: 100 },
    small: { X: 10 },
  },
]

const CLASSES_DOWNWARD = ['large', 'medium', 'small'] as const
const MEASURES: readonly Measure[] = ['X', 'Y', 'Z']

export interface SizeInput {
  kind: PlayerKind
  industry: IndustrySection | null
  /** A finer GB/T 4754 code (`52`, `5211`, or with its letter, `F52`). */
  industryCode: string | null
  employees: number | null
  revenueYuan: number | null
  assetsYuan: number | null
}

export interface SizeResult {
  sizeClass: SizeClass | null
  /** Which rule applied and why, in words. */
  basis: Message
  rule: SizeRuleId | null
}

/** The rule for an industry: the first in the table for its section whose code prefix matches. */
export function sizeRuleFor(section: IndustrySection, industryCode: string | null): SizeRule {
  const digits = industryCode?.replace(/^[A-Za-z]/, '') ?? ''
  const rule = SIZE_RULES.find((r) => r.sections.includes(section) && (!r.codes || r.codes.some((code) => digits.startsWith(code))))
  // Every section has a catch-all rule, so this is never reached.
  if (!rule) throw new Error(`no size rule for section ${section}`)
  return rule
}

export function classifySize(input: SizeInput): SizeResult {
  if (input.kind === 'household') return { sizeClass: null, basis: { key: 'size.household' }, rule: null }
  if (!input.industry) return { sizeClass: null, basis: { key: 'size.noIndustry' }, rule: null }
  const rule = sizeRuleFor(input.industry, input.industryCode)
  // Y and Z compared in yuan, so integer money is never rounded.
  const actual: Record<Measure, number | null> = { X: input.employees, Y: input.revenueYuan, Z: input.assetsYuan }
  const scale: Record<Measure, number> = { X: 1, Y: 10000, Z: 10000 }
  // Names as messages: the catalogues translate them where the basis is shown.
  const ruleParams = { rule: { key: `size.rule.${rule.id}` } as Message }

  for (const sizeClass of CLASSES_DOWNWARD) {
    const thresholds = rule[sizeClass]
    const measures = MEASURES.filter((m) => thresholds[m] !== undefined)
    // A class needs every threshold met; one known value below it rules the class out.
    const below = measures.find((m) => actual[m] !== null && actual[m]! < thresholds[m]! * scale[m])
    if (below) {
      if (sizeClass !== 'small') continue
      return {
        sizeClass: 'micro',
        basis: { key: `size.micro.${below}`, params: { ...ruleParams, ...figure(below, actual[below]!, thresholds[below]!) } },
        rule: rule.id,
      }
    }
    const missing = measures.filter((m) => actual[m] === null)
    if (missing.length > 0) {
      return {
        sizeClass: null,
        basis: { key: `size.missing.${missing.join('') as 'X' | 'Y' | 'Z' | 'XY' | 'XZ' | 'YZ'}`, params: ruleParams },
        rule: rule.id,
      }
    }
    const params: Record<string, string | number | Message> = { ...ruleParams, class: { key: `size.class.${sizeClass}` } }
    for (const m of measures) Object.assign(params, figure(m, actual[m]!, thresholds[m]!))
    return {
      sizeClass,
      basis: { key: `size.met.${measures.join('') as 'X' | 'Y' | 'XY' | 'XZ' | 'YZ'}`, params },
      rule: rule.id,
    }
  }
  // Unreachable: the small class either is met, rules to micro, or lacks data.
  throw new Error('size classification fell through')
}

/** `{ y: 150, yMin: 100 }`: a value and its threshold, money shown in 10,000 yuan. */
function figure(measure: Measure, value: number, threshold: number): Record<string, number> {
  const name = measure.toLowerCase()
  return { [name]: measure === 'X' ? value : value / 10000, [`${name}Min`]: threshold }
}
