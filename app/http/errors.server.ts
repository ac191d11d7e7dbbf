// Where use-case errors become HTTP answers, once for every route.
import { data } from '@remix-run/node'
import { AppError } from '../domain/app-error'
import type { FieldErrors } from '../forms/fields'
import type { Message, MessageKey } from '../i18n/index'

/** An AppError as a status and a message for the form; anything else is rethrown (a 5xx). */
export function toFormError(error: unknown): { status: number; formError: Message } {
  if (error instanceof AppError) {
    return { status: error.status, formError: { key: error.messageKey as MessageKey, params: error.params } }
  }
  throw error
}

/** The id in a route parameter, or a 404 for anything that is not one. */
export function idParam(value: string | undefined): number {
  const id = Number(value)
  if (!Number.isSafeInteger(id) || id <= 0) throw data({ messageKey: 'error.notFound' }, { status: 404 })
  return id
}

/** For loaders: an AppError becomes its 4xx answer (the error page shows its message); anything else stays a 5xx. */
export function httpErrorOf(error: unknown): unknown {
  if (error instanceof AppError) return data({ messageKey: error.messageKey }, { status: error.status })
  return error
}

/** An AppError that names a field (`params.field`) shown by that field; any other above the form. */
export function toFieldOrFormError(error: unknown): { status: number; errors?: FieldErrors; formError?: Message } {
  if (!(error instanceof AppError)) throw error
  const message: Message = { key: error.messageKey as MessageKey, params: error.params }
  const field = error.params.field
  if (typeof field === 'string' && field !== 'playerId') return { status: error.status, errors: { [field]: [message] } }
  return { status: error.status, formError: message }
}
