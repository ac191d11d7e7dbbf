// Counts read one way wherever they show (issue 23: the funnel said 20019 where the tiles said 20,019).
import { describe, expect, it } from 'vitest'
import { countText } from '../../app/domain/number-text'
import { translator } from '../../app/i18n/index'

describe('countText', () => {
  it('groups thousands with a comma in either language, whatever the default locale', () => {
    expect(countText(20019)).toBe('20,019')
    expect(countText(1_136)).toBe('1,136')
    expect(countText(999)).toBe('999')
    expect(countText(0)).toBe('0')
    expect(countText(null)).toBe('—')
  })

  it('is what a message shows for a count, however the caller passed it', () => {
    expect(translator('en')('workload.unassigned', { count: 20019 })).toBe('Unassigned players: 20,019')
    expect(translator('zh-CN')('workload.unassigned', { count: 20019 })).toBe('未分配主体：20,019 户')
    // Not a count: left as given.
    expect(translator('en')('calendar.year', { year: 2026, count: 1200 })).toBe('2026 (1,200 days)')
  })
})
