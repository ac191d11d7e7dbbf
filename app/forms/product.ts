// The admin's product form (PRODUCT.md, "Qualifying for hand-off": products are configured
// by an admin): one schema for what a product's rules may say, the rules checked against
// each other. Limits are entered in 万元, as every amount in the bank's forms.
import { z } from 'zod'
import { PLAYER_KINDS, TAX_GRADES, type PlayerKind, type TaxGrade } from '../domain/market-player'
import type { ProductRules } from '../domain/products'
import { choice, flag, msg, optionalNumber, parseValues, requiredText, type FormResult } from './fields'

/** Grades a product may accept; D never qualifies, whatever a product says. */
export const ACCEPTABLE_GRADES = TAX_GRADES.filter((g) => g !== 'D') as Exclude<TaxGrade, 'D'>[]

const limit = () => optionalNumber(0.01, 100_000)

const list = <T extends string>(options: readonly T[], message: Parameters<typeof msg>[0]) =>
  z.preprocess(
    (v) => (Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? v.split(',') : []),
    z.array(z.string()).refine((values) => values.every((v) => (options as readonly string[]).includes(v)), msg(message)),
  ) as unknown as z.ZodType<T[]>

export const productSchema = z
  .object({
    code: z
      .string({ required_error: msg('validation.required') })
      .trim()
      .regex(/^[a-z][a-z0-9_]{1,39}$/, msg('productAdmin.codeFormat')),
    name: requiredText(40),
    kind: choice(['credit', 'secured'] as const),
    playerKinds: list(PLAYER_KINDS, 'validation.choice'),
    taxGrades: list(TAX_GRADES, 'productAdmin.gradeDNever'),
    limitA: limit(),
    limitB: limit(),
    limitM: limit(),
    limitC: limit(),
    limit: limit(),
    minMonthsRegistered: optionalNumber(0, 600, { integer: true }),
    maxTermMonths: optionalNumber(1, 360, { integer: true }),
    queriesCredit: flag,
    active: flag,
  })
  .superRefine((p, ctx) => {
    const issue = (field: string, key: Parameters<typeof msg>[0], params?: Parameters<typeof msg>[1]) =>
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [field],
        message: msg(key, params),
      })
    if (p.taxGrades.includes('D')) issue('taxGrades', 'productAdmin.gradeDNever')
    const byGrade = ACCEPTABLE_GRADES.filter((g) => p[`limit${g}`] !== undefined)
    if (byGrade.length > 0 && p.limit !== undefined) issue('limit', 'productAdmin.oneLimitKind')
    if (byGrade.length === 0 && p.limit === undefined) issue('limit', 'productAdmin.limitRequired')
    if (byGrade.length > 0) {
      if (p.taxGrades.length === 0) issue('taxGrades', 'productAdmin.gradesForLimits')
      for (const g of p.taxGrades) if (g !== 'D' && p[`limit${g}`] === undefined) issue(`limit${g}`, 'productAdmin.limitForGrade', { grade: g })
      for (const g of byGrade) if (!p.taxGrades.includes(g)) issue(`limit${g}`, 'productAdmin.limitNotAccepted', { grade: g })
    }
  })

export type ProductInput = z.infer<typeof productSchema>

const toYuan = (wan: number) => Math.round(wan * 10_000)

/** The form's input as the rules the domain reads. */
export function rulesOf(input: ProductInput): ProductRules {
  const byGrade = ACCEPTABLE_GRADES.filter((g) => input[`limit${g}`] !== undefined)
  return {
    code: input.code,
    name: input.name,
    kind: input.kind,
    playerKinds: input.playerKinds.length > 0 ? (input.playerKinds as PlayerKind[]) : null,
    taxGrades: input.taxGrades.length > 0 ? (input.taxGrades as TaxGrade[]) : null,
    limitByGrade: byGrade.length > 0 ? Object.fromEntries(byGrade.map((g) => [g, toYuan(input[`limit${g}`]!)])) : null,
    limitYuan: byGrade.length > 0 ? null : toYuan(input.limit!),
    minMonthsRegistered: input.minMonthsRegistered ?? null,
    maxTermMonths: input.maxTermMonths ?? null,
    // A secured product is one that needs collateral or a guarantee.
    needsCollateral: input.kind === 'secured',
    queriesCredit: input.queriesCredit,
  }
}

export function parseProduct(values: Record<string, unknown>): FormResult<ProductRules & { active: boolean }> {
  const parsed = parseValues(values, productSchema)
  return parsed.ok
    ? {
        ok: true,
        data: { ...rulesOf(parsed.data), active: parsed.data.active },
      }
    : parsed
}
