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
