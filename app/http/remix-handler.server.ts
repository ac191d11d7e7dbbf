// Hands a request to the Remix build, as @remix-run/express does, but with the body the
// limits let through (http/request-limits.server.ts) instead of the raw socket: a form or
// JSON already read whole, an upload through its byte counter.
import type { IncomingHttpHeaders } from 'node:http'
import {
  createReadableStreamFromReadable,
  createRequestHandler,
  writeReadableStreamToWritable,
  type AppLoadContext,
  type ServerBuild,
} from '@remix-run/node'
import type { NextFunction, Request, Response } from 'express'
import { limitedBodyOf } from './request-limits.server'

export function remixHandler(build: ServerBuild, getLoadContext: (req: Request, res: Response) => AppLoadContext) {
  const handleRequest = createRequestHandler(build, build.mode)
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const response = await handleRequest(remixRequest(req, res), getLoadContext(req, res))
      await sendRemixResponse(res, response)
    } catch (error) {
      next(error)
    }
  }
}

function remixRequest(req: Request, res: Response): globalThis.Request {
  // req.hostname follows "trust proxy"; the port comes from the header it was read from.
  const port = (req.get('X-Forwarded-Host') ?? req.get('Host') ?? '').split(':')[1]
  const url = new URL(`${req.protocol}://${req.hostname}${port && /^\d+$/.test(port) ? `:${port}` : ''}${req.originalUrl}`)
  let controller: AbortController | null = new AbortController()
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers: createRemixHeaders(req.headers), signal: controller.signal }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const body = limitedBodyOf(req)
    if (Buffer.isBuffer(body)) init.body = body as unknown as Uint8Array<ArrayBuffer>
    else {
      init.body = createReadableStreamFromReadable(body ?? req)
      init.duplex = 'half'
    }
  }
  // Loaders and actions stop when the client has gone before the answer was sent.
  res.on('finish', () => (controller = null))
  res.on('close', () => controller?.abort())
  return new globalThis.Request(url.href, init)
}

function createRemixHeaders(requestHeaders: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const [key, values] of Object.entries(requestHeaders)) {
    if (!values) continue
    if (Array.isArray(values)) for (const value of values) headers.append(key, value)
    else headers.set(key, values)
  }
  return headers
}

async function sendRemixResponse(res: Response, response: globalThis.Response) {
  res.statusMessage = response.statusText
  res.status(response.status)
  for (const [key, value] of response.headers.entries()) res.append(key, value)
  if (response.body) await writeReadableStreamToWritable(response.body, res)
  else res.end()
}
