// Storefront photos for tests: small real images made by Chromium's canvas (64×48, in
// test/fixtures/photos), and the same with a position written into their metadata as a
// phone's camera writes it (EXIF in JPEG's APP1, PNG's eXIf and tEXt, WebP's EXIF chunk).
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import type { Page } from 'playwright-core'

export type FixtureType = 'jpeg' | 'png' | 'webp'

/** What the planted metadata says; nothing shown may contain it. */
export const GPS_TEXT = 'GPSLatitude 33.780123 GPSLongitude 114.530456'

export function fixturePhoto(type: FixtureType): Buffer {
  const file = { jpeg: 'storefront.jpg', png: 'storefront.png', webp: 'storefront.webp' }[type]
  return fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/photos', file))
}

/** The photo with GPS_TEXT in its metadata (a well-formed segment or chunk of each format). */
export function photoWithPosition(type: FixtureType): Buffer {
  const image = fixturePhoto(type)
  const exif = Buffer.concat([Buffer.from('Exif\0\0II*\0\x08\0\0\0', 'latin1'), Buffer.from(GPS_TEXT)])
  if (type === 'jpeg') {
    const app1 = Buffer.alloc(4)
    app1.writeUInt16BE(0xffe1, 0)
    app1.writeUInt16BE(exif.length + 2, 2)
    const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, GPS_TEXT.length + 2]), Buffer.from(GPS_TEXT)])
    return Buffer.concat([image.subarray(0, 2), app1, exif, comment, image.subarray(2)])
  }
  if (type === 'png') {
    const iend = image.length - 12
    return Buffer.concat([image.subarray(0, iend), pngChunk('eXIf', exif.subarray(6)), pngChunk('tEXt', Buffer.from(`Comment\0${GPS_TEXT}`)), image.subarray(iend)])
  }
  const chunk = Buffer.alloc(8)
  chunk.write('EXIF', 0, 'latin1')
  chunk.writeUInt32LE(exif.length, 4)
  const padded = exif.length % 2 ? Buffer.concat([exif, Buffer.from([0])]) : exif
  const out = Buffer.concat([image, chunk, padded])
  out.writeUInt32LE(out.length - 8, 4)
  if (out.toString('latin1', 12, 16) === 'VP8X') out[20] = out[20]! | 0x08
  return out
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** A camera-sized JPEG (2400×1800 of noise, a few MB: the hardest to shrink), made by the page's own canvas. */
export async function cameraPhoto(page: Page, seed: number): Promise<Buffer> {
  const base64 = await page.evaluate((seed) => {
    const c = document.createElement('canvas')
    c.width = 2400
    c.height = 1800
    const g = c.getContext('2d')!
    const image = g.createImageData(c.width, c.height)
    let x = seed
    for (let i = 0; i < image.data.length; i++) image.data[i] = i % 4 === 3 ? 255 : (x = (x * 1103515245 + 12345) & 0x7fffffff) & 255
    g.putImageData(image, 0, 0)
    return c.toDataURL('image/jpeg', 0.95).split(',')[1]
  }, seed)
  return Buffer.from(base64, 'base64')
}
