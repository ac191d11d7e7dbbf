// A count as a person reads it, the same wherever it shows: 20,019, never 20019. Chinese and
// English both group thousands with a comma, so the text does not depend on the locale (nor on
// the server's or the browser's default one, which would make a page hydrate differently).

const GROUPED = new Intl.NumberFormat('en', { maximumFractionDigits: 0 })

/** A whole count with thousands separators: 20019 → "20,019"; null or undefined → "—". */
export function countText(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  return GROUPED.format(n)
}

/** The message parameters that are counts: a number given as one of these reads as countText. */
export const COUNT_PARAMS: ReadonlySet<string> = new Set([
  'count', 'total', 'n', 'moved', 'players', 'rows', 'done', 'left', 'shown', 'created', 'updated', 'unchanged', 'ready', 'rejected', 'assigned', 'overdue',
])
