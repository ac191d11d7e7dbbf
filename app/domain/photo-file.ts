// What a storefront photo's bytes are, judged by their first bytes (never by the name or the
// type the browser claims), and the same image without its metadata: EXIF (with the GPS
// position), XMP, comments and text chunks are removed from what is stored and shown; the
// picture's own data is copied byte for byte. JPEG, PNG and WebP only: SVG (a script
// carrier) and anything else is refused.

export type PhotoType = 'image/jpeg' | 'image/png' | 'image/webp'

export const PHOTO_EXTENSION: Record<PhotoType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' }

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

export function sniffPhotoType(bytes: Uint8Array): PhotoType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'image/png'
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp'
  return null
}

/** The image without metadata, or null when its structure is broken (then it is refused). */
export function stripPhotoMetadata(bytes: Uint8Array, type: PhotoType): Uint8Array | null {
  try {
    if (type === 'image/jpeg') return stripJpeg(bytes)
    if (type === 'image/png') return stripPng(bytes)
    return stripWebp(bytes)
  } catch (error) {
    if (error instanceof RangeError) return null
    throw error
  }
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length))
}

function need(bytes: Uint8Array, end: number) {
  if (end > bytes.length) throw new RangeError('truncated image')
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

// JPEG segments kept before the image data: JFIF (APP0), the ICC colour profile (APP2) and
// Adobe's colour transform (APP14); the tables and frame headers (non-APP markers). Dropped:
// APP1 (EXIF with GPS, XMP), the other APPn and comments (COM).
const KEPT_APP = new Set([0xe0, 0xe2, 0xee])

function stripJpeg(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 2)]
  let at = 2
  for (;;) {
    need(bytes, at + 2)
    if (bytes[at] !== 0xff) throw new RangeError('not a JPEG marker')
    const marker = bytes[at + 1]!
    if (marker === 0xff) {
      at += 1 // fill byte
      continue
    }
    if (marker === 0xd9) return concat([...parts, bytes.subarray(at, at + 2)]) // end of image with no scan
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      parts.push(bytes.subarray(at, at + 2))
      at += 2
      continue
    }
    need(bytes, at + 4)
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!
    if (length < 2) throw new RangeError('bad JPEG segment length')
    const end = at + 2 + length
    need(bytes, end)
    // Start of scan: the compressed picture follows to the end; copied as it is.
    if (marker === 0xda) return concat([...parts, bytes.subarray(at)])
    const isApp = marker >= 0xe0 && marker <= 0xef
    if ((!isApp || KEPT_APP.has(marker)) && marker !== 0xfe) parts.push(bytes.subarray(at, end))
    at = end
  }
}

// PNG chunks that carry words or time rather than pixels: EXIF, text, modification time.
const PNG_DROPPED = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME'])

function stripPng(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)]
  let at = 8
  for (;;) {
    need(bytes, at + 8)
    const length = ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!
    const type = ascii(bytes, at + 4, 4)
    const end = at + 12 + length
    need(bytes, end)
    if (!PNG_DROPPED.has(type)) parts.push(bytes.subarray(at, end))
    at = end
    if (type === 'IEND') return concat(parts)
  }
}

function stripWebp(bytes: Uint8Array): Uint8Array {
  const riffEnd = 8 + readLe32(bytes, 4)
  need(bytes, riffEnd)
  const parts: Uint8Array[] = []
  let at = 12
  while (at < riffEnd) {
    need(bytes, at + 8)
    const fourcc = ascii(bytes, at, 4)
    const size = readLe32(bytes, at + 4)
    const end = at + 8 + size + (size % 2) // chunks are padded to an even length
    if (end > riffEnd) throw new RangeError('WebP chunk past the end')
    if (fourcc === 'VP8X') {
      const chunk = bytes.slice(at, end)
      chunk[8] = chunk[8]! & ~0x0c // the "has EXIF" and "has XMP" flags
      parts.push(chunk)
    } else if (fourcc !== 'EXIF' && fourcc !== 'XMP ') {
      parts.push(bytes.subarray(at, end))
    }
    at = end
  }
  const body = concat(parts)
  const header = new Uint8Array(12)
  header.set(bytes.subarray(0, 12))
  const size = body.length + 4
  header[4] = size & 0xff
  header[5] = (size >>> 8) & 0xff
  header[6] = (size >>> 16) & 0xff
  header[7] = (size >>> 24) & 0xff
  return concat([header, body])
}

function readLe32(bytes: Uint8Array, at: number): number {
  need(bytes, at + 4)
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
}
