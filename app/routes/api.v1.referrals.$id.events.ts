// POST /api/v1/referrals/{id}/events: the loan system reports a stage, with a bearer token
// an admin made: { "stage", "at", "reason", "externalRef" }, and on `disbursed` also
// { "lentYuan" (integer yuan, required), "guaranteeType" (credit | guaranteed | collateral |
// mixed), "firstLender" (the loan system's first-lender flag) }, the last two null when it
// does not know. The same report twice, or reports out of order, leave the furthest stage and
// the whole history. A bad token is 401, an unknown referral 404, a malformed body 400 naming
// the field, a report dated before the referral or in the future 422; none changes anything.
// A `referred` report is answered 200 `ignored: already_referred` (Wanqi made the referral).
import type { ActionFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { AppError } from '../domain/app-error'
import { GUARANTEE_TYPES } from '../domain/first-lender'
import { STAGES } from '../domain/pipeline'
import { findLiveToken } from '../services/api-tokens/find-live-token.server'
import { CLOCK_SKEW_MS, recordStageReport } from '../services/referrals.server'

const NO_STORE = { 'Cache-Control': 'no-store' }

const DISBURSEMENT_FIELDS = ['lentYuan', 'guaranteeType', 'firstLender'] as const

const reportSchema = z
  .object({
    stage: z.enum(STAGES, { errorMap: () => ({ message: `one of ${STAGES.join(', ')}` }) }),
    at: z.string({ required_error: 'an ISO-8601 time' }).datetime({ offset: true, message: 'an ISO-8601 time with its offset' }),
    reason: z.string().max(500, 'at most 500 characters').nullish(),
    externalRef: z.string().max(100, 'at most 100 characters').nullish(),
    lentYuan: z
      .number({ invalid_type_error: 'a whole number of yuan' })
      .int('a whole number of yuan')
      .positive('more than 0 yuan')
      .max(10_000_000_000, 'at most 10,000,000,000 yuan')
      .nullish(),
    guaranteeType: z.enum(GUARANTEE_TYPES, { errorMap: () => ({ message: `one of ${GUARANTEE_TYPES.join(', ')}, or null` }) }).nullish(),
    firstLender: z.boolean({ invalid_type_error: 'true, false or null' }).nullish(),
  })
  .superRefine((report, ctx) => {
    if (report.stage === 'disbursed') {
      if (report.lentYuan == null) ctx.addIssue({ code: 'custom', path: ['lentYuan'], message: 'the amount lent, in whole yuan, is required on a disbursed report' })
      return
    }
    for (const field of DISBURSEMENT_FIELDS) if (report[field] != null) ctx.addIssue({ code: 'custom', path: [field], message: 'only on a disbursed report' })
  })

export async function loader() {
  return Response.json({ error: 'method_not_allowed', message: 'POST a stage report as JSON' }, { status: 405, headers: { Allow: 'POST' } })
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  if (request.method !== 'POST') return loader()
  const token = await findLiveToken(context.db, request.headers.get('Authorization'))
  if (!token) return Response.json({ error: 'unauthenticated', message: 'a valid bearer token is needed' }, { status: 401, headers: { ...NO_STORE, 'WWW-Authenticate': 'Bearer' } })
  const id = Number(params.id)
  if (!Number.isSafeInteger(id) || id <= 0) return Response.json({ error: 'not_found', message: 'no such referral' }, { status: 404, headers: NO_STORE })
  let body: unknown
  try {
    body = await request.json()
  } catch {
    return Response.json({ error: 'invalid_json', message: 'the body is not JSON' }, { status: 400, headers: NO_STORE })
  }
  const parsed = reportSchema.safeParse(body)
  if (!parsed.success) {
    const fields: Record<string, string[]> = {}
    for (const issue of parsed.error.issues) (fields[String(issue.path[0] ?? '_body')] ??= []).push(issue.message)
    return Response.json({ error: 'invalid', message: `check ${Object.keys(fields).join(', ')}`, fields }, { status: 400, headers: NO_STORE })
  }
  try {
    const result = await recordStageReport(context.db, id, {
      stage: parsed.data.stage,
      at: parsed.data.at,
      reason: parsed.data.reason ?? null,
      externalRef: parsed.data.externalRef ?? null,
      lentYuan: parsed.data.lentYuan ?? null,
      guaranteeType: parsed.data.guaranteeType ?? null,
      firstLender: parsed.data.firstLender ?? null,
    })
    if (result.ignored) {
      return Response.json({ referralId: id, stage: result.stage, ignored: result.ignored, message: 'already referred: Wanqi records the referral when it makes it; nothing changed' }, { status: 200, headers: NO_STORE })
    }
    return Response.json({ referralId: id, stage: result.stage, duplicate: result.duplicate }, { status: result.duplicate ? 200 : 201, headers: NO_STORE })
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return Response.json({ error: 'not_found', message: 'no such referral' }, { status: 404, headers: NO_STORE })
    if (error instanceof AppError && error.code === 'unprocessable') {
      const message = error.messageKey === 'referral.reportBeforeReferral' ? `dated before the referral was made (${error.params.referredAt})` : `dated later than now (${error.params.now}) beyond ${CLOCK_SKEW_MS / 60_000} minutes of clock skew`
      return Response.json({ error: 'out_of_time', message: `at: ${message}; nothing changed`, fields: { at: [message] } }, { status: 422, headers: NO_STORE })
    }
    throw error
  }
}
