// The start every multipart body shares (a list upload, the visit form posted before
// JavaScript): busboy set up for the request with its limits, and the request's body as a
// Node stream to pipe into it; and what a failed read means for the answer.
import { Readable } from 'node:stream'
import busboy from 'busboy'
import { BodyTooLargeError } from './request-limits.server'

export type MultipartFailure = { ok: false; reason: 'notMultipart' | 'tooLarge' }

/** The parser and the body to feed it, or null when the request is no multipart form (or its header is malformed). */
export function startMultipart(request: Request, limits: busboy.Limits): { parser: busboy.Busboy; body: Readable; contentType: string } | null {
  const contentType = request.headers.get('content-type') ?? ''
  if (!/^multipart\/form-data/i.test(contentType) || !request.body) return null
  try {
    const parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8', limits })
    return { parser, body: Readable.fromWeb(request.body as import('node:stream/web').ReadableStream), contentType }
  } catch {
    return null
  }
}

/** Why reading the body failed: a body sent without a length is cut off at the server's limit as it arrives. */
export const multipartFailure = (error: unknown): MultipartFailure => ({ ok: false, reason: error instanceof BodyTooLargeError ? 'tooLarge' : 'notMultipart' })

export const NOT_MULTIPART: MultipartFailure = { ok: false, reason: 'notMultipart' }
