// Reads the visit form posted whole before JavaScript loads (multipart/form-data): its fields,
// as a FormData the form's schema reads, and the camera's photos as bytes in memory (each
// at most the photo limit and one byte, so an oversized photo is recognised and refused by
// the photo rules; at most the photo count and one). busboy, as receive-upload.server.ts.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import busboy from 'busboy'
import { MAX_PHOTO_BYTES, MAX_PHOTOS_PER_VISIT } from '../services/visit-photos/photo-rules'
import { BodyTooLargeError } from './request-limits.server'

export type VisitFormBody = { ok: true; form: FormData; photos: Uint8Array[] } | { ok: false; reason: 'notMultipart' | 'tooLarge' }

export async function receiveVisitForm(request: Request): Promise<VisitFormBody> {
  const type = request.headers.get('content-type') ?? ''
  if (!/^multipart\/form-data/i.test(type) || !request.body) return { ok: false, reason: 'notMultipart' }
  let parser: busboy.Busboy
  try {
    parser = busboy({
      headers: { 'content-type': type },
      defParamCharset: 'utf8',
      limits: { fileSize: MAX_PHOTO_BYTES + 1, files: MAX_PHOTOS_PER_VISIT + 1, fields: 60, fieldSize: 10_000 },
    })
  } catch {
    return { ok: false, reason: 'notMultipart' }
  }
  const form = new FormData()
  const photos: Uint8Array[] = []
  parser.on('field', (name, value) => form.append(name, value))
  parser.on('file', (name, stream) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => {
      const bytes = Buffer.concat(chunks)
      // An empty file input sends one empty part: no photo taken.
      if (name === 'photos' && bytes.byteLength > 0) photos.push(new Uint8Array(bytes))
    })
  })
  try {
    await pipeline(Readable.fromWeb(request.body as import('node:stream/web').ReadableStream), parser)
  } catch (error) {
    return { ok: false, reason: error instanceof BodyTooLargeError ? 'tooLarge' : 'notMultipart' }
  }
  return { ok: true, form, photos }
}
