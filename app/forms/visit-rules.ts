// The admin's form for the rules a visit must meet to count (PRODUCT.md "Valid visits").
import { z } from 'zod'
import { flag, msg } from './fields'

export const MIN_RADIUS_M = 50
export const MAX_RADIUS_M = 10_000

export const visitRulesSchema = z.object({
  photoRequired: flag,
  radiusMetres: z.preprocess(
    (v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v),
    z
      .number({ required_error: msg('validation.required'), invalid_type_error: msg('validation.wholeNumberBetween', { min: MIN_RADIUS_M, max: MAX_RADIUS_M }) })
      .int(msg('validation.wholeNumberBetween', { min: MIN_RADIUS_M, max: MAX_RADIUS_M }))
      .min(MIN_RADIUS_M, msg('validation.wholeNumberBetween', { min: MIN_RADIUS_M, max: MAX_RADIUS_M }))
      .max(MAX_RADIUS_M, msg('validation.wholeNumberBetween', { min: MIN_RADIUS_M, max: MAX_RADIUS_M })),
  ),
  remoteHouseholds: flag,
  remoteEnterprises: flag,
})
export type VisitRulesInput = z.infer<typeof visitRulesSchema>
