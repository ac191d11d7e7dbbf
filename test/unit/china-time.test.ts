// China time's one home: the calendar day of an instant, today, and a day's stored bounds,
// with the hours between 00:00 and 08:00 China time, when the UTC date is still yesterday.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addDays, chinaClockText, chinaDateTime, chinaIsoTime, chinaDay, chinaDayBounds, chinaDaysBounds, chinaMidnight, chinaTimeText, todayInChina } from '../../app/domain/china-time'

describe('China time', () => {
  it('counts 00:00 to 08:00 China time as the next calendar day from UTC', () => {
    // 02:30 on 4 December in China is 18:30 on 3 December in UTC.
    const night = new Date('2026-12-03T18:30:00Z')
    expect(night.toISOString().slice(0, 10)).toBe('2026-12-03')
    expect(todayInChina(night)).toBe('2026-12-04')
    expect(chinaDay(night.toISOString())).toBe('2026-12-04')
    expect(chinaDay(night.getTime())).toBe('2026-12-04')
    // The first and last instants of the China day.
    expect(chinaDay('2026-12-03T16:00:00.000Z')).toBe('2026-12-04')
    expect(chinaDay('2026-12-03T15:59:59.999Z')).toBe('2026-12-03')
    expect(todayInChina(new Date('2026-12-04T10:00:00Z'))).toBe('2026-12-04')
  })

  it("gives a day's stored bounds from China midnight to the next", () => {
    expect(chinaMidnight('2026-12-04')).toBe('2026-12-03T16:00:00.000Z')
    expect(chinaDayBounds('2026-12-04')).toEqual({ from: '2026-12-03T16:00:00.000Z', to: '2026-12-04T16:00:00.000Z' })
    // Across a month and a year end, both days included.
    expect(chinaDaysBounds('2026-12-01', '2026-12-31')).toEqual({ from: '2026-11-30T16:00:00.000Z', until: '2026-12-31T16:00:00.000Z' })
  })

  it('adds days across month ends and writes an instant as China time', () => {
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(chinaDateTime('2026-12-01T12:47:08.120Z')).toBe('2026-12-01 20:47:08')
    expect(chinaDateTime('2026-12-03T18:30:00Z')).toBe('2026-12-04 02:30:00')
  })
})

describe('a time as a phone sends it', () => {
  it('is ISO-8601 in China time with its offset, the same instant', () => {
    const at = Date.parse('2026-12-04T17:30:05.120Z')
    expect(chinaIsoTime(at)).toBe('2026-12-05T01:30:05.120+08:00')
    expect(Date.parse(chinaIsoTime(new Date(at)))).toBe(at)
  })
})

describe('the one page formatter', () => {
  it('shows every instant in China time to the minute, or the second when asked', () => {
    // 08:16 UTC is 16:16 in China: the times the issue saw shown in UTC.
    expect(chinaTimeText('2026-12-03T08:16:40.000Z')).toBe('2026-12-03 16:16')
    expect(chinaTimeText('2026-12-03T08:16:40.000Z', { seconds: true })).toBe('2026-12-03 16:16:40')
    expect(chinaTimeText(Date.parse('2026-12-03T18:30:00Z'))).toBe('2026-12-04 02:30')
    expect(chinaTimeText(null)).toBe('—')
  })
})

describe("a list's time of day", () => {
  afterEach(() => vi.restoreAllMocks())

  it('reads as the clock in China at every minute of a day, midnight and before 08:00 included', () => {
    const start = Date.parse('2026-12-03T16:00:00.000Z')
    for (let minute = 0; minute < 24 * 60; minute++) {
      const iso = new Date(start + minute * 60_000 + 59_999).toISOString()
      expect(chinaClockText(iso)).toBe(new Date(iso).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' }))
    }
    expect(chinaClockText('2026-12-03T16:05:00.000Z')).toBe('00:05')
    expect(chinaClockText('2026-12-03T01:07:00.000Z')).toBe('09:07')
  })

  it('is worked out without Intl, which costs about a millisecond a row on a day of hundreds', () => {
    const intl = vi.spyOn(Date.prototype, 'toLocaleTimeString')
    const format = vi.spyOn(Intl, 'DateTimeFormat')
    expect(chinaClockText('2026-12-03T08:16:40.000Z')).toBe('16:16')
    expect(intl).not.toHaveBeenCalled()
    expect(format).not.toHaveBeenCalled()
  })
})
