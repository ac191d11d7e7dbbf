// A small month-by-month chart drawn as plain SVG (no chart library in the page): bars for a
// count, a line for a share between 0 and 1. Each point is labelled with its value, and the
// whole is described in words for a screen reader. It scales to the width it is given.
import { useId } from 'react'

export interface TrendPoint {
  /** Under the point: the month. */
  label: string
  value: number | null
  /** The value as the page writes it (3, 47%); null values read as a dash. */
  shown: string
}

const W = 300
const H = 130
const TOP = 18
const BOTTOM = 20

export function TrendChart({ points, kind, title }: { points: TrendPoint[]; kind: 'bars' | 'line'; title: string }) {
  const id = useId()
  const slot = W / Math.max(points.length, 1)
  const max = kind === 'line' ? 1 : Math.max(1, ...points.map((p) => p.value ?? 0))
  const y = (v: number) => TOP + (H - TOP - BOTTOM) * (1 - v / max)
  const x = (i: number) => slot * i + slot / 2
  const base = H - BOTTOM
  // The line breaks where a month has no value (no loans: no share).
  const segments: string[] = []
  let open = ''
  points.forEach((p, i) => {
    if (p.value === null) {
      if (open) segments.push(open)
      open = ''
      return
    }
    open += `${open ? ' L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`
  })
  if (open) segments.push(open)
  return (
    <figure className="trend-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={id} width="100%">
        <title id={id}>{`${title}: ${points.map((p) => `${p.label} ${p.shown}`).join(', ')}`}</title>
        <line x1={0} x2={W} y1={base} y2={base} className="trend-axis" />
        {kind === 'bars'
          ? points.map((p, i) => {
              const top = y(p.value ?? 0)
              return <rect key={p.label} x={x(i) - slot * 0.3} width={slot * 0.6} y={top} height={Math.max(base - top, 0)} rx={3} className="trend-bar" />
            })
          : null}
        {kind === 'line' ? segments.map((d) => <path key={d} d={d} className="trend-line" />) : null}
        {kind === 'line' ? points.map((p, i) => (p.value === null ? null : <circle key={p.label} cx={x(i)} cy={y(p.value)} r={4} className="trend-dot" />)) : null}
        {points.map((p, i) => (
          <text key={p.label} x={x(i)} y={(p.value === null ? base : y(p.value)) - 5} textAnchor="middle" className="trend-value">
            {p.shown}
          </text>
        ))}
        {points.map((p, i) => (
          <text key={p.label} x={x(i)} y={H - 4} textAnchor="middle" className="trend-label">
            {p.label}
          </text>
        ))}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  )
}
