// POST /api/v1/visits: a visit as JSON, with the id its client made. 201 with the stored
// visit the first time; the same id again 200 with the visit as stored, nothing changed;
// a body that fails the visit form's rules 400 naming each field. The offline queue on the
// officer's phone sends here; so may the bank's own tools, with a session or an integration
// token. A visit older than 30 days is refused, unless the body says `"historical": true`
// (an integration bringing the past): only a caller allowed to import history may, and
// then the time must be past, not before 2000 nor before the player's registration.
import type { ActionFunctionArgs } from '@remix-run/node'
import { AppError } from '../domain/app-error'
import { can } from '../domain/roles'
import { actorOf, getTranslate, requireApiCaller, userScope } from '../http/guards.server'
import { isMessageKey, type Translate } from '../i18n/index'
import { recordVisit } from '../services/visits/record-visit.server'
import { isJsonRequest } from '../http/request-limits.server'
import { parseVisit } from '../forms/visit'
import type { FieldErrors } from '../forms/fields'

const NO_STORE = { 'Cache-Control': 'private, no-store' }

export async function loader() {
  return Response.json({ error: 'method_not_allowed', message: 'POST a visit as JSON' }, { status: 405, headers: { Allow: 'POST' } })
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== 'POST') return loader()
  const user = await requireApiCaller(request, context)
  const t = await getTranslate(request)
  // Only those who log visits (officers and managers), whatever the body says.
  if (!can(user.role, 'visits:log')) return Response.json({ error: 'forbidden', message: t('error.forbidden') }, { status: 403, headers: NO_STORE })
  // JSON only: a cross-site form cannot send it without the browser asking first.
  if (!isJsonRequest(request)) {
    return Response.json({ error: 'unsupported_media_type', message: 'send the visit as application/json' }, { status: 415, headers: NO_STORE })
  }
  let body: unknown
  try {
    body = await request.json()
  } catch {
    return Response.json({ error: 'invalid_json', message: 'the body is not JSON' }, { status: 400, headers: NO_STORE })
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return Response.json({ error: 'invalid_json', message: 'the body must be a JSON object' }, { status: 400, headers: NO_STORE })
  }
  const historical = (body as Record<string, unknown>).historical
  if (historical !== undefined && typeof historical !== 'boolean') {
    return Response.json({ error: 'invalid', message: 'check historical', fields: { historical: ['true or false'] } }, { status: 400, headers: NO_STORE })
  }
  if (historical && !can(user.role, 'history:import')) {
    return Response.json({ error: 'forbidden', message: 'only a caller allowed to import history may send a historical visit', fields: { historical: ['not allowed for this caller'] } }, { status: 403, headers: NO_STORE })
  }
  const parsed = parseVisit(body as Record<string, unknown>)
  if (!parsed.ok) return invalid(t, parsed.errors)
  try {
    const { visit, created } = await recordVisit(
      context.db,
      { actor: { ...actorOf(user, context), id: user.id }, scope: userScope(user), historical: historical === true },
      parsed.data,
    )
    return Response.json({ visit }, { status: created ? 201 : 200, headers: NO_STORE })
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    const message = isMessageKey(error.messageKey) ? t(error.messageKey, error.params) : error.messageKey
    const field = typeof error.params.field === 'string' ? error.params.field : null
    return Response.json(
      { error: error.code, message, ...(field ? { fields: { [field]: [message] } } : {}) },
      { status: error.status, headers: NO_STORE },
    )
  }
}

function invalid(t: Translate, errors: FieldErrors) {
  const fields = Object.fromEntries(Object.entries(errors).map(([field, messages]) => [field, messages.map((m) => t(m.key, m.params))]))
  return Response.json({ error: 'invalid', message: t('visit.invalid', { fields: Object.keys(fields).join(', ') }), fields }, { status: 400, headers: NO_STORE })
}
