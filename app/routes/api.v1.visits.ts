// POST /api/v1/visits: a visit as JSON, with the id its client made. 201 with the stored
// visit the first time; the same id again 200 with the visit as stored, nothing changed;
// a body that fails the visit form's rules 400 naming each field. The offline queue on the
// officer's phone sends here; so may the bank's own tools, with a session or an integration
// token. A visit older than 30 days is refused, unless the body says `"historical": true`
// (an integration bringing the past): only a caller allowed to import history may, and
// then the time must be past, not before 2000 nor before the player's registration.
import type { ActionFunctionArgs } from '@remix-run/node'
import { can } from '../domain/roles'
import { actorOf, getTranslate, requireApiCaller, userScope } from '../http/guards.server'
import type { Translate } from '../i18n/index'
import { recordVisit } from '../services/visits/record-visit.server'
import { appErrorAnswer, jsonObjectOf, NO_STORE } from '../http/json-api.server'
import { parseVisit } from '../forms/visit'
import type { FieldErrors } from '../forms/fields'

export async function loader() {
  return Response.json({ error: 'method_not_allowed', message: 'POST a visit as JSON' }, { status: 405, headers: { Allow: 'POST' } })
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== 'POST') return loader()
  const user = await requireApiCaller(request, context)
  const t = await getTranslate(request)
  // Only those who log visits (officers and managers), whatever the body says.
  if (!can(user.role, 'visits:log')) return Response.json({ error: 'forbidden', message: t('error.forbidden') }, { status: 403, headers: NO_STORE })
  const body = await jsonObjectOf(request, 'the visit')
  if (body instanceof Response) return body
  const historical = body.historical
  if (historical !== undefined && typeof historical !== 'boolean') {
    return Response.json({ error: 'invalid', message: 'check historical', fields: { historical: ['true or false'] } }, { status: 400, headers: NO_STORE })
  }
  if (historical && !can(user.role, 'history:import')) {
    return Response.json({ error: 'forbidden', message: 'only a caller allowed to import history may send a historical visit', fields: { historical: ['not allowed for this caller'] } }, { status: 403, headers: NO_STORE })
  }
  const parsed = parseVisit(body)
  if (!parsed.ok) return invalid(t, parsed.errors)
  try {
    const { visit, created } = await recordVisit(
      context.db,
      { actor: { ...actorOf(user, context), id: user.id }, scope: userScope(user), historical: historical === true },
      parsed.data,
    )
    return Response.json({ visit }, { status: created ? 201 : 200, headers: NO_STORE })
  } catch (error) {
    return appErrorAnswer(t, error)
  }
}

function invalid(t: Translate, errors: FieldErrors) {
  const fields = Object.fromEntries(Object.entries(errors).map(([field, messages]) => [field, messages.map((m) => t(m.key, m.params))]))
  return Response.json({ error: 'invalid', message: t('visit.invalid', { fields: Object.keys(fields).join(', ') }), fields }, { status: 400, headers: NO_STORE })
}
