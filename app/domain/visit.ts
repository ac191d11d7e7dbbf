// Visits as the rules see them: the form's choices, the check-in against the player's
// position, the 24-hour edit window, what a visit makes of the player's campaign status,
// and why a player is on an officer's list today. No database, no browser.
import { checkPastTime } from './history-rows'
import type { CampaignStatus } from './market-player'
import { todayInChina } from './china-time'
import type { Params } from '../i18n/index'

export const VISIT_CHANNELS = ['on_site', 'phone', 'video'] as const
export type VisitChannel = (typeof VISIT_CHANNELS)[number]

export const NEED_PURPOSES = ['working_capital', 'stock', 'equipment', 'expansion', 'other'] as const
export const NEED_PRODUCTS = ['tax_credit', 'household_credit', 'secured', 'unsure'] as const
export const OBSTACLES = ['no_collateral', 'no_guarantor', 'cost', 'paperwork', 'short_history', 'credit_record', 'other'] as const
export type Obstacle = (typeof OBSTACLES)[number]

/** How the talk ended: ready to hand off, talk again, no need for now, turned down, nobody met. */
export const VISIT_OUTCOMES = ['refer', 'follow_up', 'no_need', 'declined', 'not_met'] as const
export type VisitOutcome = (typeof VISIT_OUTCOMES)[number]

export const CHECK_IN_FIXES = ['live', 'cached'] as const
export type CheckInFix = (typeof CHECK_IN_FIXES)[number]

/** A position older than this when the visit is saved counts as cached, not live. */
export const LIVE_FIX_MAX_AGE_MS = 2 * 60_000
export const DEFAULT_CHECK_IN_RADIUS_M = 500
export const EDIT_WINDOW_HOURS = 24

export type CheckInFlag = 'far' | 'no_fix'

export interface LatLng {
  lat: number
  lng: number
}

const EARTH_RADIUS_M = 6_371_008.8

/** Great-circle distance in metres (haversine). */
export function distanceMetres(a: LatLng, b: LatLng): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)))
}

export interface CheckInAssessment {
  /** Metres to the player's stored position; null without a check-in or a stored position. */
  distance: number | null
  flag: CheckInFlag | null
  /** Far from an exact position: the officer must say why to go on. */
  needsReason: boolean
}

/**
 * A check-in measured against the player. Only an on-site visit is checked. A player whose
 * position is only its township's centre cannot be "far": its distance is kept, not flagged.
 */
export function assessCheckIn(input: {
  channel: VisitChannel
  checkIn: LatLng | null
  player: { lat: number | null; lng: number | null; approximate: boolean }
  radiusMetres: number
}): CheckInAssessment {
  const { checkIn, player } = input
  const distance = checkIn && player.lat !== null && player.lng !== null ? Math.round(distanceMetres(checkIn, { lat: player.lat, lng: player.lng })) : null
  if (input.channel !== 'on_site') return { distance, flag: null, needsReason: false }
  if (!checkIn) return { distance, flag: 'no_fix', needsReason: false }
  if (distance !== null && !player.approximate && distance > input.radiusMetres) return { distance, flag: 'far', needsReason: true }
  return { distance, flag: null, needsReason: false }
}

/** How far back a live visit may be dated (an offline phone can hold one for weeks), and ahead (clock skew). */
export const MAX_AGE_DAYS = 30
const MAX_AHEAD_MS = 10 * 60_000

/**
 * When a visit may be dated. A live visit is at most 30 days old; a historical one (brought
 * from the bank's past by someone allowed to, see history:import) may be older, but not
 * before 2000 nor before the player's registration. The two paths are named, never one
 * loosened for the other. A follow-up is never before the visit's day.
 */
export function checkVisitTime(
  visitedAt: Date,
  nextFollowUpOn: string | undefined,
  now: Date,
  historical?: { registeredOn: string | null },
): { field: 'visitedAt' | 'nextFollowUpOn'; key: string; params?: Params } | null {
  if (historical) {
    const notBefore = historical.registeredOn ? { at: new Date(`${historical.registeredOn}T00:00:00+08:00`).toISOString(), key: 'history.beforeRegistration' as const } : undefined
    const problem = checkPastTime(visitedAt.toISOString(), now, notBefore)
    if (problem) return { field: 'visitedAt', key: problem.key, params: problem.params }
  } else {
    if (visitedAt.getTime() > now.getTime() + MAX_AHEAD_MS) return { field: 'visitedAt', key: 'visit.inFuture' }
    if (visitedAt.getTime() < now.getTime() - MAX_AGE_DAYS * 86_400_000) return { field: 'visitedAt', key: 'visit.tooOld', params: { days: MAX_AGE_DAYS } }
  }
  if (nextFollowUpOn && nextFollowUpOn < todayInChina(visitedAt)) return { field: 'nextFollowUpOn', key: 'visit.followUpPast' }
  return null
}

/** Whether the author may still change a visit recorded at `recordedAt`. */
export function isEditable(recordedAt: string, now: Date = new Date()): boolean {
  return now.getTime() - Date.parse(recordedAt) < EDIT_WINDOW_HOURS * 3600_000
}

/** When the edit window of a visit recorded at `recordedAt` closes. */
export function editableUntil(recordedAt: string): string {
  return new Date(Date.parse(recordedAt) + EDIT_WINDOW_HOURS * 3600_000).toISOString()
}

/**
 * The player's campaign status after its latest visit. A referral or a loan is further
 * along than any talk, so a visit never takes a player back from there.
 */
export function campaignStatusAfterVisit(current: CampaignStatus, visit: { hasNeed: boolean; outcome: VisitOutcome | null }): CampaignStatus {
  if (current === 'referred' || current === 'financed') return current
  if (visit.hasNeed) return 'need_found'
  if (visit.outcome === 'no_need' || visit.outcome === 'declined') return 'no_need'
  return 'visited'
}

export type ListReason = 'overdue' | 'due_today' | 'never_visited' | 'no_outcome'

/** Why a player is on its officer's list today, or null when there is nothing to do now. */
export function listReason(player: { lastVisitedAt: string | null; lastOutcome: string | null; nextFollowUpOn: string | null }, today: string): ListReason | null {
  if (player.nextFollowUpOn !== null && player.nextFollowUpOn < today) return 'overdue'
  if (player.nextFollowUpOn === today) return 'due_today'
  if (player.lastVisitedAt === null) return 'never_visited'
  if (player.lastOutcome === null) return 'no_outcome'
  return null
}

/** Order of the reasons on the list when it is not sorted by distance. */
export const LIST_REASON_ORDER: readonly ListReason[] = ['overdue', 'due_today', 'never_visited', 'no_outcome']

/** A `tel:` link for a mainland mobile number. */
export function telLink(phone: string): string {
  return `tel:+86${phone}`
}
