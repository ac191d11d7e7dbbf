// Receives a multipart upload of one list file to disk, streaming, with busboy: the parser
// Remix ships (@web3-storage/multipart-parser) refuses any file name holding `=` or `;`
// (名单=2024.csv, a;b.csv) with a 500. The file is kept under a name of ours; the user's
// own name, whatever it is, is only shown.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import busboy from 'busboy'
import { BodyTooLargeError } from './request-limits.server'

export type UploadResult =
  | { ok: true; fields: Record<string, string>; file: { path: string; name: string; size: number } | null }
  | { ok: false; reason: 'notMultipart' | 'tooLarge' }

/** Browsers write `"`, CR and LF in a file name as %22, %0D and %0A (HTML's multipart rules). */
function fileNameOf(raw: string | undefined): string {
  return (raw ?? '').replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/[\r\n]/g, ' ').trim()
}

export async function receiveUpload(request: Request, options: { directory: string; maxBytes: number; fileField: string }): Promise<UploadResult> {
  const type = request.headers.get('content-type') ?? ''
  if (!/^multipart\/form-data/i.test(type) || !request.body) return { ok: false, reason: 'notMultipart' }
  let parser: busboy.Busboy
  try {
    parser = busboy({
      headers: { 'content-type': type },
      defParamCharset: 'utf8',
      limits: { fileSize: options.maxBytes, files: 1, fields: 20, fieldSize: 10_000 },
    })
  } catch {
    return { ok: false, reason: 'notMultipart' }
  }
  const fields: Record<string, string> = {}
  let file: { path: string; name: string; size: number } | null = null
  let tooLarge = false
  const writes: Promise<void>[] = []
  parser.on('field', (name, value) => {
    fields[name] = value
  })
  parser.on('file', (name, stream, info) => {
    if (name !== options.fileField || file) {
      stream.resume()
      return
    }
    const target = path.join(options.directory, `${Date.now()}-${crypto.randomBytes(6).toString('hex')}.upload`)
    const received = { path: target, name: fileNameOf(info.filename), size: 0 }
    file = received
    stream.on('data', (chunk: Buffer) => (received.size += chunk.length))
    stream.on('limit', () => (tooLarge = true))
    writes.push(pipeline(stream, fs.createWriteStream(target, { mode: 0o600 })))
  })
  try {
    await pipeline(Readable.fromWeb(request.body as import('node:stream/web').ReadableStream), parser)
    await Promise.all(writes)
  } catch (error) {
    if (file) await fs.promises.rm((file as { path: string }).path, { force: true })
    // A body sent without a length is cut off at the server's limit as it arrives.
    return { ok: false, reason: error instanceof BodyTooLargeError ? 'tooLarge' : 'notMultipart' }
  }
  if (tooLarge) {
    if (file) await fs.promises.rm((file as { path: string }).path, { force: true })
    return { ok: false, reason: 'tooLarge' }
  }
  return { ok: true, fields, file }
}
