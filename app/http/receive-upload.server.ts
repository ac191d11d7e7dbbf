// Receives a multipart upload of one list file to disk, streaming, with busboy: the parser
// Remix ships (@web3-storage/multipart-parser) refuses any file name holding `=` or `;`
// (名单=2024.csv, a;b.csv) with a 500. The file is kept under a name of ours; the user's
// own name, whatever it is, is only shown.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { multipartFailure, NOT_MULTIPART, startMultipart, type MultipartFailure } from './multipart.server'

export type UploadResult = { ok: true; fields: Record<string, string>; file: { path: string; name: string; size: number } | null } | MultipartFailure

/** Browsers write `"`, CR and LF in a file name as %22, %0D and %0A (HTML's multipart rules). */
function fileNameOf(raw: string | undefined): string {
  return (raw ?? '').replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/[\r\n]/g, ' ').trim()
}

/**
 * busboy takes a part for a plain field unless it has a file name or is typed
 * application/octet-stream: a CSV sent under the file field with an empty name
 * (`filename=""`) or none (as Node's fetch sends an empty one) would arrive as text, cut at
 * the field size. Such a part is given the name " ", which busboy keeps as a file (and
 * `fileNameOf` trims back to empty). Only in a part's header right after a boundary line,
 * which the data cannot contain, so no byte of a file is ever touched.
 */
function namingEmptyFiles(boundary: string, fileField: string): Transform {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const head = '(--' + escape(boundary) + '\\r\\nContent-Disposition:\\s*form-data;\\s*name="' + escape(fileField) + '")'
  const emptyName = new RegExp(head + ';\\s*filename=""', 'gi')
  const noName = new RegExp(head + '(\\r\\nContent-Type:)', 'gi')
  const name = (text: string) => text.replace(emptyName, '$1; filename=" "').replace(noName, '$1; filename=" "$2')
  // A part's first header lines are short: what may straddle two chunks waits for the next.
  const keep = boundary.length + fileField.length + 1024
  let carry = ''
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const text = name(carry + chunk.toString('latin1'))
      const cut = Math.max(0, text.length - keep)
      carry = text.slice(cut)
      done(null, Buffer.from(text.slice(0, cut), 'latin1'))
    },
    flush(done: TransformCallback) {
      done(null, Buffer.from(name(carry), 'latin1'))
    },
  })
}

export async function receiveUpload(request: Request, options: { directory: string; maxBytes: number; fileField: string }): Promise<UploadResult> {
  const started = startMultipart(request, { fileSize: options.maxBytes, files: 1, fields: 20, fieldSize: 10_000 })
  if (!started) return NOT_MULTIPART
  const { parser, body, contentType } = started
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
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
    await pipeline(
      body,
      namingEmptyFiles(boundary ? (boundary[1] ?? boundary[2]) : '', options.fileField),
      parser,
    )
    await Promise.all(writes)
  } catch (error) {
    if (file) await fs.promises.rm((file as { path: string }).path, { force: true })
    return multipartFailure(error)
  }
  if (tooLarge) {
    if (file) await fs.promises.rm((file as { path: string }).path, { force: true })
    return { ok: false, reason: 'tooLarge' }
  }
  return { ok: true, fields, file }
}
