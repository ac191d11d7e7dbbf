// What the JSON API's writing routes (visits, consents) share: the body read as one JSON
// object, and a use case's refusal answered as JSON in the caller's language.
import { AppError } from '../domain/app-error'
import { isMessageKey, type Translate } from '../i18n/index'
import { isJsonRequest } from './request-limits.server'

export const NO_STORE = { 'Cache-Control': 'private, no-store' }

/**
 * The body as a JSON object, or the answer refusing it: 415 when it is not sent as JSON (a
 * cross-site form cannot send JSON without the browser asking first), 400 when it does not
 * parse or is not an object. `what` names the thing to send ("the visit").
 */
export async function jsonObjectOf(request: Request, what: string): Promise<Record<string, unknown> | Response> {
  if (!isJsonRequest(request)) {
    return Response.json({ error: 'unsupported_media_type', message: `send ${what} as application/json` }, { status: 415, headers: NO_STORE })
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
  return body as Record<string, unknown>
}

/** A use case's AppError as its JSON answer, with the field it names (not `_form`); anything else is rethrown (a 5xx). */
export function appErrorAnswer(t: Translate, error: unknown): Response {
  if (!(error instanceof AppError)) throw error
  const message = isMessageKey(error.messageKey) ? t(error.messageKey, error.params) : error.messageKey
  const field = typeof error.params.field === 'string' && error.params.field !== '_form' ? error.params.field : null
  return Response.json({ error: error.code, message, ...(field ? { fields: { [field]: [message] } } : {}) }, { status: error.status, headers: NO_STORE })
}
