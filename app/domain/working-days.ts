// PRODUCT.md, "Pipeline stages": the bank must acknowledge a referral within 3 working days.
// Working days are weekdays in China (UTC+8), less the configured holidays, plus the
// configured make-up working days (调休: a Saturday or Sunday worked instead).
import { chinaDay, chinaMidnight } from './china-time'

export interface WorkingCalendar {
  /** YYYY-MM-DD days off that would be weekdays. */
  holidays: ReadonlySet<string>
  /** YYYY-MM-DD weekend days that are worked. */
  workdays: ReadonlySet<string>
}

export const PLAIN_CALENDAR: WorkingCalendar = { holidays: new Set(), workdays: new Set() }

const DAY_MS = 86_400_000

export function isWorkingDay(day: string, calendar: WorkingCalendar): boolean {
  if (calendar.workdays.has(day)) return true
  if (calendar.holidays.has(day)) return false
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay()
  return weekday !== 0 && weekday !== 6
}

/**
 * When `days` working days after `from` have passed: the same time of day on the
 * `days`-th working day after the day of `from` (in China). A referral made on a day off
 * counts from the start of the next working day.
 */
export function addWorkingDays(from: Date, days: number, calendar: WorkingCalendar): Date {
  let at = from.getTime()
  if (!isWorkingDay(chinaDay(at), calendar)) {
    // Start of the next working day, China time.
    let day = chinaDay(at)
    do {
      at = Date.parse(chinaMidnight(day, 1))
      day = chinaDay(at)
    } while (!isWorkingDay(day, calendar))
  }
  let left = days
  while (left > 0) {
    at += DAY_MS
    if (isWorkingDay(chinaDay(at), calendar)) left--
  }
  return new Date(at)
}

/** A calendar from lists of days (as configured), each checked to be YYYY-MM-DD. */
export function workingCalendar(holidays: readonly string[], workdays: readonly string[] = []): WorkingCalendar {
  for (const day of [...holidays, ...workdays]) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) throw new Error(`not a day (YYYY-MM-DD): "${day}"`)
  }
  return { holidays: new Set(holidays), workdays: new Set(workdays) }
}
