// The registry's filters as they travel in a URL, shared by the list page, and later by the
// map and exports, so a filtered view can be shared as a link.
import { CANDIDATE_STATUSES } from '../domain/first-lender'
import { QUALIFICATIONS } from '../domain/products'
import {
  CAMPAIGN_STATUSES,
  INDUSTRY_SECTIONS,
  LOAN_HISTORIES,
  PLAYER_KINDS,
  SIZE_CLASSES,
  TAX_GRADES,
} from '../domain/market-player'
import type { PlayerFilter, PlayerSort } from '../services/players/list-players.server'

function oneOf<T extends string>(options: readonly T[], value: string | null): T | undefined {
  return value !== null && (options as readonly string[]).includes(value) ? (value as T) : undefined
}

export function playerFilterFromSearch(params: URLSearchParams): PlayerFilter {
  const officer = Number(params.get('officer'))
  return {
    q: params.get('q')?.trim() || undefined,
    kind: oneOf(PLAYER_KINDS, params.get('kind')),
    township: /^\d{9}$/.test(params.get('township') ?? '') ? params.get('township')! : undefined,
    industry: oneOf(INDUSTRY_SECTIONS, params.get('industry')),
    sizeClass: oneOf(SIZE_CLASSES, params.get('size')),
    taxGrade: oneOf([...TAX_GRADES, 'unknown'] as const, params.get('grade')),
    loanHistory: oneOf(LOAN_HISTORIES, params.get('loan')),
    campaignStatus: oneOf(CAMPAIGN_STATUSES, params.get('status')),
    candidate: oneOf(CANDIDATE_STATUSES, params.get('candidate')),
    qualification: oneOf(QUALIFICATIONS, params.get('qualification')),
    officerId: Number.isSafeInteger(officer) && officer > 0 ? officer : undefined,
    unassigned: params.get('unassigned') === '1' || undefined,
  }
}

export function playerSortFromSearch(params: URLSearchParams): PlayerSort {
  return params.get('sort') === 'name' ? 'name' : 'newest'
}
