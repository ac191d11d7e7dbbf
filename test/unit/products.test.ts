// The hand-off rules of PRODUCT.md: the default catalogue's verdicts with their reasons,
// the working-day acceptance clock, and the furthest stage from events in any order.
import { describe, expect, it } from 'vitest'
import { translator } from '../../app/i18n/index'
import { checkProduct, checkProducts, DEFAULT_PRODUCTS, monthsBetween, type CaseFacts } from '../../app/domain/products'
import { addWorkingDays, isWorkingDay, PLAIN_CALENDAR, workingCalendar } from '../../app/domain/working-days'
import { currentStage, hasReached } from '../../app/domain/pipeline'

const TODAY = '2026-12-01'
const [TAX, HOUSEHOLD, SECURED] = DEFAULT_PRODUCTS
const en = translator('en')
const zh = translator('zh-CN')
const words = (v: ReturnType<typeof checkProduct>, t = en) => v.reasons.filter((r) => !r.ok).map((r) => t(r.message.key, r.message.params))

function facts(over: Partial<CaseFacts> = {}): CaseFacts {
  return {
    kind: 'enterprise',
    taxGrade: 'B',
    registrationStatus: 'active',
    registeredOn: '2020-05-01',
    need: { amountYuan: 2_000_000, termMonths: 12, collateral: false },
    ...over,
  }
}

describe('product names in sentences', () => {
  it('names the catalogue\'s products in the reader\'s language, and quotes a name that has no English one', () => {
    expect(en('product.rule.limit', checkProduct(TAX, facts(), TODAY).reasons.at(-1)!.message.params)).toBe('Tax credit loan lends up to 1,000,000 yuan')
    const added = { ...TAX, code: 'green_loan', name: '绿色贷' }
    const reasons = checkProduct(added, facts(), TODAY).reasons.map((r) => r.message)
    const limit = reasons.find((m) => m.key === 'product.rule.limit')!
    expect(en(limit.key, limit.params)).toBe('“绿色贷” lends up to 1,000,000 yuan')
    expect(zh(limit.key, limit.params)).not.toContain('“')
    expect(zh(limit.key, limit.params)).toContain('绿色贷')
  })
})

describe('the tax credit loan', () => {
  it('takes grade B up to 1,000,000 yuan and caps the need at the limit', () => {
    const v = checkProduct(TAX, facts(), TODAY)
    expect(v).toMatchObject({ qualifies: true, limitYuan: 1_000_000, amountYuan: 1_000_000 })
    expect(v.reasons.map((r) => en(r.message.key, r.message.params))).toContain('Tax credit loan lends up to 1,000,000 yuan')
  })

  it('has its limit by grade: A 3,000,000, M 300,000; a smaller need is kept', () => {
    expect(checkProduct(TAX, facts({ taxGrade: 'A' }), TODAY).limitYuan).toBe(3_000_000)
    expect(checkProduct(TAX, facts({ taxGrade: 'M', need: { amountYuan: 200_000, termMonths: 6, collateral: null } }), TODAY)).toMatchObject({ limitYuan: 300_000, amountYuan: 200_000 })
  })

  it('refuses grade C with the reason, in both languages', () => {
    const v = checkProduct(TAX, facts({ taxGrade: 'C' }), TODAY)
    expect(v.qualifies).toBe(false)
    expect(words(v)).toEqual(['tax grade C: Tax credit loan needs A, B, M'])
    expect(words(v, zh)).toEqual(['纳税信用 C 级：税易贷只受理 A, B, M 级'])
  })

  it('needs 12 months since registration and a term of 12 months at most', () => {
    const young = checkProduct(TAX, facts({ registeredOn: '2026-01-15' }), TODAY)
    expect(words(young)).toEqual(['registered only 10 months: Tax credit loan needs 12'])
    const long = checkProduct(TAX, facts({ need: { amountYuan: 100_000, termMonths: 24, collateral: null } }), TODAY)
    expect(words(long)).toEqual(['term 24 months: Tax credit loan goes to 12 at most'])
  })
})

describe('the household credit loan', () => {
  it('takes an active household registered 6 months, up to 300,000', () => {
    const v = checkProduct(HOUSEHOLD, facts({ kind: 'household', taxGrade: null, registeredOn: '2026-05-20' }), TODAY)
    expect(v).toMatchObject({ qualifies: true, limitYuan: 300_000, amountYuan: 300_000 })
  })

  it('refuses an enterprise, and a household of five months', () => {
    expect(words(checkProduct(HOUSEHOLD, facts(), TODAY))).toEqual(['Household credit loan does not take this kind of player'])
    expect(words(checkProduct(HOUSEHOLD, facts({ kind: 'household', registeredOn: '2026-06-02' }), TODAY))).toEqual(['registered only 5 months: Household credit loan needs 6'])
  })
})

describe('the secured operating loan', () => {
  it('needs collateral or a guarantee; with one, up to 10,000,000', () => {
    expect(words(checkProduct(SECURED, facts(), TODAY))).toEqual(['Secured operating loan needs collateral or a guarantee; the visit says none'])
    expect(checkProduct(SECURED, facts({ need: { amountYuan: 12_000_000, termMonths: 36, collateral: true } }), TODAY)).toMatchObject({ qualifies: true, amountYuan: 10_000_000 })
  })
})

describe('what never qualifies', () => {
  it('tax grade D, an abnormal or deregistered registration, an unknown one, and a case without a need', () => {
    const all = (f: CaseFacts) => checkProducts(DEFAULT_PRODUCTS, f, TODAY)
    const withCollateral = { need: { amountYuan: 100_000, termMonths: 12, collateral: true } }
    expect(all(facts({ taxGrade: 'D', ...withCollateral })).every((v) => !v.qualifies && words(v).includes('tax grade D: no product takes it'))).toBe(true)
    expect(all(facts({ registrationStatus: 'abnormal', ...withCollateral })).some((v) => v.qualifies)).toBe(false)
    expect(all(facts({ registrationStatus: 'deregistered', ...withCollateral })).some((v) => v.qualifies)).toBe(false)
    expect(all(facts({ registrationStatus: null, ...withCollateral })).some((v) => v.qualifies)).toBe(false)
    expect(all(facts({ need: null })).every((v) => words(v).includes('the latest visit records no financing need'))).toBe(true)
  })

  it('lists the products that qualify first', () => {
    const verdicts = checkProducts(DEFAULT_PRODUCTS, facts({ need: { amountYuan: 500_000, termMonths: 12, collateral: true } }), TODAY)
    expect(verdicts.map((v) => [v.product, v.qualifies])).toEqual([['tax_credit', true], ['secured', true], ['household_credit', false]])
  })
})

describe('monthsBetween', () => {
  it('counts a month once its day is reached', () => {
    expect(monthsBetween('2025-12-01', '2026-12-01')).toBe(12)
    expect(monthsBetween('2025-12-02', '2026-12-01')).toBe(11)
    expect(monthsBetween('2026-11-30', '2026-12-01')).toBe(0)
  })
})

describe('the working-day clock', () => {
  it('skips weekends: a referral on Friday afternoon is due on Wednesday afternoon', () => {
    const friday = new Date('2026-11-27T07:00:00Z') // 15:00 in China
    expect(addWorkingDays(friday, 3, PLAIN_CALENDAR).toISOString()).toBe('2026-12-02T07:00:00.000Z')
  })

  it('counts a referral made on a Saturday from Monday morning', () => {
    const saturday = new Date('2026-11-28T02:00:00Z')
    expect(addWorkingDays(saturday, 3, PLAIN_CALENDAR).toISOString()).toBe('2026-12-02T16:00:00.000Z') // Thursday 00:00 China
  })

  it('skips configured holidays and counts make-up working days', () => {
    const calendar = workingCalendar(['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'], ['2026-10-10'])
    expect(isWorkingDay('2026-10-01', calendar)).toBe(false)
    expect(isWorkingDay('2026-10-10', calendar)).toBe(true) // a Saturday worked
    const before = new Date('2026-09-30T02:00:00Z') // Wednesday 10:00
    // Oct 1–7 off (with the weekend); Oct 8, 9 and the Saturday 10th worked.
    expect(addWorkingDays(before, 3, calendar).toISOString()).toBe('2026-10-10T02:00:00.000Z')
  })

  it('refuses a day that is not YYYY-MM-DD', () => {
    expect(() => workingCalendar(['2026-13-45x'])).toThrow('not a day')
  })
})

describe('the stage of a referral', () => {
  it('is the furthest reached, whatever order the events came in, and twice is once', () => {
    const events = [
      { stage: 'approved' as const, at: '2026-12-05T00:00:00Z' },
      { stage: 'accepted' as const, at: '2026-12-02T00:00:00Z' },
      { stage: 'rated' as const, at: '2026-12-04T00:00:00Z' },
      { stage: 'approved' as const, at: '2026-12-05T00:00:00Z' },
    ]
    expect(currentStage(events)).toBe('approved')
    expect(hasReached(events, 'accepted')).toBe(true)
    expect(hasReached(events, 'disbursed')).toBe(false)
  })

  it('closes on a decline, unless the money was paid out', () => {
    expect(currentStage([{ stage: 'rated', at: '2026-12-04T00:00:00Z' }, { stage: 'declined', at: '2026-12-03T00:00:00Z' }])).toBe('declined')
    expect(currentStage([{ stage: 'disbursed', at: '2026-12-06T00:00:00Z' }, { stage: 'withdrawn', at: '2026-12-07T00:00:00Z' }])).toBe('disbursed')
    expect(currentStage([])).toBe('referred')
  })
})
