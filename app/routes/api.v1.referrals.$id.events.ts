// POST /api/v1/referrals/{id}/events: the loan system reports a stage, with a bearer token
// an admin made: { "stage", "at", "reason", "externalRef" }. The same report twice, or
// reports out of order, leave the furthest stage and the whole history. A bad token is
// 401, an unknown referral 404, a malformed body 400 naming the field; none changes anything.
import type { ActionFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { AppError } from '../app-error'
import { STAGES } from '../domain/pipeline'
import { findLiveToken } from '../services/api-tokens.server'
import { recordStageReport } from '../services/referrals.server'

const NO_STORE = { 'Cache-Control': 'no-store' }

const reportSchema = z.object({
  stage: z.enum(STAGES, { errorMap: () => ({ message: `one of ${STAGES.join(', ')}` }) }),
  at: z.string({ required_error: 'an ISO-8601 time' }).datetime({ offset: true, message: 'an ISO-8601 time with its offset' }),
  reason: z.string().max(500, 'at most 500 characters').nullish(),
  externalRef: z.string().max(100, 'at most 100 characters').nullish(),
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
    })
    return Response.json({ referralId: id, stage: result.stage, duplicate: result.duplicate }, { status: result.duplicate ? 200 : 201, headers: NO_STORE })
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return Response.json({ error: 'not_found', message: 'no such referral' }, { status: 404, headers: NO_STORE })
    throw error
  }
}
