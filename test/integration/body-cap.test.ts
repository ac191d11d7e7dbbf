// The upload's byte counter, for a body sent without a length: it passes bytes through to
// the route until the limit, then fails with BodyTooLargeError (which the imports page
// answers 413). Over real HTTP on a tiny server of its own with a small limit, since the
// real one is 201 MB.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BODY_LIMITS, BodyTooLargeError, limitBodies, limitedBodyOf } from '../../app/http/request-limits.server'

let server: http.Server
let url: string

beforeAll(async () => {
  const app = express()
  app.use(limitBodies({ ...BODY_LIMITS, upload: 10_000 }))
  app.post('/imports', (req, res) => {
    const body = limitedBodyOf(req)
    if (!body || Buffer.isBuffer(body)) return void res.status(500).send('an upload should stream')
    let size = 0
    body.on('data', (chunk: Buffer) => (size += chunk.length))
    body.on('end', () => res.status(200).send(String(size)))
    body.on('error', (error) => res.status(error instanceof BodyTooLargeError ? 413 : 500).send(error.message))
  })
  server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

function chunked(size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/imports`, { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Transfer-Encoding': 'chunked' } }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)))
    for (let sent = 0; sent < size; sent += 1000) req.write(Buffer.alloc(Math.min(1000, size - sent), 120))
    req.end()
  })
}

describe('an upload sent without a length', () => {
  it('streams through while under the limit and is cut off past it', async () => {
    expect(await chunked(9_000)).toEqual({ status: 200, body: '9000' })
    expect((await chunked(50_000)).status).toBe(413)
  })
})
