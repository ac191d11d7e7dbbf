// Reads the visit form posted whole before JavaScript loads (multipart/form-data): its fields,
// as a FormData the form's schema reads, and the camera's photos as bytes in memory (each
// at most the photo limit and one byte, so an oversized photo is recognised and refused by
// the photo rules; at most the photo count and one). busboy, started as every upload is
// (multipart.server.ts).
import { pipeline } from 'node:stream/promises'
import { MAX_PHOTO_BYTES, MAX_PHOTOS_PER_VISIT } from '../services/visit-photos/photo-rules'
import { multipartFailure, NOT_MULTIPART, startMultipart, type MultipartFailure } from './multipart.server'

export type VisitFormBody = { ok: true; form: FormData; photos: Uint8Array[] } | MultipartFailure

export async function receiveVisitForm(request: Request): Promise<VisitFormBody> {
  const started = startMultipart(request, { fileSize: MAX_PHOTO_BYTES + 1, files: MAX_PHOTOS_PER_VISIT + 1, fields: 60, fieldSize: 10_000 })
  if (!started) return NOT_MULTIPART
  const { parser, body } = started
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
    await pipeline(body, parser)
  } catch (error) {
    return multipartFailure(error)
  }
  return { ok: true, form, photos }
}
