// China time, the one home for it: the bank works in China Standard Time (UTC+8, no
// daylight saving), while every instant is stored as ISO-8601 text in UTC. A "day" here is
// a China calendar day, YYYY-MM-DD. Pure functions, safe in the browser too.

const CHINA_OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** The China calendar day of an instant (a Date, epoch milliseconds or ISO text). */
export function chinaDay(at: Date | number | string): string {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime()
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10)
}

/** Today in China: between 00:00 and 08:00 China time it is a day ahead of the UTC date. */
export function todayInChina(now: Date = new Date()): string {
  return chinaDay(now)
}

/** The day `days` after `day` (before it when negative). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

/** The instant a China day starts (`plusDays` later), as stored: `2026-12-01` → `2026-11-30T16:00:00.000Z`. */
export function chinaMidnight(day: string, plusDays = 0): string {
  return new Date(Date.parse(`${day}T00:00:00+08:00`) + plusDays * DAY_MS).toISOString()
}

/** The stored instants [from, to) of one China day. */
export function chinaDayBounds(day: string): { from: string; to: string } {
  return { from: chinaMidnight(day), to: chinaMidnight(day, 1) }
}

/** The stored instants [from, until) of the China days `from` to `to`, both included. */
export function chinaDaysBounds(from: string, to: string): { from: string; until: string } {
  return { from: chinaMidnight(from), until: chinaMidnight(to, 1) }
}

/** An instant as China time to the second, for files and logs: `2026-12-01 20:47:08`. */
export function chinaDateTime(iso: string): string {
  return new Date(Date.parse(iso) + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')
}

/** An instant as ISO-8601 in China time, with its offset: `2026-12-01T20:47:08.123+08:00` (what a phone sends). */
export function chinaIsoTime(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime()
  return `${new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 23)}+08:00`
}

/**
 * An instant as a person reads it on a page, in China time, whatever the browser's or the
 * server's zone: `2026-12-01 20:47` (with `seconds`, `2026-12-01 20:47:08`). The one
 * formatter for every time shown; null (never happened) reads as an em dash.
 */
export function chinaTimeText(at: string | number | null, options: { seconds?: boolean } = {}): string {
  if (at === null || at === '') return '—'
  const ms = typeof at === 'number' ? at : Date.parse(at)
  if (Number.isNaN(ms)) return String(at)
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, options.seconds ? 19 : 16).replace('T', ' ')
}

/**
 * The time of day of an instant in China, hours and minutes: `20:47`. By arithmetic (UTC+8,
 * no daylight saving), as every function here: Intl's time-zone formatting costs about a
 * millisecond a call, and a day's list calls it once a row (decision 0551).
 */
export function chinaClockText(iso: string): string {
  return new Date(Date.parse(iso) + CHINA_OFFSET_MS).toISOString().slice(11, 16)
}
