// The one error type use cases throw for what a user can cause. Routes map it to HTTP once
// (see http/errors.server.ts); anything else is a bug, logged and answered with a plain 500.
import type { Params } from '../i18n/index'

export type AppErrorCode = 'bad_request' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'unprocessable' | 'too_many'

const STATUS: Record<AppErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  too_many: 429,
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    /** An i18n message key, shown to the user in their language. */
    readonly messageKey: string,
    readonly params: Params = {},
  ) {
    super(`${code}: ${messageKey}`)
  }

  get status(): number {
    return STATUS[this.code]
  }
}
