// The last word on a request whose handling ended in an error nothing else answered (a path
// that does not decode, a request the Remix handler could not even build). Express's own
// handler would answer with the error's stack in the page whenever NODE_ENV is not
// production; this one never shows a stack:
// - a 4xx (the request's fault) is one plain-text line with its status, logged at info;
// - anything else is a plain "internal error" naming the request id, logged at error with
//   the stack, which stays in the log.
import { STATUS_CODES } from 'node:http'
import type { ErrorRequestHandler } from 'express'
import { logger } from '../server/logger.server'

export const finalErrorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const status = statusOf(error)
  const requestId = res.locals.requestId as string | undefined
  // The path only (a query string may carry a searched phone number); for a 4xx not the
  // error's message either, which may quote the body it could not read.
  const fields = { requestId, method: req.method, path: req.path, status }
  if (status < 500) logger.info('request refused', { ...fields, reason: (error as { name?: unknown }).name })
  else logger.error('request failed', { ...fields, error: error instanceof Error ? error : new Error(String(error)) })
  // Part of an answer already went out: all that is left is to end the connection.
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.setHeader('Cache-Control', 'no-store')
  res
    .status(status)
    .type('text/plain; charset=utf-8')
    .send(status < 500 ? `${status} ${STATUS_CODES[status] ?? 'Bad Request'}\n` : `internal error${requestId ? ` (request ${requestId})` : ''}\n`)
}

/** The 4xx or 5xx an error carries (http-errors' and body-parser's `status`), else 500. */
function statusOf(error: unknown): number {
  const carried = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode
  return typeof carried === 'number' && Number.isInteger(carried) && carried >= 400 && carried <= 599 ? carried : 500
}
