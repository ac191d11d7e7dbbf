// The visit form's one schema, used by the server (form posts and POST /api/v1/visits) and
// by the browser before a visit goes into the offline queue. Values may come as form text
// or as JSON (numbers, booleans, an array of obstacles); field names are the same in both.
import { z } from 'zod'
import { CHECK_IN_FIXES, NEED_PRODUCTS, NEED_PURPOSES, OBSTACLES, VISIT_CHANNELS, VISIT_OUTCOMES } from '../domain/visit'
import { blankToUndefined, choice, flag, idField, msg, optionalChoice, optionalNumber, optionalText, parseValues, readMessage, type FormResult } from './fields'

const isoDate = z.preprocess(
  blankToUndefined,
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, msg('validation.date'))
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), msg('validation.date'))
    .optional(),
)

/** The client-made id: a UUID or anything of 8–64 letters, digits, `-` and `_`. */
export const visitIdField = z
  .string({ required_error: msg('visit.idRequired'), invalid_type_error: msg('visit.idRequired') })
  .regex(/^[A-Za-z0-9_-]{8,64}$/, msg('visit.idFormat'))

/** What is said about the talk itself: the part of a visit its author may edit for 24 hours. */
export const visitTalkSchema = z
  .object({
    channel: z.preprocess((v) => blankToUndefined(v) ?? 'on_site', choice(VISIT_CHANNELS)),
    contact: optionalText(100),
    notes: optionalText(2000),
    hasNeed: flag,
    /** 万元, as the lists and the bank's forms say amounts. */
    needAmount: optionalNumber(0.01, 100_000),
    needPurpose: optionalChoice(NEED_PURPOSES),
    needTermMonths: optionalNumber(1, 360, { integer: true }),
    needCollateral: optionalChoice(['yes', 'no'] as const),
    needProduct: optionalChoice(NEED_PRODUCTS),
    obstacles: z.preprocess(
      (v) => (Array.isArray(v) ? v : typeof v === 'string' && v.trim() ? v.split(',').map((s) => s.trim()) : []),
      z.array(choice(OBSTACLES)).max(OBSTACLES.length),
    ),
    outcome: optionalChoice(VISIT_OUTCOMES),
    nextFollowUpOn: isoDate,
  })
  .superRefine((v, ctx) => {
    for (const [field, message] of crossFieldIssues(v)) ctx.addIssue({ code: 'custom', path: [field], message })
  })

export const visitSchema = z
  .object({
    id: visitIdField,
    playerId: idField,
    visitedAt: z.preprocess(blankToUndefined, z.string().datetime({ offset: true, message: msg('validation.dateTime') }).optional()),
    checkInLat: optionalNumber(-90, 90),
    checkInLng: optionalNumber(-180, 180),
    checkInAccuracy: optionalNumber(0, 100_000),
    checkInFix: optionalChoice(CHECK_IN_FIXES),
    farReason: optionalText(200),
    setPosition: flag,
  })
  .and(visitTalkSchema)
  .superRefine((v, ctx) => {
    for (const [field, message] of crossFieldIssues(v)) ctx.addIssue({ code: 'custom', path: [field], message })
  })

/**
 * Rules across fields. Zod runs an object's refinements only when its fields all pass, so
 * parseVisit also runs these on the raw values of a failing form: every field is named at once.
 */
function crossFieldIssues(v: Record<string, unknown>): [string, string][] {
  const blank = (x: unknown) => x === undefined || x === null || (typeof x === 'string' && x.trim() === '')
  const issues: [string, string][] = []
  if (flag.safeParse(v.hasNeed).data && blank(v.needAmount)) issues.push(['needAmount', msg('visit.amountNeeded')])
  if (v.outcome === 'follow_up' && blank(v.nextFollowUpOn)) issues.push(['nextFollowUpOn', msg('visit.followUpNeeded')])
  if ('checkInLat' in v || 'checkInLng' in v) {
    if (blank(v.checkInLat) !== blank(v.checkInLng)) issues.push([blank(v.checkInLat) ? 'checkInLat' : 'checkInLng', msg('visit.positionHalf')])
  }
  return issues
}

function withCrossFieldIssues<T>(result: FormResult<T>, values: Record<string, unknown>): FormResult<T> {
  if (result.ok) return result
  const errors = { ...result.errors }
  for (const [field, message] of crossFieldIssues(values)) if (!errors[field]) errors[field] = [readMessage(message)]
  return { ...result, errors }
}

export type VisitTalk = z.infer<typeof visitTalkSchema>
export type VisitInput = z.infer<typeof visitSchema>

export { visitFormValues } from './visit-values'

export function parseVisit(values: Record<string, unknown>): FormResult<VisitInput> {
  return withCrossFieldIssues(parseValues(values, visitSchema), values)
}

export function parseVisitTalk(values: Record<string, unknown>): FormResult<VisitTalk> {
  return withCrossFieldIssues(parseValues(values, visitTalkSchema), values)
}
