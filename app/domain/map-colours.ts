// The colours of players on the map, by candidate flag or campaign status (one place, so the
// markers and the legend agree).
import type { CandidateStatus } from './first-lender'
import type { CampaignStatus } from './market-player'

export const CANDIDATE_COLOURS: Record<CandidateStatus, string> = {
  candidate: '#c2410c',
  to_verify: '#ca8a04',
  not_candidate: '#64748b',
}

export const CAMPAIGN_COLOURS: Record<CampaignStatus, string> = {
  not_visited: '#94a3b8',
  visited: '#2563eb',
  need_found: '#ea580c',
  referred: '#7c3aed',
  financed: '#16a34a',
  no_need: '#475569',
}

export function colourOf(mode: 'candidate' | 'campaign', status: string): string {
  const table: Record<string, string> = mode === 'campaign' ? CAMPAIGN_COLOURS : CANDIDATE_COLOURS
  return table[status] ?? '#334155'
}

/** Coverage (visited ÷ assigned) in five steps, from none (red) to all (green). */
export const COVERAGE_STEPS: readonly { from: number; colour: string }[] = [
  { from: 0, colour: '#dc2626' },
  { from: 0.2, colour: '#f97316' },
  { from: 0.4, colour: '#eab308' },
  { from: 0.6, colour: '#84cc16' },
  { from: 0.8, colour: '#16a34a' },
]

/** The ratio, or null when nobody is assigned (nothing to cover). */
export function coverageRatio(visited: number, assigned: number): number | null {
  return assigned > 0 ? visited / assigned : null
}

export function coverageColour(ratio: number | null): string {
  if (ratio === null) return '#cbd5e1'
  let colour = COVERAGE_STEPS[0].colour
  for (const step of COVERAGE_STEPS) if (ratio >= step.from) colour = step.colour
  return colour
}
