// The clock shown on an officer's list card (PRODUCT.md "Channels and clocks": a clock that
// runs out is shown to the officer): of a player's clocks not yet met, the one due first,
// with how many working days are left on the bank's calendar, or that it has run out.
import { addDays, chinaDay } from './china-time'
import { CLOCKS, type Clock, type ClockState } from './clocks'
import { isWorkingDay, type WorkingCalendar } from './working-days'

export interface NearestClock {
  clock: Clock
  dueAt: string
  overdue: boolean
  /**
   * Working days from today (China) to the due day: 0 when due later today; when overdue,
   * the working days since the due day (0 when it ran out today).
   */
  workingDays: number
}

export function nearestClock(state: ClockState, now: Date, calendar: WorkingCalendar): NearestClock | null {
  const open = CLOCKS.map((clock) => ({ clock, dueAt: dueOf(state, clock) })).filter((c): c is { clock: Clock; dueAt: string } => c.dueAt !== null)
  if (open.length === 0) return null
  const first = open.reduce((a, b) => (b.dueAt < a.dueAt ? b : a))
  const overdue = Date.parse(first.dueAt) < now.getTime()
  const today = chinaDay(now)
  const due = chinaDay(first.dueAt)
  return { ...first, overdue, workingDays: overdue ? workingDaysAfter(due, today, calendar) : workingDaysAfter(today, due, calendar) }
}

function dueOf(state: ClockState, clock: Clock): string | null {
  if (clock === 'accept') return state.acceptedAt === null ? state.acceptDueAt : null
  if (clock === 'contact') return state.contactedAt === null ? state.contactDueAt : null
  return state.decidedAt === null ? state.decideDueAt : null
}

/** The working days after `from` up to and including `to` (China days; 0 when `to` is not later). */
export function workingDaysAfter(from: string, to: string, calendar: WorkingCalendar): number {
  let n = 0
  // A clock runs at most a few weeks; the bound keeps a stray date from looping for long.
  for (let day = addDays(from, 1), i = 0; day <= to && i < 400; day = addDays(day, 1), i++) if (isWorkingDay(day, calendar)) n++
  return n
}
