import { Transform, type TransformCallback } from 'node:stream'
import type { AppLoadContext, EntryContext } from '@remix-run/node'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { isbot } from 'isbot'
import { renderToPipeableStream } from 'react-dom/server'
import { NonceProvider } from './components/nonce'
import { logger } from './logger.server'

const ABORT_DELAY = 5_000
export const streamTimeout = ABORT_DELAY

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Bots get the whole page at once; people get the shell as soon as it is ready.
  const waitForAll = isbot(request.headers.get('user-agent') ?? '')
  return new Promise((resolve, reject) => {
    let shellRendered = false
    const respond = () => {
      shellRendered = true
      const body = withoutChunkPadding()
      responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
      resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }))
      pipe(body)
    }
    // The policy's nonce (server.server.ts): Remix's inline scripts carry it.
    const nonce = loadContext?.nonce
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce ?? ''}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceProvider>,
      {
      nonce,
      onShellReady() {
        if (!waitForAll) respond()
      },
      onAllReady() {
        // Done: the abort timer must not outlive the response.
        clearTimeout(timer)
        if (waitForAll) respond()
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

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return
  logger.error('request failed', { url: new URL(request.url).pathname, error })
}

/**
 * React 18's renderToPipeableStream fills 2 KB buffers and, when a multi-byte character
 * (any Chinese one) does not fit the end of a buffer, sends the buffer with its last one to
 * three bytes still zero (facebook/react#24985, fixed only in React 19). Those NULs land in
 * the middle of the text ("城关\0\0片区"). HTML never holds a raw NUL, so each chunk's
 * trailing zeros are dropped.
 */
export function withoutChunkPadding(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      let end = chunk.length
      while (end > 0 && chunk[end - 1] === 0) end--
      done(null, end === chunk.length ? chunk : chunk.subarray(0, end))
    },
  })
}
