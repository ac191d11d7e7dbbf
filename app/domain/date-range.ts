// Which days and ranges of days a figures request may ask for: real calendar days (not
// 2026-13-45), the end not before the start, at most three years at once, nothing before
// 2000 and nothing more than a year ahead. A wider range would count years of nothing while
// holding the server (a dashboard to 9999-12-31 took 39 s); the dashboard, its drill-down,
// its export and the figures API all ask here.

export const MAX_RANGE_DAYS = 3 * 366
export const MAX_DAYS_AHEAD = 366
export const EARLIEST_DAY = '2000-01-01'

export type DayProblem = 'notADay' | 'beforeStart' | 'tooLong' | 'tooEarly' | 'tooFarAhead'

const DAY = /^\d{4}-\d{2}-\d{2}$/
const MS_PER_DAY = 86_400_000

/** A real calendar day written YYYY-MM-DD (2026-02-30 and 2026-13-45 are not). */
export function isDay(value: string): boolean {
  if (!DAY.test(value)) return false
  const time = Date.parse(`${value}T00:00:00Z`)
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === value
}

/**
 * The day a person wrote, as YYYY-MM-DD: 2026-12-4, 2026/12/04, 2026.12.4, 2026年12月4日 and
 * 20261204 all read 2026-12-04; null when the text is no calendar day. Day fields tidy what
 * was typed with it before the form posts (the server takes YYYY-MM-DD only).
 */
export function dayFromWriting(text: string): string | null {
  const trimmed = text.trim()
  const parts = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(trimmed) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(trimmed)
  if (!parts) return null
  const day = `${parts[1]}-${parts[2]!.padStart(2, '0')}-${parts[3]!.padStart(2, '0')}`
  return isDay(day) ? day : null
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY)
}

/** What is wrong with one day asked for (`at`), seen from `today`; null when nothing is. */
export function checkDay(value: string, today: string): DayProblem | null {
  if (!isDay(value)) return 'notADay'
  if (value < EARLIEST_DAY) return 'tooEarly'
  if (daysBetween(today, value) > MAX_DAYS_AHEAD) return 'tooFarAhead'
  return null
}

/** What is wrong with a range of days, by field; empty when nothing is. */
export function checkDayRange(from: string, to: string, today: string): Partial<Record<'from' | 'to', DayProblem>> {
  const problems: Partial<Record<'from' | 'to', DayProblem>> = {}
  const fromProblem = checkDay(from, today)
  const toProblem = checkDay(to, today)
  if (fromProblem) problems.from = fromProblem
  if (toProblem) problems.to = toProblem
  if (fromProblem || toProblem) return problems
  if (from > to) problems.to = 'beforeStart'
  else if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) problems.to = 'tooLong'
  return problems
}

/** The problem in plain English, for the API's answers. */
export function describeDayProblem(problem: DayProblem): string {
  switch (problem) {
    case 'notADay':
      return 'not a calendar day (YYYY-MM-DD)'
    case 'beforeStart':
      return 'before the start of the range'
    case 'tooLong':
      return `the range is longer than ${MAX_RANGE_DAYS} days (three years)`
    case 'tooEarly':
      return `before ${EARLIEST_DAY}`
    case 'tooFarAhead':
      return `more than ${MAX_DAYS_AHEAD} days ahead`
  }
}
