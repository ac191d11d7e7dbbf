// The legend of a map shaded by a ratio in the five coverage steps (domain/map-colours.ts),
// one for the territory map and the dashboard's township map.
import { COVERAGE_STEPS, coverageColour } from '../domain/map-colours'

export function RatioLegend({ title, noValue, testId }: { title: string; noValue?: string; testId?: string }) {
  return (
    <div className="legend" aria-label={title} data-testid={testId}>
      <strong>{title}</strong>
      {COVERAGE_STEPS.map((step, i) => (
        <span key={step.from} className="legend-item">
          <span className="legend-swatch" style={{ background: step.colour }} /> {`${Math.round(step.from * 100)}–${Math.round((COVERAGE_STEPS[i + 1]?.from ?? 1) * 100)}%`}
        </span>
      ))}
      {noValue ? (
        <span className="legend-item">
          <span className="legend-swatch" style={{ background: coverageColour(null) }} /> {noValue}
        </span>
      ) : null}
    </div>
  )
}
