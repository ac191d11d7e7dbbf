// How much of a request body the server reads, and of which kind, before the app sees it.
// Every body is classed by where it goes and what it says it is (the media type matched
// exactly, never by prefix): a sign-in or a form is small, JSON bounded, an upload large.
// A body that says it is too large (Content-Length) is refused before a byte of it is read;
// one sent without a length is counted as it arrives and cut off at the limit. Forms and
// JSON are read whole here, so the app parses a Buffer that is known to be small.
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import type { NextFunction, Request, Response } from 'express'
import { logger } from '../server/logger.server'

const KB = 1024
const MB = 1024 * KB

export const BODY_LIMITS = {
  /** Sign-in, sign-out, the language switch: a name and a password. */
  signIn: 16 * KB,
  /** The loan QR code's public form (/q/…): a few short fields, from anyone. */
  publicForm: 8 * KB,
  /** Any other form a page posts. */
  form: 64 * KB,
  /** A drawn territory's corners, or a drawn signature (consent), travel as a form field. */
  drawnForm: MB,
  /** A visit, a stage report. */
  json: MB,
  /** A visit's photo, its bytes as the body (the route judges the type from them), or as a
   * multipart form with its thumbnail (32 KB) beside it. */
  photo: 10 * MB + 64 * KB,
  /** The visit form posted whole before JavaScript loads: six photos of 10 MB and the fields. */
  visitForm: 61 * MB,
  /** An uploaded list (200 MB, the reader's own limit) and the form around it. */
  upload: 201 * MB,
} as const

export type BodyKind = keyof typeof BODY_LIMITS

const SIGN_IN_PATHS = new Set(['/login', '/logout', '/lang'])
const DRAWN_PATHS = new Set(['/territories'])
// The consent's signing page: the signature PNG and its pen strokes as form fields.
const SIGNING_PATH = /^\/players\/\d+\/consent$/
// Every page whose form carries a file: lists, history, the HR exports, boundaries.
const UPLOAD_PATHS = new Set(['/imports', '/imports/history', '/admin/import/org', '/admin/import/staff', '/admin/areas'])
// PUT /api/v1/visits/<visit>/photos/<photo>: a storefront photo (services/visit-photos).
const PHOTO_PATH = /^\/api\/v1\/visits\/[^/]+\/photos\/[^/]+$/
// The visit form, which carries the camera's photos when posted without JavaScript.
const VISIT_FORM_PATH = /^\/players\/\d+\/visit$/
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data'])

/** The media type of a Content-Type header, without its parameters, lower case; '' when absent. */
export function mediaTypeOf(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

/** Whether a request's body is JSON: `application/json` exactly (`application/jsonx` is not). */
export function isJsonRequest(request: { headers: { get(name: string): string | null } }): boolean {
  return mediaTypeOf(request.headers.get('Content-Type')) === 'application/json'
}

/**
 * What a body sent to `path` with this media type is, or why it is refused (415). Pages take
 * forms (multipart only where a file is uploaded), the API takes JSON; an empty body with no
 * type (a bare POST) counts as a form.
 */
export function classifyBody(pathname: string, mediaType: string): { kind: BodyKind } | { refused: string } {
  // Remix's own data requests post to the page's path with `.data` after it.
  const page = pathname.replace(/\.data$/, '').replace(/\/$/, '') || '/'
  // Any media type: a photo's type is judged from its bytes, and refused there with a reason.
  if (PHOTO_PATH.test(page)) return { kind: 'photo' }
  if (page.startsWith('/api/')) {
    return mediaType === 'application/json' || mediaType === '' ? { kind: 'json' } : { refused: 'send application/json' }
  }
  if (mediaType === 'multipart/form-data') {
    if (VISIT_FORM_PATH.test(page)) return { kind: 'visitForm' }
    return UPLOAD_PATHS.has(page) ? { kind: 'upload' } : { refused: 'this page takes a form (application/x-www-form-urlencoded)' }
  }
  if (mediaType !== '' && !FORM_TYPES.has(mediaType)) return { refused: 'send a form (application/x-www-form-urlencoded)' }
  if (SIGN_IN_PATHS.has(page)) return { kind: 'signIn' }
  if (page.startsWith('/q/')) return { kind: 'publicForm' }
  if (DRAWN_PATHS.has(page) || SIGNING_PATH.test(page)) return { kind: 'drawnForm' }
  return { kind: 'form' }
}

/** The error a body cut off at its limit ends with (an upload's route answers it 413). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is over ${limit} bytes`)
    this.name = 'BodyTooLargeError'
  }
}

/** What the app reads as the body: a Buffer read whole, or an upload's counted stream. */
export type LimitedBody = Buffer | Readable | null

const BODY = Symbol('wanqi.body')
type WithBody = Request & { [BODY]?: LimitedBody }

/** The body the limits let through, for the Remix adapter; null for a request without one. */
export function limitedBodyOf(req: Request): LimitedBody {
  return (req as WithBody)[BODY] ?? null
}

function refuse(res: Response, status: 413 | 415, message: string, fields: Record<string, unknown>) {
  logger.info('request body refused', { status, ...fields })
  // The rest of the body is not read: the connection ends with this answer.
  res.setHeader('Connection', 'close')
  res.status(status).type('text/plain').send(message)
}

/** The express middleware: every request with a body goes through it before the app. */
export function limitBodies(limits: Record<BodyKind, number> = BODY_LIMITS) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next()
    const classed = classifyBody(req.path, mediaTypeOf(req.get('Content-Type')))
    const fields = { method: req.method, path: req.path }
    if ('refused' in classed) return refuse(res, 415, `unsupported media type: ${classed.refused}`, fields)
    const limit = limits[classed.kind]
    const declared = req.get('Content-Length')
    if (declared !== undefined && Number(declared) > limit) {
      return refuse(res, 413, `request body too large (over ${limit} bytes)`, { ...fields, kind: classed.kind })
    }
    if (classed.kind === 'upload' || classed.kind === 'visitForm') {
      // Streamed to disk by the route; counted on the way, in case no length was sent.
      ;(req as WithBody)[BODY] = req.pipe(new ByteCap(limit))
      return next()
    }
    readWhole(req, limit).then(
      (body) => {
        ;(req as WithBody)[BODY] = body
        next()
      },
      (error: unknown) => {
        if (error instanceof BodyTooLargeError) return refuse(res, 413, `request body too large (over ${limit} bytes)`, { ...fields, kind: classed.kind })
        // The client went away mid-body: nobody is left to answer.
        req.destroy()
      },
    )
  }
}

function readWhole(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.off('data', onData)
        req.pause()
        reject(new BodyTooLargeError(limit))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve(Buffer.concat(chunks, size)))
    req.once('error', reject)
    req.once('aborted', () => reject(new Error('aborted')))
  })
}

/** Passes bytes through until there are more than `limit`, then fails with BodyTooLargeError. */
class ByteCap extends Transform {
  private seen = 0
  constructor(private readonly limit: number) {
    super()
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    this.seen += chunk.length
    if (this.seen > this.limit) return done(new BodyTooLargeError(this.limit))
    done(null, chunk)
  }
}
