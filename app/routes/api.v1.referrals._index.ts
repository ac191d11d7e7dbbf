// POST /api/v1/referrals: a bank's tool hands a case off, as the player's page does and by
// the same use case (services/referrals.server.ts: the product's rules on the latest
// visit's need, one open case per player, the amount within the limit). JSON:
// { "playerId" | "uscc", "productCode", "amountYuan", "termMonths"?, "clientKey"?,
//   "referredAt"?, "externalRef"? }, with the key also as an `Idempotency-Key` header.
// The same key again answers the referral it made (200); a new one 201. Scoped to the
// caller (a session, or an integration token acting for its user): a player outside it is
// 404. A case the rules refuse is 422 with every failed rule. `referredAt`, a hand-off made
// in the past, only for a caller allowed to import history (else 403); it is judged as of
// that day and is not sent to the loan system again. A product that queries the credit
// report needs the player's valid signed consent: without one, 422 `consent_needed`.
import type { ActionFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { AppError } from '../domain/app-error'
import { checkUscc } from '../domain/identifiers'
import { can } from '../domain/roles'
import { loadClockContext } from '../services/clocks/clock-context.server'
import { actorOf, getTranslate, requireApiCaller, userScope } from '../http/guards.server'
import { isMessageKey, type Translate } from '../i18n/index'
import { findPlayersByUscc } from '../services/player-lookup.server'
import { handOffCaseOnce, HandOffRefused } from '../services/referrals.server'

const NO_STORE = { 'Cache-Control': 'private, no-store' }
const KEY = /^[A-Za-z0-9_.:-]{8,100}$/

const bodySchema = z
  .object({
    playerId: z.number().int().positive().optional(),
    uscc: z.string().max(40).optional(),
    productCode: z.string({ required_error: 'required' }).min(1, 'required').max(40),
    amountYuan: z.number({ required_error: 'required', invalid_type_error: 'a number of yuan' }).int('whole yuan').min(1, 'at least 1').max(1_000_000_000, 'at most 1,000,000,000'),
    termMonths: z.number().int().min(1).max(360).nullish(),
    clientKey: z.string().regex(KEY, '8–100 letters, digits, ".", ":", "-" or "_"').optional(),
    referredAt: z.string().datetime({ offset: true, message: 'an ISO-8601 time with its offset' }).optional(),
    externalRef: z.string().max(100).nullish(),
  })
  .refine((b) => (b.playerId === undefined) !== (b.uscc === undefined), { message: 'give playerId or uscc, one of them', path: ['playerId'] })

export async function loader() {
  return Response.json({ error: 'method_not_allowed', message: 'POST a hand-off as JSON' }, { status: 405, headers: { Allow: 'POST' } })
}

const answer = (status: number, body: Record<string, unknown>) => Response.json(body, { status, headers: NO_STORE })

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== 'POST') return loader()
  const user = await requireApiCaller(request, context)
  const t = await getTranslate(request)
  // Those who hand off on the page (officers and managers), whatever the body says.
  if (!can(user.role, 'visits:log')) return answer(403, { error: 'forbidden', message: t('error.forbidden') })
  if (!(request.headers.get('Content-Type') ?? '').toLowerCase().startsWith('application/json')) {
    return answer(415, { error: 'unsupported_media_type', message: 'send the hand-off as application/json' })
  }
  let body: unknown
  try {
    body = await request.json()
  } catch {
    return answer(400, { error: 'invalid_json', message: 'the body is not JSON' })
  }
  const parsed = bodySchema.safeParse(body)
  if (!parsed.success) {
    const fields: Record<string, string[]> = {}
    for (const issue of parsed.error.issues) (fields[String(issue.path[0] ?? '_body')] ??= []).push(issue.message)
    return answer(400, { error: 'invalid', message: `check ${Object.keys(fields).join(', ')}`, fields })
  }
  const input = parsed.data
  const header = request.headers.get('Idempotency-Key')
  if (header !== null && !KEY.test(header)) return answer(400, { error: 'invalid', message: 'check Idempotency-Key', fields: { clientKey: ['8–100 letters, digits, ".", ":", "-" or "_"'] } })
  if (header !== null && input.clientKey !== undefined && header !== input.clientKey) {
    return answer(400, { error: 'invalid', message: 'the Idempotency-Key header and clientKey differ', fields: { clientKey: ['differs from the Idempotency-Key header'] } })
  }
  const clientKey = header ?? input.clientKey
  if (!clientKey) return answer(400, { error: 'invalid', message: 'give a client key (Idempotency-Key header or clientKey), so a retry is the same hand-off', fields: { clientKey: ['required'] } })
  if (input.referredAt && !can(user.role, 'history:import')) {
    return answer(403, { error: 'forbidden', message: 'only a caller allowed to import history may date a hand-off in the past', fields: { referredAt: ['not allowed for this caller'] } })
  }
  const scope = userScope(user)
  let playerId = input.playerId
  if (input.uscc !== undefined) {
    const checked = checkUscc(input.uscc)
    if (!checked.ok) return answer(400, { error: 'invalid', message: t(checked.message.key, checked.message.params), fields: { uscc: [t(checked.message.key, checked.message.params)] } })
    const found = await findPlayersByUscc(context.db, scope, checked.value)
    if (found.length !== 1) return answer(found.length ? 409 : 404, found.length ? { error: 'conflict', message: t('history.playerAmbiguous') } : { error: 'not_found', message: t('error.notFound') })
    playerId = found[0].id
  }
  try {
    const { referral, created } = await handOffCaseOnce(
      context.db,
      { actor: { ...actorOf(user, context), id: user.id }, scope, clocks: await loadClockContext(context.db) },
      { playerId: playerId!, productCode: input.productCode, amountYuan: input.amountYuan, termMonths: input.termMonths ?? null },
      { clientKey, referredAt: input.referredAt ? new Date(input.referredAt) : undefined, externalRef: input.externalRef ?? null },
    )
    return answer(created ? 201 : 200, {
      referral: {
        id: referral.id,
        playerId: referral.player_id,
        productCode: referral.product_code,
        amountYuan: Number(referral.amount_yuan),
        termMonths: referral.term_months,
        credit: referral.credit === 1,
        firstLender: referral.first_lender === 1,
        stage: referral.stage,
        referredAt: referral.referred_at,
        acceptDueAt: referral.accept_due_at,
        externalRef: referral.external_ref,
        clientKey: referral.client_key,
        consentId: referral.consent_id,
      },
    })
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    return refused(t, error)
  }
}

/** The rules' refusals are 422 with their reasons; a missing player 404; the rest as the error says. */
function refused(t: Translate, error: AppError) {
  const message = isMessageKey(error.messageKey) ? t(error.messageKey, error.params) : error.messageKey
  if (error instanceof HandOffRefused) {
    return answer(422, { error: 'not_qualified', message, reasons: error.reasons.map((r) => (isMessageKey(r.message.key) ? t(r.message.key, r.message.params) : r.message.key)) })
  }
  if (error.messageKey === 'referral.consentNeeded') return answer(422, { error: 'consent_needed', message, reasons: [message], fields: { productCode: [message] } })
  if (error.messageKey === 'referral.amountOverLimit') return answer(422, { error: 'over_limit', message, reasons: [message] })
  if (error.code === 'not_found') return answer(404, { error: 'not_found', message })
  const field = typeof error.params.field === 'string' ? error.params.field : null
  return answer(error.status, { error: error.code, message, ...(field ? { fields: { [field]: [message] } } : {}) })
}
