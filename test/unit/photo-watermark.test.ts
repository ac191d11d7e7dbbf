// The watermark's words: China time with its zone, the position with accuracy and whether it
// was live, the player and the officer; a photo taken with no position says so.
import { describe, expect, it } from 'vitest'
import { watermarkLines } from '../../app/domain/photo-watermark'

const WORDS = { live: '实时定位', cached: '缓存位置', noPosition: '无定位' }

describe('watermarkLines', () => {
  it('stamps China time, the position with accuracy and fix, the player and the officer', () => {
    const lines = watermarkLines(
      { takenAt: '2026-12-03T16:30:05.000Z', position: { lat: 33.780123, lng: 114.530456, accuracyMetres: 11.6, live: true }, playerName: '甲面馆', officerName: '王小明' },
      WORDS,
    )
    // 16:30 UTC is half past midnight the next day in China.
    expect(lines).toEqual(['2026-12-04 00:30:05 (UTC+8)', '33.78012, 114.53046 ±12 m · 实时定位', '甲面馆', '王小明'])
  })

  it('says when the position was cached, and when there was none', () => {
    const base = { takenAt: '2026-12-03T02:00:00.000Z', playerName: '乙超市', officerName: '李四' }
    expect(watermarkLines({ ...base, position: { lat: 33.7, lng: 114.4, accuracyMetres: 250, live: false } }, WORDS)[1]).toBe('33.70000, 114.40000 ±250 m · 缓存位置')
    expect(watermarkLines({ ...base, position: null }, WORDS)[1]).toBe('无定位')
  })
})
