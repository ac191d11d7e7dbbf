// A photo's type from its bytes, and its metadata (the camera's GPS position) removed while
// the picture stays byte for byte: what the server stores and shows of a storefront photo.
import { describe, expect, it } from 'vitest'
import { sniffPhotoType, stripPhotoMetadata, type PhotoType } from '../../app/domain/photo-file'
import { GPS_TEXT, fixturePhoto, photoWithPosition, type FixtureType } from '../support/photo-fixtures'

const TYPES: [FixtureType, PhotoType][] = [['jpeg', 'image/jpeg'], ['png', 'image/png'], ['webp', 'image/webp']]

describe('sniffPhotoType', () => {
  it.each(TYPES)('knows %s from its first bytes', (fixture, type) => {
    expect(sniffPhotoType(fixturePhoto(fixture))).toBe(type)
  })

  it.each([
    ['an SVG', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
    ['HTML', '<!doctype html><script>alert(1)</script>'],
    ['a GIF', 'GIF89a\x01\x00\x01\x00'],
    ['a PDF', '%PDF-1.7'],
    ['text', 'hello'],
    ['nothing', ''],
  ])('refuses %s', (_name, text) => {
    expect(sniffPhotoType(Buffer.from(text, 'latin1'))).toBeNull()
  })
})

describe('stripPhotoMetadata', () => {
  it.each(TYPES)('removes the position from a %s and leaves the picture as it was', (fixture, type) => {
    const withPosition = photoWithPosition(fixture)
    expect(withPosition.includes(GPS_TEXT)).toBe(true)
    const shown = stripPhotoMetadata(withPosition, type)!
    expect(Buffer.from(shown).includes(GPS_TEXT)).toBe(false)
    expect(Buffer.compare(Buffer.from(shown), fixturePhoto(fixture))).toBe(0)
  })

  it.each(TYPES)('refuses a %s cut short', (fixture, type) => {
    const whole = photoWithPosition(fixture)
    expect(stripPhotoMetadata(whole.subarray(0, 40), type)).toBeNull()
  })

  it('refuses bytes that start like a JPEG and are not one', () => {
    expect(stripPhotoMetadata(Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x41, 0x42]), 'image/jpeg')).toBeNull()
  })
})
