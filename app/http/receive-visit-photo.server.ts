// Reads a photo PUT (api.v1.visits.$id.photos.$photoId): the photo's bytes as the whole body,
// or a multipart form with the part `photo` and the phone's small copy `thumbnail` beside it
// (decision 0601). Each part is read up to its limit and one byte, so an oversized one is
// recognised and refused by the photo rules.
import { pipeline } from 'node:stream/promises'
import { MAX_PHOTO_BYTES, MAX_THUMBNAIL_BYTES } from '../services/visit-photos/photo-rules'
import { multipartFailure, startMultipart, type MultipartFailure } from './multipart.server'

export type VisitPhotoBody = { ok: true; bytes: Uint8Array; thumbnail: Uint8Array | null } | MultipartFailure

export async function receiveVisitPhoto(request: Request): Promise<VisitPhotoBody> {
  const started = startMultipart(request, { fileSize: MAX_PHOTO_BYTES + 1, files: 2, fields: 0 })
  if (!started) return { ok: true, bytes: new Uint8Array(await request.arrayBuffer()), thumbnail: null }
  const { parser, body } = started
  const parts = new Map<string, Uint8Array>()
  parser.on('file', (name, stream) => {
    const chunks: Buffer[] = []
    const cap = name === 'thumbnail' ? MAX_THUMBNAIL_BYTES + 1 : MAX_PHOTO_BYTES + 1
    let length = 0
    stream.on('data', (chunk: Buffer) => {
      if (length < cap) chunks.push(chunk)
      length += chunk.length
    })
    stream.on('end', () => parts.set(name, new Uint8Array(Buffer.concat(chunks))))
  })
  try {
    await pipeline(body, parser)
  } catch (error) {
    return multipartFailure(error)
  }
  return { ok: true, bytes: parts.get('photo') ?? new Uint8Array(), thumbnail: parts.get('thumbnail') ?? null }
}
