// The one rule for the days and ranges a figures request may ask for.
import { describe, expect, it } from 'vitest'
import { MAX_RANGE_DAYS, checkDay, checkDayRange, dayFromWriting, isDay } from '../../app/domain/date-range'

const TODAY = '2026-03-15'

describe('days and ranges asked for', () => {
  it('knows a calendar day from an impossible one, without throwing', () => {
    for (const day of ['2026-02-28', '2024-02-29', '2000-01-01']) expect(isDay(day), day).toBe(true)
    for (const day of ['2026-13-45', '2026-02-30', '2025-02-29', '2026-00-10', '26-01-01', '2026-1-1', '', '9999-99-99']) expect(isDay(day), day).toBe(false)
    expect(checkDayRange('2026-13-45', '2026-03-01', TODAY)).toEqual({ from: 'notADay' })
  })

  it('bounds a range: the end not before the start, three years at most, nothing before 2000 or over a year ahead', () => {
    expect(checkDayRange('2026-03-02', '2026-03-01', TODAY)).toEqual({ to: 'beforeStart' })
    expect(checkDayRange('2023-03-16', '2026-03-15', TODAY)).toEqual({})
    const first = Date.parse('2023-01-01T00:00:00Z')
    const lastAllowed = new Date(first + (MAX_RANGE_DAYS - 1) * 86_400_000).toISOString().slice(0, 10)
    const oneMore = new Date(first + MAX_RANGE_DAYS * 86_400_000).toISOString().slice(0, 10)
    expect(checkDayRange('2023-01-01', lastAllowed, TODAY)).toEqual({})
    expect(checkDayRange('2023-01-01', oneMore, TODAY)).toEqual({ to: 'tooLong' })
    expect(checkDayRange('2026-01-01', '9999-12-31', TODAY)).toEqual({ to: 'tooFarAhead' })
    expect(checkDayRange('1999-12-31', '2000-01-05', TODAY)).toEqual({ from: 'tooEarly' })
    expect(checkDay('2027-03-15', TODAY)).toBeNull()
    expect(checkDay('2027-03-17', TODAY)).toBe('tooFarAhead')
  })
})

describe('a day as a person writes it', () => {
  it('reads the ways a day is written in China and abroad as YYYY-MM-DD', () => {
    for (const text of ['2026-12-04', '2026-12-4', ' 2026/12/4 ', '2026.12.04', '2026年12月4日', '2026 年 12 月 4 日', '20261204']) expect(dayFromWriting(text), text).toBe('2026-12-04')
  })

  it('refuses what is no calendar day, and the ambiguous mm/dd/yyyy', () => {
    for (const text of ['', '2026-02-30', '2026-13-01', '12/04/2026', '04.12.2026', '2026-12', 'tomorrow']) expect(dayFromWriting(text), text).toBeNull()
  })
})
