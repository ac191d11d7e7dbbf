// A stored photo's small copy made on the server, for photos that came without the phone's
// (stored before decision 0601, or sent by the plain form or an API client): the same shape
// as the phone draws (longest side THUMBNAIL_SIDE, JPEG, at most MAX_THUMBNAIL_BYTES),
// decision 0631. Pure JavaScript decoders, nothing native: JPEG by jpeg-js, PNG by pngjs,
// WebP by libwebp compiled to WebAssembly (@jsquash/webp, its .wasm inside the npm package).
// Memory is bounded before decoding: the picture's size is read from its header, and one
// over MAX_DECODE_PIXELS is refused (a decoded picture is 4 bytes a pixel). The pixels are
// averaged over each small pixel's area (a box filter: no aliasing when shrinking 10× or
// more), transparency laid on white. A picture that cannot be decoded is an error with its
// reason (ThumbnailError), for the caller to report.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import type { PhotoType } from '../../domain/photo-file'
import { MAX_THUMBNAIL_BYTES, THUMBNAIL_SIDE } from './photo-rules'

/** The largest picture decoded: 24 MP (6000×4000), ~100 MB of pixels, ~200 MB at most while decoding. */
export const MAX_DECODE_PIXELS = 24_000_000
const JPEG_DECODE_MEMORY_MB = 256
const QUALITIES = [70, 50, 35]

export class ThumbnailError extends Error {
  constructor(
    readonly reason: 'not_image' | 'too_many_pixels' | 'undecodable' | 'too_large',
    message: string,
  ) {
    super(message)
    this.name = 'ThumbnailError'
  }
}

interface Pixels {
  width: number
  height: number
  /** RGBA, 4 bytes a pixel. */
  data: Uint8Array | Uint8ClampedArray
}

/** The picture's width and height from its header, or null when the header is not readable. */
export function pictureSize(bytes: Uint8Array, type: PhotoType): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  try {
    if (type === 'image/png') return bytes.length >= 24 ? { width: view.getUint32(16), height: view.getUint32(20) } : null
    if (type === 'image/jpeg') {
      let at = 2
      while (at + 9 < bytes.length) {
        if (bytes[at] !== 0xff) return null
        const marker = bytes[at + 1]!
        if (marker === 0xff) {
          at++
          continue
        }
        // Start of frame (baseline, progressive, …; not DHT C4, JPG C8, DAC CC): height then width.
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) }
        }
        if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
          at += 2
          continue
        }
        at += 2 + view.getUint16(at + 2)
      }
      return null
    }
    // WebP: the first chunk after RIFF….WEBP says the canvas.
    const chunk = String.fromCharCode(...bytes.subarray(12, 16))
    if (chunk === 'VP8X') return { width: 1 + (view.getUint32(24, true) & 0xffffff), height: 1 + (view.getUint32(27, true) & 0xffffff) }
    if (chunk === 'VP8 ') return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff }
    if (chunk === 'VP8L') {
      const bits = view.getUint32(21, true)
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) }
    }
    return null
  } catch (error) {
    if (error instanceof RangeError) return null
    throw error
  }
}

let webpDecoder: Promise<(buffer: ArrayBuffer) => Promise<ImageData>> | undefined

/** libwebp's decoder, its WebAssembly read from the package's own file once per process. */
function loadWebpDecoder() {
  webpDecoder ??= (async () => {
    const decoder = await import('@jsquash/webp/decode.js')
    const wasm = createRequire(import.meta.url).resolve('@jsquash/webp/codec/dec/webp_dec.wasm')
    const init = decoder.init as unknown as (module: WebAssembly.Module) => Promise<void>
    await init(await WebAssembly.compile(fs.readFileSync(wasm)))
    return decoder.default
  })()
  return webpDecoder
}

async function decode(bytes: Uint8Array, type: PhotoType): Promise<Pixels> {
  try {
    if (type === 'image/jpeg') {
      return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_DECODE_PIXELS / 1_000_000, maxMemoryUsageInMB: JPEG_DECODE_MEMORY_MB })
    }
    if (type === 'image/png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      return { width: png.width, height: png.height, data: png.data }
    }
    // A copy of its own (a Buffer's .buffer may be a pool shared with other bytes).
    const copy = new Uint8Array(bytes).buffer
    const image = await (await loadWebpDecoder())(copy)
    return { width: image.width, height: image.height, data: image.data }
  } catch (error) {
    throw new ThumbnailError('undecodable', `the ${type} could not be decoded: ${(error as Error).message}`)
  }
}

/** The pixels shrunk to `width`×`height` by averaging each small pixel's area, on white; RGBA out. */
export function shrinkPixels(source: Pixels, width: number, height: number): Uint8Array {
  const { width: sw, height: sh, data } = source
  // Rows first: each source row's RGB (alpha laid on white) summed into `width` columns.
  const rows = new Float64Array(width * sh * 3)
  const xScale = sw / width
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < width; x++) {
      const from = x * xScale
      const to = from + xScale
      let r = 0
      let g = 0
      let b = 0
      for (let sx = Math.floor(from); sx < Math.ceil(to) && sx < sw; sx++) {
        const weight = Math.min(to, sx + 1) - Math.max(from, sx)
        const i = (y * sw + sx) * 4
        const alpha = data[i + 3]! / 255
        r += weight * (data[i]! * alpha + 255 * (1 - alpha))
        g += weight * (data[i + 1]! * alpha + 255 * (1 - alpha))
        b += weight * (data[i + 2]! * alpha + 255 * (1 - alpha))
      }
      const o = (y * width + x) * 3
      rows[o] = r / xScale
      rows[o + 1] = g / xScale
      rows[o + 2] = b / xScale
    }
  }
  // Then columns.
  const out = new Uint8Array(width * height * 4)
  const yScale = sh / height
  for (let y = 0; y < height; y++) {
    const from = y * yScale
    const to = from + yScale
    for (let x = 0; x < width; x++) {
      let r = 0
      let g = 0
      let b = 0
      for (let sy = Math.floor(from); sy < Math.ceil(to) && sy < sh; sy++) {
        const weight = Math.min(to, sy + 1) - Math.max(from, sy)
        const i = (sy * width + x) * 3
        r += weight * rows[i]!
        g += weight * rows[i + 1]!
        b += weight * rows[i + 2]!
      }
      const o = (y * width + x) * 4
      out[o] = Math.round(r / yScale)
      out[o + 1] = Math.round(g / yScale)
      out[o + 2] = Math.round(b / yScale)
      out[o + 3] = 255
    }
  }
  return out
}

/** The small copy's size: the longest side THUMBNAIL_SIDE, never larger than the picture. */
export function thumbnailSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** A JPEG thumbnail of the photo's bytes (JPEG, PNG or WebP), or a ThumbnailError saying why not. */
export async function makeThumbnail(bytes: Uint8Array, type: PhotoType): Promise<Uint8Array> {
  const size = pictureSize(bytes, type)
  if (!size || size.width === 0 || size.height === 0) throw new ThumbnailError('undecodable', `the ${type} has no readable size`)
  if (size.width * size.height > MAX_DECODE_PIXELS) {
    throw new ThumbnailError('too_many_pixels', `${size.width}×${size.height} is over ${MAX_DECODE_PIXELS / 1_000_000} MP`)
  }
  const pixels = await decode(bytes, type)
  if (pixels.width * pixels.height * 4 > pixels.data.length) throw new ThumbnailError('undecodable', `the ${type} decoded short`)
  const small = thumbnailSize(pixels.width, pixels.height)
  const rgba = shrinkPixels(pixels, small.width, small.height)
  for (const quality of QUALITIES) {
    const encoded = jpeg.encode({ width: small.width, height: small.height, data: rgba }, quality).data
    if (encoded.byteLength <= MAX_THUMBNAIL_BYTES) return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength)
  }
  throw new ThumbnailError('too_large', `no JPEG of ${small.width}×${small.height} under ${MAX_THUMBNAIL_BYTES / 1024} KB`)
}
