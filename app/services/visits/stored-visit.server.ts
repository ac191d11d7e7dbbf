// A visit as the pages and the API see it, the columns of what a visit says, the scope rule
// over visits and the date checks: shared by recording, editing and listing visits.
import type { Visit } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { Params } from '../../i18n/index'
import type { Scope } from '../../domain/scope'
import { checkVisitTime, editableUntil } from '../../domain/visit'
import type { InvalidReason } from '../../domain/visit-validity'
import type { VisitTalk } from '../../forms/visit'
import { inScope } from '../scope.server'

export interface VisitConflict {
  kind: 'reassigned'
  /** Who holds the player now; null when nobody does. */
  officerId: number | null
  officerName: string | null
}

/** A visit as the API answers it and the pages show it. */
export interface StoredVisit {
  id: string
  playerId: number
  officerId: number
  visitedAt: string
  recordedAt: string
  updatedAt: string
  editableUntil: string
  channel: Visit['channel']
  contact: string | null
  notes: string | null
  need: {
    has: boolean
    amountYuan: number | null
    purpose: string | null
    termMonths: number | null
    collateral: boolean | null
    product: string | null
  }
  obstacles: string[]
  outcome: string | null
  nextFollowUpOn: string | null
  checkIn: {
    lat: number | null
    lng: number | null
    accuracyMetres: number | null
    fix: string | null
    distanceMetres: number | null
    flag: string | null
    farReason: string | null
  }
  positionSet: boolean
  conflict: VisitConflict | null
  /** Whether it counts under the bank's rules, and why not (domain/visit-validity.ts). */
  validity: { valid: boolean; reasons: InvalidReason[]; farAcceptedAt: string | null }
}

export function storedVisit(v: Visit): StoredVisit {
  return {
    id: v.id,
    playerId: v.player_id,
    officerId: v.officer_id,
    visitedAt: v.visited_at,
    recordedAt: v.recorded_at,
    updatedAt: v.updated_at,
    editableUntil: editableUntil(v.recorded_at),
    channel: v.channel,
    contact: v.contact,
    notes: v.notes,
    need: {
      has: v.has_need === 1,
      amountYuan: v.need_amount_yuan === null ? null : Number(v.need_amount_yuan),
      purpose: v.need_purpose,
      termMonths: v.need_term_months,
      collateral: v.need_collateral === null ? null : v.need_collateral === 1,
      product: v.need_product,
    },
    obstacles: v.obstacles ? (JSON.parse(v.obstacles) as string[]) : [],
    outcome: v.outcome,
    nextFollowUpOn: v.next_follow_up_on,
    checkIn: {
      lat: v.check_in_lat,
      lng: v.check_in_lng,
      accuracyMetres: v.check_in_accuracy_m,
      fix: v.check_in_fix,
      distanceMetres: v.check_in_distance_m,
      flag: v.check_in_flag,
      farReason: v.far_reason,
    },
    positionSet: v.position_set === 1,
    conflict: v.conflict ? (JSON.parse(v.conflict) as VisitConflict) : null,
    validity: { valid: v.valid === 1, reasons: v.invalid_reasons ? (JSON.parse(v.invalid_reasons) as InvalidReason[]) : [], farAcceptedAt: v.far_accepted_at },
  }
}

/** The talk's columns: what a visit says, and what an edit may change. */
export function talkColumns(talk: VisitTalk) {
  return {
    channel: talk.channel,
    contact: talk.contact ?? null,
    notes: talk.notes ?? null,
    has_need: talk.hasNeed ? 1 : 0,
    need_amount_yuan: talk.hasNeed && talk.needAmount !== undefined ? Math.round(talk.needAmount * 10_000) : null,
    need_purpose: talk.hasNeed ? (talk.needPurpose ?? null) : null,
    need_term_months: talk.hasNeed ? (talk.needTermMonths ?? null) : null,
    need_collateral: talk.hasNeed && talk.needCollateral ? (talk.needCollateral === 'yes' ? 1 : 0) : null,
    need_product: talk.hasNeed ? (talk.needProduct ?? null) : null,
    obstacles: talk.obstacles.length ? JSON.stringify(talk.obstacles) : null,
    outcome: talk.outcome ?? null,
    next_follow_up_on: talk.nextFollowUpOn ?? null,
  }
}

export function fieldError(field: string, key: string, params: Params = {}): AppError {
  return new AppError('bad_request', key, { field, ...params })
}

export function checkDates(visitedAt: Date, nextFollowUpOn: string | undefined, now: Date, historical?: { registeredOn: string | null }) {
  const problem = checkVisitTime(visitedAt, nextFollowUpOn, now, historical)
  if (problem) throw fieldError(problem.field, problem.key, problem.params)
}

export function visitsScope(scope: Scope) {
  return inScope(scope, { orgUnit: 'visits.org_unit_id', owner: 'visits.officer_id' })
}
