// Which figures the dashboard shows where, and how each reads: shared by the page's loader
// (the funnel's labels) and its sections.
import { PLAYER_FIGURES, REACHING_FIGURES, type Figures } from '../../domain/figures'
import { countText } from '../../domain/number-text'

export type FigureKind = 'count' | 'ratio' | 'days'

/** The headline figures, in the order PRODUCT.md lists them, and how each reads. */
export const HEADLINE: { key: keyof Figures; kind: FigureKind }[] = [
  { key: 'listed', kind: 'count' },
  { key: 'coverage', kind: 'ratio' },
  { key: 'needRate', kind: 'ratio' },
  { key: 'candidates', kind: 'count' },
  { key: 'referred', kind: 'count' },
  { key: 'disbursed', kind: 'count' },
  { key: 'newLoanCustomers', kind: 'count' },
  { key: 'firstLenderConversions', kind: 'count' },
  { key: 'firstLenderEstimated', kind: 'count' },
  { key: 'firstLenderEnterprises', kind: 'count' },
  { key: 'firstLenderRatio', kind: 'ratio' },
  { key: 'creditLoanShareByCount', kind: 'ratio' },
  { key: 'creditLoanShareByAmount', kind: 'ratio' },
  { key: 'acceptedOnTime', kind: 'ratio' },
  { key: 'leadTimeVisitToDisbursementDays', kind: 'days' },
  { key: 'leadTimeReferralToDisbursementDays', kind: 'days' },
]

/** The two figures the regulator scores a bank by, shown first and large (issue 23). */
export const REGULATOR: { key: keyof Figures; also?: keyof Figures }[] = [{ key: 'firstLenderRatio' }, { key: 'creditLoanShareByCount', also: 'creditLoanShareByAmount' }]
export const REGULATOR_KEYS: (keyof Figures)[] = REGULATOR.flatMap((r) => (r.also ? [r.key, r.also] : [r.key]))

export const FUNNEL: (keyof Figures)[] = ['listed', 'assigned', 'visited', 'withNeed', 'qualified', 'referred', 'accepted', 'approved', 'disbursed']

/** The counts that drill down to the players behind them (dashboard_.players.tsx). */
export const DRILLABLE: (keyof Figures)[] = [...PLAYER_FIGURES, ...REACHING_FIGURES, 'newLoanCustomers']

/** Every figure's key, the order the figures come in. */
export const FIGURE_KEYS = HEADLINE.map((h) => h.key).concat(['assigned', 'visited', 'withNeed', 'qualified', 'accepted', 'approved'])

/**
 * The league's order a dashboard URL asks for (`sort`, `dir`): any figure, highest first by
 * default, first-lender conversions when none or an unknown one is named. The page and its
 * export read it here, so the file lists the units as the page does.
 */
export function leagueOrderOf(params: URLSearchParams): { sortKey: keyof Figures; direction: 'asc' | 'desc' } {
  const asked = params.get('sort')
  const sortKey = asked !== null && (FIGURE_KEYS as readonly string[]).includes(asked) ? (asked as keyof Figures) : 'firstLenderConversions'
  return { sortKey, direction: params.get('dir') === 'asc' ? 'asc' : 'desc' }
}

/** How a figure reads: the headline's kind, else a ratio by its name, else a count. */
export const kindOf = (k: keyof Figures): FigureKind => HEADLINE.find((h) => h.key === k)?.kind ?? (k === 'coverage' || k.endsWith('Ratio') || k.startsWith('creditLoanShare') ? 'ratio' : 'count')

/** Number formats made once per locale (each toLocaleString makes one anew: slow by the hundred). */
const formats = new Map<string, { count: Intl.NumberFormat; percent: Intl.NumberFormat }>()
function formatsOf(locale: string) {
  let f = formats.get(locale)
  if (!f) formats.set(locale, (f = { count: new Intl.NumberFormat(locale), percent: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }) }))
  return f
}

export function formatValue(value: unknown, kind: FigureKind, locale: string): string {
  if (value === null || value === undefined) return '—'
  const f = formatsOf(locale)
  if (kind === 'days') {
    const d = value as { median: number | null; p90: number | null }
    return d.median === null ? '—' : `${f.count.format(d.median)} / ${f.count.format(d.p90!)}`
  }
  if (kind === 'ratio') return `${f.percent.format((value as number) * 100)}%`
  return countText(value as number)
}

/** Figures that stand as of now, not for a period: no change to show. */
const STANDING: (keyof Figures)[] = ['listed', 'assigned', 'candidates']

/** The change from the period before, as shown beside a figure; null where none is shown. */
export function change(key: keyof Figures, now: unknown, before: unknown, kind: FigureKind): { text: string; up: boolean } | null {
  if (kind === 'days' || STANDING.includes(key) || typeof now !== 'number' || typeof before !== 'number') return null
  const delta = now - before
  if (delta === 0) return { text: '±0', up: true }
  const text = kind === 'ratio' ? `${(Math.abs(delta) * 100).toFixed(1)} pt` : countText(Math.abs(delta))
  return { text: `${delta > 0 ? '▲' : '▼'} ${text}`, up: delta > 0 }
}

/** The page's query with one parameter set: the links of every section keep the rest of the view. */
export function withParam(params: URLSearchParams | string, name: string, value: string): string {
  const next = new URLSearchParams(params)
  next.set(name, value)
  return next.toString()
}
