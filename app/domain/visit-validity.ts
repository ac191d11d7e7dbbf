// Whether a visit counts (PRODUCT.md "Valid visits"): on site, checked in within the radius
// (or beyond it with a reason the manager accepted), with a storefront photo where the bank
// requires one; by phone or video where the bank allows it for that kind of player. The one
// home of the rule: recording, adding a photo, accepting a far reason and the figures all
// read what this says. No database.
import type { VisitChannel } from './visit'

export interface VisitValidityRules {
  /** An on-site visit needs at least one storefront photo. */
  photoRequired: boolean
  /** Metres from the player's stored position within which an on-site check-in counts. */
  radiusMetres: number
  /** Phone and video visits count for households / for enterprises. */
  remoteCountsFor: { household: boolean; enterprise: boolean }
}

/** Before an admin saves any: nothing beyond the check-in radius of the configuration. */
export function defaultValidityRules(radiusMetres: number): VisitValidityRules {
  return { photoRequired: false, radiusMetres, remoteCountsFor: { household: true, enterprise: true } }
}

export const INVALID_REASONS = ['remote_not_counted', 'no_check_in', 'far', 'no_photo'] as const
export type InvalidReason = (typeof INVALID_REASONS)[number]

export interface VisitEvidence {
  channel: VisitChannel
  playerKind: 'enterprise' | 'household'
  /** Whether the on-site visit has a check-in position at all. */
  checkedIn: boolean
  /** Metres to the player's stored position; null when it cannot be measured. */
  distanceMetres: number | null
  /** The player's stored position is only its township's centre: a distance proves nothing. */
  approximatePosition: boolean
  /** A manager accepted the officer's reason for checking in far away. */
  farAccepted: boolean
  photos: number
}

export interface VisitJudgement {
  valid: boolean
  reasons: InvalidReason[]
}

export function judgeVisit(visit: VisitEvidence, rules: VisitValidityRules): VisitJudgement {
  const reasons: InvalidReason[] = []
  if (visit.channel !== 'on_site') {
    if (!rules.remoteCountsFor[visit.playerKind]) reasons.push('remote_not_counted')
  } else {
    if (!visit.checkedIn) reasons.push('no_check_in')
    else if (!visit.approximatePosition && visit.distanceMetres !== null && visit.distanceMetres > rules.radiusMetres && !visit.farAccepted) reasons.push('far')
    if (rules.photoRequired && visit.photos === 0) reasons.push('no_photo')
  }
  return { valid: reasons.length === 0, reasons }
}

/** Whether a manager may accept this visit's far check-in: on site, beyond the radius, with the officer's reason. */
export function canAcceptFar(visit: VisitEvidence & { farReason: string | null }, rules: VisitValidityRules): boolean {
  return visit.channel === 'on_site' && !visit.farAccepted && visit.farReason !== null && judgeVisit({ ...visit, farAccepted: false }, rules).reasons.includes('far')
}
