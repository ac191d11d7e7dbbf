import { Writable } from 'node:stream'
import type { AppLoadContext, EntryContext } from '@remix-run/node'
import { RemixServer, isRouteErrorResponse } from '@remix-run/react'
import { renderToPipeableStream } from 'react-dom/server'
import { NonceProvider } from './components/nonce'
import { currentRequestLog, logger } from './server/logger.server'

const ABORT_DELAY = 5_000
export const streamTimeout = ABORT_DELAY

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // The whole page is drawn, then sent as one body. No loader defers anything, so the shell
  // is all but the loader data's scripts; streaming it in React's 2 KB chunks cost more, each
  // chunk a trip through four streams and gzip of its own, than waiting the last
  // millisecond for the whole (the outlet dashboard's p95 went from 29 to 23 ms).
  // A 5xx that reached no handleError (Remix passes it none for a thrown 5xx answer): said
  // here with the routes' errors, so no 500 goes unexplained in the log (0653).
  if (responseStatusCode >= 500 && !currentRequestLog()?.errorLogged) {
    logger.error('page answered with a server error', { url: new URL(request.url).pathname, status: responseStatusCode, errors: routeErrors(remixContext) })
  }
  return new Promise<Response>((resolve, reject) => {
    const nonce = loadContext?.nonce
    let shellRendered = false
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce ?? ''}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        onShellReady() {
          shellRendered = true
        },
        onAllReady() {
          // Done: the abort timer must not outlive the response.
          clearTimeout(timer)
          const page = wholePage()
          page.body.then((body) => {
            responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
            resolve(new Response(body as Uint8Array<ArrayBuffer>, { headers: responseHeaders, status: responseStatusCode }))
          }, reject)
          pipe(page.sink)
        },
        onShellError(error: unknown) {
          clearTimeout(timer)
          reject(error)
        },
        onError(error: unknown) {
          responseStatusCode = 500
          if (shellRendered) logger.error('render failed', { requestId: loadContext?.requestId, error })
        },
      },
    )
    const timer = setTimeout(abort, ABORT_DELAY)
  })
}

/** Each failed route's error, as far as it can be said without personal data: a status, a name, a message key. */
function routeErrors(remixContext: EntryContext): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [route, error] of Object.entries(remixContext.staticHandlerContext.errors ?? {})) {
    if (isRouteErrorResponse(error)) out[route] = { status: error.status, messageKey: (error.data as { messageKey?: unknown } | null)?.messageKey }
    else if (error instanceof Error) out[route] = { name: error.name, message: error.message }
    else out[route] = typeof error
  }
  return out
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return
  // A 4xx (no such page, not allowed, a bad method) is the client's doing, not a fault:
  // logged below error level so the real errors stand out.
  const status = clientErrorStatus(error)
  if (status !== null) {
    logger.info('request refused', { url: new URL(request.url).pathname, status })
    return
  }
  logger.error('request failed', { url: new URL(request.url).pathname, error })
}

/** The 4xx status of a thrown answer (an error response, a Response, `data(…, { status })`), else null. */
function clientErrorStatus(error: unknown): number | null {
  let status: unknown = null
  if (isRouteErrorResponse(error) || error instanceof Response) status = error.status
  else if (error && typeof error === 'object' && 'init' in error) status = (error as { init?: { status?: unknown } | null }).init?.status
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null
}

/**
 * Where React writes the page: its chunks kept, and the whole page once React ends it.
 *
 * React 18's renderToPipeableStream fills 2 KB buffers and, when a multi-byte character
 * (any Chinese one) does not fit the end of a buffer, sends the buffer with its last one to
 * three bytes still zero (facebook/react#24985, fixed only in React 19). Those NULs would
 * land in the middle of the text ("城关\0\0片区"). HTML never holds a raw NUL, so each
 * chunk's trailing zeros are dropped.
 */
export function wholePage(): { sink: Writable; body: Promise<Buffer> } {
  const chunks: Buffer[] = []
  let settle: { resolve(body: Buffer): void; reject(error: unknown): void }
  const body = new Promise<Buffer>((resolve, reject) => (settle = { resolve, reject }))
  const sink = new Writable({
    write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
      let end = chunk.length
      while (end > 0 && chunk[end - 1] === 0) end--
      chunks.push(end === chunk.length ? chunk : chunk.subarray(0, end))
      done()
    },
    final(done: (error?: Error | null) => void) {
      settle.resolve(Buffer.concat(chunks))
      done()
    },
  })
  sink.once('error', (error) => settle.reject(error))
  return { sink, body }
}
