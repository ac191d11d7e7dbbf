// Form validation shared by server and browser: a zod schema per form, errors as message
// keys (translated where they are shown), the user's input kept.
import { z } from 'zod'
import type { Message, MessageKey, Params } from '../i18n/index'

/** A zod message carrying an i18n key and its parameters. */
export function msg(key: MessageKey, params?: Params): string {
  return JSON.stringify(params ? { key, params } : { key })
}

export function readMessage(text: string): Message {
  try {
    const parsed = JSON.parse(text) as Message
    if (parsed && typeof parsed.key === 'string') return parsed
  } catch {
    // fall through: a zod default message
  }
  return { key: 'validation.required' }
}

export type FieldErrors = Record<string, Message[]>

export type FormResult<T> =
  | { ok: true; data: T }
  | { ok: false; errors: FieldErrors; values: Record<string, string> }

export function parseForm<S extends z.ZodTypeAny>(formData: FormData, schema: S): FormResult<z.infer<S>> {
  const values: Record<string, string> = {}
  for (const [key, value] of formData) if (typeof value === 'string' && !(key in values)) values[key] = value
  return parseValues(values, schema)
}

/** The same for values that did not come as a form (a JSON body, a queued visit). */
export function parseValues<S extends z.ZodTypeAny>(values: Record<string, unknown>, schema: S): FormResult<z.infer<S>> {
  const result = schema.safeParse(values)
  if (result.success) return { ok: true, data: result.data as z.infer<S> }
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : '_form'
    ;(errors[field] ??= []).push(readMessage(issue.message))
  }
  const kept: Record<string, string> = {}
  for (const [key, value] of Object.entries(values)) {
    // Never send a password back to the browser.
    if (value !== undefined && value !== null) kept[key] = key.toLowerCase().includes('password') ? '' : Array.isArray(value) ? value.join(',') : String(value)
  }
  return { ok: false, errors, values: kept }
}

/** Text that must be there: trimmed, at most `max` characters. */
export function requiredText(max: number) {
  return z
    .string({ required_error: msg('validation.required') })
    .trim()
    .min(1, msg('validation.required'))
    .max(max, msg('validation.tooLong', { max }))
}

export function choice<T extends string>(options: readonly [T, ...T[]]) {
  return z.enum(options, { errorMap: () => ({ message: msg('validation.choice') }) })
}

export const idField = z.coerce
  .number({ invalid_type_error: msg('validation.choice') })
  .int(msg('validation.choice'))
  .positive(msg('validation.choice'))

/** Passwords: at least this long; no other composition rules (NIST SP 800-63B). */
export { MIN_PASSWORD_LENGTH } from '../domain/password-policy'
import { MIN_PASSWORD_LENGTH } from '../domain/password-policy'

export const passwordField = z
  .string({ required_error: msg('validation.password', { min: MIN_PASSWORD_LENGTH }) })
  .min(MIN_PASSWORD_LENGTH, msg('validation.password', { min: MIN_PASSWORD_LENGTH }))
  .max(200, msg('validation.tooLong', { max: 200 }))

// Optional fields: a blank is no value.
export const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)

export function optionalText(max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() || undefined : blankToUndefined(v)),
    z.string({ invalid_type_error: msg('validation.required') }).max(max, msg('validation.tooLong', { max })).optional(),
  )
}

export function optionalChoice<T extends string>(options: readonly [T, ...T[]]) {
  return z.preprocess(blankToUndefined, choice(options).optional())
}

export function optionalNumber(min: number, max: number, options: { integer?: boolean } = {}) {
  const message = msg(options.integer ? 'validation.wholeNumberBetween' : 'validation.numberBetween', { min, max })
  let n = z.number({ invalid_type_error: message }).min(min, message).max(max, message)
  if (options.integer) n = n.int(message)
  return z.preprocess((v) => {
    const value = blankToUndefined(typeof v === 'string' ? v.trim() : v)
    return typeof value === 'string' ? (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value) : value
  }, n.optional())
}

/** A checkbox or a JSON boolean. */
export const flag = z.preprocess(
  (v) => v === true || v === 1 || v === '1' || v === 'true' || v === 'on' || v === 'yes',
  z.boolean(),
)

/** What a list's file picker offers: every format the reader takes (CSV and text, XLSX, XLS
 * and WPS `.et`), by extension and by type, so .xls files are not greyed out. */
export const SPREADSHEET_ACCEPT =
  '.csv,.txt,.xlsx,.xls,.et,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel'
