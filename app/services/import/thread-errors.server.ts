// Errors cross a thread boundary as plain data: a file's problem (TableError) and a user's
// mistake (AppError) arrive as themselves, so the job fails with the same message it would
// on one thread; anything else arrives as an Error carrying the thread's stack.
import { AppError, type AppErrorCode } from '../../domain/app-error'
import type { Params } from '../../i18n/index'
import { TableError } from './read-table.server'

export interface SerialisedError {
  kind: 'table' | 'app' | 'other'
  code?: string
  messageKey?: string
  params?: Params
  message: string
}

export function serialiseError(error: unknown): SerialisedError {
  if (error instanceof TableError) return { kind: 'table', code: error.code, params: error.params, message: error.message }
  if (error instanceof AppError) return { kind: 'app', code: error.code, messageKey: error.messageKey, params: error.params, message: error.message }
  return { kind: 'other', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }
}

export function reviveError(error: SerialisedError, thread: string): Error {
  if (error.kind === 'table') return new TableError(error.code as never, (error.params ?? {}) as Record<string, string | number>)
  if (error.kind === 'app') return new AppError(error.code as AppErrorCode, error.messageKey!, error.params)
  return new Error(`${thread}: ${error.message}`)
}
