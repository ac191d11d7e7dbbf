// GET /api/v1/platform-feedback?since=<ISO time>: a credit platform reads the bank's decisions
// on its applications since a time (services/platform-feedback/read-platform-feedback.server.ts):
// per application its reference (the list's 平台申请编号), the decision, the refusal reason's
// code (app/domain/clocks.ts REFUSAL_REASONS), the decision's time and China day, and the
// amount granted in yuan. Only with a platform feedback token (`Authorization: Bearer …`,
// made by an admin for one platform and the bank or an org unit); poll again from `next`.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { findLiveToken } from '../services/api-tokens/find-live-token.server'
import { readPlatformFeedback } from '../services/platform-feedback/read-platform-feedback.server'

const HEADERS = { 'Cache-Control': 'private, no-store' }
const since = z.string({ required_error: 'required' }).datetime({ offset: true, message: 'an ISO-8601 time with its offset, such as 2026-04-01T00:00:00+08:00' })

export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = await findLiveToken(context.db, request.headers.get('Authorization'), 'platform_feedback')
  if (!token) return Response.json({ error: 'unauthenticated', message: 'send a live platform feedback token as Authorization: Bearer …' }, { status: 401, headers: { ...HEADERS, 'WWW-Authenticate': 'Bearer' } })
  const parsed = since.safeParse(new URL(request.url).searchParams.get('since') ?? undefined)
  if (!parsed.success) return Response.json({ error: 'invalid', message: 'check since', fields: { since: parsed.error.issues.map((i) => i.message) } }, { status: 400, headers: HEADERS })
  const page = await readPlatformFeedback(context.db, token, { since: new Date(parsed.data).toISOString(), ip: context.clientIp ?? null })
  return Response.json(
    {
      platform: page.platform,
      since: page.since,
      next: page.next,
      more: page.more,
      items: page.items.map((r) => ({
        applicationRef: r.applicationRef,
        uscc: r.uscc,
        name: r.name,
        decision: r.decision,
        reasonCode: r.reasonCode,
        note: r.note,
        decidedAt: r.decidedAt,
        decidedOn: r.decidedOn,
        amountYuan: r.amountYuan,
      })),
    },
    { headers: HEADERS },
  )
}
