// The clock an officer's list card shows: the first one not met, in working days on the
// bank's calendar (weekends, a holiday, a 调休 Saturday worked).
import { describe, expect, it } from 'vitest'
import { nearestClock, workingDaysAfter } from '../../app/domain/nearest-clock'
import { PLAIN_CALENDAR, workingCalendar } from '../../app/domain/working-days'

const china = (local: string) => new Date(`${local}+08:00`).toISOString()
const open = { acceptedAt: null, contactedAt: null, decidedAt: null }

describe('the nearest clock', () => {
  it('is the first clock not met, with the working days left', () => {
    // Friday 2026-04-10, 10:00; contact due Wednesday the 15th: Mon, Tue, Wed.
    const now = new Date(china('2026-04-10T10:00:00'))
    const dues = { acceptDueAt: china('2026-04-09T10:00:00'), contactDueAt: china('2026-04-15T10:00:00'), decideDueAt: china('2026-04-17T10:00:00') }
    expect(nearestClock({ ...dues, ...open, acceptedAt: china('2026-04-09T09:00:00') }, now, PLAIN_CALENDAR)).toEqual({ clock: 'contact', dueAt: dues.contactDueAt, overdue: false, workingDays: 3 })
    // Not accepted: the acceptance ran out yesterday, one working day ago.
    expect(nearestClock({ ...dues, ...open }, now, PLAIN_CALENDAR)).toEqual({ clock: 'accept', dueAt: dues.acceptDueAt, overdue: true, workingDays: 1 })
    expect(nearestClock({ ...dues, acceptedAt: dues.acceptDueAt, contactedAt: dues.acceptDueAt, decidedAt: dues.acceptDueAt }, now, PLAIN_CALENDAR)).toBeNull()
  })

  it('is due today, or ran out today, as 0 working days', () => {
    const dueAt = china('2026-04-10T15:00:00')
    const state = { acceptDueAt: null, contactDueAt: dueAt, decideDueAt: null, ...open }
    expect(nearestClock(state, new Date(china('2026-04-10T09:00:00')), PLAIN_CALENDAR)).toMatchObject({ overdue: false, workingDays: 0 })
    expect(nearestClock(state, new Date(china('2026-04-10T16:00:00')), PLAIN_CALENDAR)).toMatchObject({ overdue: true, workingDays: 0 })
  })

  it('counts the bank calendar: a holiday is not a working day, a 调休 Saturday is', () => {
    const calendar = workingCalendar(['2026-05-04', '2026-05-05'], ['2026-05-09'])
    // Thursday 30 April to Monday 11 May: 5-1 is a Friday (not a holiday here), 5-6, 5-7, 5-8, 5-9 (调休), 5-11.
    expect(workingDaysAfter('2026-04-30', '2026-05-11', calendar)).toBe(6)
    expect(workingDaysAfter('2026-04-30', '2026-05-11', PLAIN_CALENDAR)).toBe(7)
    expect(workingDaysAfter('2026-05-11', '2026-04-30', calendar)).toBe(0)
  })
})
