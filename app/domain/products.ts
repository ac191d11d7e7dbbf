// PRODUCT.md, "Qualifying for hand-off": a case qualifies for a product when its latest
// visit records a financing need and the product's rules accept it. Each rule says in
// words whether it passed, so a verdict explains itself ("tax grade C: the tax credit loan
// needs A, B or M"). Tax grade D, or a registration that is not active, never
// qualifies, whatever the product says; nor does a registration whose status is unknown
// (to verify first).
import type { Message } from '../i18n/index'
import type { PlayerKind, RegistrationStatus, TaxGrade } from './market-player'

export type ProductKind = 'credit' | 'secured'

/** A product as an admin configures it. `null` means "no rule of this kind". */
export interface ProductRules {
  code: string
  name: string
  kind: ProductKind
  /** Which kinds of player may have it; null: any. */
  playerKinds: PlayerKind[] | null
  /** Tax grades accepted; null: any (D never). */
  taxGrades: TaxGrade[] | null
  /** Limit by tax grade (yuan), where the limit depends on it. */
  limitByGrade: Partial<Record<TaxGrade, number>> | null
  /** Limit (yuan) where it does not depend on the grade. */
  limitYuan: number | null
  /** Months since registration, at least. */
  minMonthsRegistered: number | null
  /** Longest term, months. */
  maxTermMonths: number | null
  /** Needs collateral or a guarantee. */
  needsCollateral: boolean
  /** The bank queries the credit report for it, so a hand-off needs the owner's valid signed
   * consent (PRODUCT.md "Consents"). Absent in versions saved before it existed: no. */
  queriesCredit?: boolean
}

/** The default catalogue of PRODUCT.md. */
export const DEFAULT_PRODUCTS: readonly ProductRules[] = [
  {
    code: 'tax_credit',
    name: '税易贷',
    kind: 'credit',
    playerKinds: null,
    taxGrades: ['A', 'B', 'M'],
    limitByGrade: { A: 3_000_000, B: 1_000_000, M: 300_000 },
    limitYuan: null,
    minMonthsRegistered: 12,
    maxTermMonths: 12,
    needsCollateral: false,
  },
  {
    code: 'household_credit',
    name: '个体户信用贷',
    kind: 'credit',
    playerKinds: ['household'],
    taxGrades: null,
    limitByGrade: null,
    limitYuan: 300_000,
    minMonthsRegistered: 6,
    maxTermMonths: null,
    needsCollateral: false,
  },
  {
    code: 'secured',
    name: '经营贷',
    kind: 'secured',
    playerKinds: null,
    taxGrades: null,
    limitByGrade: null,
    limitYuan: 10_000_000,
    minMonthsRegistered: null,
    maxTermMonths: null,
    needsCollateral: true,
  },
]

export interface CaseFacts {
  kind: PlayerKind
  taxGrade: TaxGrade | null
  registrationStatus: RegistrationStatus | null
  /** YYYY-MM-DD */
  registeredOn: string | null
  /** The latest visit's need; null when no visit records one. */
  need: { amountYuan: number | null; termMonths: number | null; collateral: boolean | null } | null
}

export interface ProductVerdict {
  product: string
  qualifies: boolean
  /** The most this case may borrow under the product (yuan); null when it does not qualify. */
  limitYuan: number | null
  /** The need's amount, capped at the limit; null when it does not qualify. */
  amountYuan: number | null
  /** Every rule, passed or not, in order. */
  reasons: { ok: boolean; message: Message }[]
}

/** Whole months from `from` to `to` (YYYY-MM-DD), counting a month only once its day is reached. */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number)
  const [ty, tm, td] = to.split('-').map(Number)
  return (ty - fy) * 12 + (tm - fm) - (td < fd ? 1 : 0)
}

const yuan = (n: number) => n.toLocaleString('en')

/** The default catalogue's products, which have a name in each language (`visit.product.<code>`). */
const NAMED_IN_EACH_LANGUAGE = new Set(['tax_credit', 'household_credit', 'secured'])

/**
 * A product's name as a message parameter: the catalogue's three by their name in the reader's
 * language, a product an admin added by the name it was given (which the English messages
 * quote as data rather than fit into their grammar; see i18n/index.ts).
 */
export function productNameParam(product: { code: string; name: string }): string | Message {
  return NAMED_IN_EACH_LANGUAGE.has(product.code) ? { key: `visit.product.${product.code}` as Message['key'] } : product.name
}

const NOT_ACTIVE_RULE = {
  abnormal: 'product.rule.abnormal',
  suspended: 'product.rule.suspended',
  in_liquidation: 'product.rule.inLiquidation',
  moved_out: 'product.rule.movedOut',
  deregistered: 'product.rule.deregistered',
} as const

export function checkProduct(product: ProductRules, facts: CaseFacts, today: string): ProductVerdict {
  const reasons: ProductVerdict['reasons'] = []
  const rule = (ok: boolean, key: Message['key'], params?: Message['params']) => reasons.push({ ok, message: params ? { key, params } : { key } })
  const p = { product: productNameParam(product) }

  // What no product accepts.
  if (facts.registrationStatus !== null && facts.registrationStatus !== 'active') {
    rule(false, NOT_ACTIVE_RULE[facts.registrationStatus])
  } else if (facts.registrationStatus === null) {
    rule(false, 'product.rule.statusUnknown')
  }
  if (facts.taxGrade === 'D') rule(false, 'product.rule.gradeD')
  if (!facts.need) rule(false, 'product.rule.noNeed')

  if (product.playerKinds) {
    const ok = product.playerKinds.includes(facts.kind)
    rule(ok, ok ? 'product.rule.kindOk' : 'product.rule.kindNot', { ...p, kind: facts.kind })
  }
  if (product.taxGrades) {
    const grades = product.taxGrades.join(', ')
    if (facts.taxGrade === null) rule(false, 'product.rule.gradeUnknown', { ...p, grades })
    else rule(product.taxGrades.includes(facts.taxGrade), product.taxGrades.includes(facts.taxGrade) ? 'product.rule.gradeOk' : 'product.rule.gradeNot', { ...p, grade: facts.taxGrade, grades })
  }
  if (product.minMonthsRegistered !== null) {
    const min = product.minMonthsRegistered
    if (facts.registeredOn === null) rule(false, 'product.rule.registeredUnknown', { ...p, months: min })
    else {
      const months = monthsBetween(facts.registeredOn, today)
      rule(months >= min, months >= min ? 'product.rule.registeredOk' : 'product.rule.registeredShort', { ...p, months: min, have: Math.max(0, months) })
    }
  }
  if (product.needsCollateral) {
    const ok = facts.need?.collateral === true
    rule(ok, ok ? 'product.rule.collateralOk' : 'product.rule.collateralMissing', p)
  }
  if (product.maxTermMonths !== null && facts.need?.termMonths != null) {
    const ok = facts.need.termMonths <= product.maxTermMonths
    rule(ok, ok ? 'product.rule.termOk' : 'product.rule.termLong', { ...p, max: product.maxTermMonths, term: facts.need.termMonths })
  }

  const gradeLimit = product.limitByGrade && facts.taxGrade ? (product.limitByGrade[facts.taxGrade] ?? null) : null
  const limit = product.limitByGrade ? gradeLimit : product.limitYuan
  const qualifies = reasons.every((r) => r.ok) && limit !== null
  if (qualifies && limit !== null) {
    rule(true, 'product.rule.limit', { ...p, limit: yuan(limit) })
  }
  const amount = qualifies && limit !== null ? Math.min(limit, facts.need?.amountYuan ?? limit) : null
  return { product: product.code, qualifies, limitYuan: qualifies ? limit : null, amountYuan: amount, reasons }
}

/** The verdict of every product in the catalogue, those that qualify first. */
export function checkProducts(catalogue: readonly ProductRules[], facts: CaseFacts, today: string): ProductVerdict[] {
  const verdicts = catalogue.map((product) => checkProduct(product, facts, today))
  return [...verdicts.filter((v) => v.qualifies), ...verdicts.filter((v) => !v.qualifies)]
}

/** A player as stored, as far as the product rules read it. */
export interface CasePlayer {
  kind: PlayerKind
  tax_grade: string | null
  registration_status: string | null
  registered_on: string | null
}

/** The facts the rules read: the player as stored and its latest visit's need. */
export function caseFactsOf(player: CasePlayer, need: CaseFacts['need']): CaseFacts {
  return {
    kind: player.kind,
    taxGrade: player.tax_grade as TaxGrade | null,
    registrationStatus: player.registration_status as RegistrationStatus | null,
    registeredOn: player.registered_on,
    need: need && { amountYuan: need.amountYuan, termMonths: need.termMonths, collateral: need.collateral },
  }
}

/**
 * The stored flag the list and the map filter by: `no_need` while the latest visit records
 * no financing need, `qualifies` when at least one product accepts the case, `refused`
 * when none does.
 */
export const QUALIFICATIONS = ['qualifies', 'refused', 'no_need'] as const
export type Qualification = (typeof QUALIFICATIONS)[number]

export function qualificationOf(catalogue: readonly ProductRules[], facts: CaseFacts, today: string): { qualification: Qualification; products: string[] } {
  if (!facts.need) return { qualification: 'no_need', products: [] }
  const products = catalogue.filter((product) => checkProduct(product, facts, today).qualifies).map((p) => p.code)
  return { qualification: products.length > 0 ? 'qualifies' : 'refused', products }
}
