// The server's thumbnail of a stored photo (decision 0631): from JPEG, PNG and WebP alike a
// JPEG whose longest side is 240 px, under 32 KB, its colours the photo's averaged (a
// transparent picture laid on white); a picture too large to decode is refused from its
// header before any pixel is decoded; a broken one is a ThumbnailError, not a crash.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { sniffPhotoType } from '../../app/domain/photo-file'
import { MAX_DECODE_PIXELS, ThumbnailError, makeThumbnail, pictureSize, shrinkPixels } from '../../app/services/visit-photos/make-thumbnail.server'
import { MAX_THUMBNAIL_BYTES } from '../../app/services/visit-photos/photo-rules'
import { fixturePhoto } from '../support/photo-fixtures'

/** A width×height picture, left half red and right half blue, fully opaque unless `alpha`. */
function halves(width: number, height: number, alpha = 255): Uint8Array {
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4
      data.set(x < width / 2 ? [220, 20, 20, alpha] : [20, 20, 220, alpha], i)
    }
  }
  return data
}

function pixelAt(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4
  return [...image.data.subarray(i, i + 3)]
}

async function webpOf(width: number, height: number, data: Uint8Array): Promise<Buffer> {
  const encoder = await import('@jsquash/webp/encode.js')
  const wasm = createRequire(import.meta.url).resolve('@jsquash/webp/codec/enc/webp_enc.wasm')
  await (encoder.init as unknown as (m: WebAssembly.Module) => Promise<void>)(await WebAssembly.compile(fs.readFileSync(wasm)))
  return Buffer.from(await encoder.default({ width, height, data: new Uint8ClampedArray(data), colorSpace: 'srgb' } as ImageData))
}

function decoded(bytes: Uint8Array) {
  expect(sniffPhotoType(bytes)).toBe('image/jpeg')
  expect(bytes.byteLength).toBeLessThanOrEqual(MAX_THUMBNAIL_BYTES)
  return jpeg.decode(bytes, { useTArray: true })
}

describe('makeThumbnail', () => {
  it('makes a 240 px JPEG of a camera-sized JPEG, its halves still red and blue', async () => {
    const photo = jpeg.encode({ width: 1600, height: 1200, data: halves(1600, 1200) }, 90).data
    const small = decoded(await makeThumbnail(photo, 'image/jpeg'))
    expect([small.width, small.height]).toEqual([240, 180])
    const [r1, , b1] = pixelAt(small, 30, 90)
    const [r2, , b2] = pixelAt(small, 210, 90)
    expect(r1! - b1!).toBeGreaterThan(150)
    expect(b2! - r2!).toBeGreaterThan(150)
  })

  it('makes one of a PNG, transparency laid on white, portrait kept portrait', async () => {
    const png = new PNG({ width: 300, height: 600 })
    png.data = Buffer.from(halves(300, 600, 0))
    const small = decoded(await makeThumbnail(PNG.sync.write(png), 'image/png'))
    expect([small.width, small.height]).toEqual([120, 240])
    for (const c of pixelAt(small, 10, 10)) expect(c).toBeGreaterThan(245)
  })

  it('makes one of a WebP', async () => {
    const webp = await webpOf(480, 320, halves(480, 320))
    expect(sniffPhotoType(webp)).toBe('image/webp')
    expect(pictureSize(webp, 'image/webp')).toEqual({ width: 480, height: 320 })
    const small = decoded(await makeThumbnail(webp, 'image/webp'))
    expect([small.width, small.height]).toEqual([240, 160])
    const [r, , b] = pixelAt(small, 20, 80)
    expect(r! - b!).toBeGreaterThan(150)
  })

  it.each(['jpeg', 'png', 'webp'] as const)('keeps a %s smaller than 240 px at its own size', async (kind) => {
    const type = `image/${kind}` as const
    const small = decoded(await makeThumbnail(fixturePhoto(kind), type))
    expect([small.width, small.height]).toEqual([64, 48])
    expect(pictureSize(fixturePhoto(kind), type)).toEqual({ width: 64, height: 48 })
  })

  it('refuses a picture over the pixel limit from its header, decoding nothing', async () => {
    // A PNG header claiming 10000×10000 and no pixel data: decoding it would fail otherwise.
    const png = Buffer.from(fixturePhoto('png'))
    png.writeUInt32BE(10_000, 16)
    png.writeUInt32BE(10_000, 20)
    expect(10_000 * 10_000).toBeGreaterThan(MAX_DECODE_PIXELS)
    const error = await makeThumbnail(png, 'image/png').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ThumbnailError)
    expect((error as ThumbnailError).reason).toBe('too_many_pixels')
  })

  it.each([
    ['a JPEG cut short', () => fixturePhoto('jpeg').subarray(0, 200), 'image/jpeg'],
    ['a PNG with its data garbled', () => Buffer.concat([fixturePhoto('png').subarray(0, 40), Buffer.alloc(200, 7)]), 'image/png'],
    ['a WebP with its data garbled', () => Buffer.concat([fixturePhoto('webp').subarray(0, 30), Buffer.alloc(200, 7)]), 'image/webp'],
  ] as const)('reports %s as undecodable', async (_name, bytes, type) => {
    const error = await makeThumbnail(bytes(), type).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ThumbnailError)
    expect((error as ThumbnailError).reason).toBe('undecodable')
  })
})

describe('shrinkPixels', () => {
  it('averages each small pixel over its area', () => {
    // 4×1: black, white, black, white → 2×1 of mid grey.
    const data = new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255])
    expect([...shrinkPixels({ width: 4, height: 1, data }, 2, 1)]).toEqual([128, 128, 128, 255, 128, 128, 128, 255])
  })
})
