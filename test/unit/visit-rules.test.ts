// The visit rules: distance, the check-in against the radius, the edit window, the
// campaign status a visit leaves, why a player is on today's list, the phone links, and
// the form's schema naming every bad field at once.
import { describe, expect, it } from 'vitest'
import {
  assessCheckIn,
  campaignStatusAfterVisit,
  distanceMetres,
  editableUntil,
  isEditable,
  listReason,
  telLink,
} from '../../app/domain/visit'
import { parseVisit, parseVisitTalk } from '../../app/forms/visit'
import { COVERAGE_STEPS, coverageColour, coverageRatio } from '../../app/domain/map-colours'

describe('distanceMetres', () => {
  it('measures a degree of latitude as about 111 km and is symmetric', () => {
    expect(distanceMetres({ lat: 33, lng: 114 }, { lat: 34, lng: 114 })).toBeCloseTo(111_195, -2)
    const a = { lat: 33.78, lng: 114.53 }
    const b = { lat: 33.79, lng: 114.55 }
    expect(distanceMetres(a, b)).toBeCloseTo(distanceMetres(b, a), 6)
    expect(distanceMetres(a, a)).toBe(0)
  })
})

describe('assessCheckIn', () => {
  const player = { lat: 33.78, lng: 114.53, approximate: false }
  const near = { lat: 33.7803, lng: 114.53 }
  const far = { lat: 33.79, lng: 114.53 }

  it('passes an on-site check-in within the radius and measures it', () => {
    const result = assessCheckIn({ channel: 'on_site', checkIn: near, player, radiusMetres: 500 })
    expect(result).toEqual({ distance: 33, flag: null, needsReason: false })
  })

  it('flags one beyond the radius and asks for a reason; the radius is the setting', () => {
    expect(assessCheckIn({ channel: 'on_site', checkIn: far, player, radiusMetres: 500 })).toEqual({ distance: 1112, flag: 'far', needsReason: true })
    expect(assessCheckIn({ channel: 'on_site', checkIn: far, player, radiusMetres: 1200 }).flag).toBeNull()
  })

  it('never calls a player placed at its township centre "far", but keeps the distance', () => {
    expect(assessCheckIn({ channel: 'on_site', checkIn: far, player: { ...player, approximate: true }, radiusMetres: 500 })).toEqual({ distance: 1112, flag: null, needsReason: false })
  })

  it('flags an on-site visit with no position, and checks no phone or video visit', () => {
    expect(assessCheckIn({ channel: 'on_site', checkIn: null, player, radiusMetres: 500 }).flag).toBe('no_fix')
    expect(assessCheckIn({ channel: 'phone', checkIn: far, player, radiusMetres: 500 })).toEqual({ distance: 1112, flag: null, needsReason: false })
    expect(assessCheckIn({ channel: 'video', checkIn: null, player, radiusMetres: 500 }).flag).toBeNull()
  })

  it('has no distance for a player without a position', () => {
    expect(assessCheckIn({ channel: 'on_site', checkIn: near, player: { lat: null, lng: null, approximate: false }, radiusMetres: 500 })).toEqual({ distance: null, flag: null, needsReason: false })
  })
})

describe('the 24-hour edit window', () => {
  it('is open until 24 hours after recording, then closed', () => {
    const recorded = '2026-12-01T02:00:00.000Z'
    expect(isEditable(recorded, new Date('2026-12-02T01:59:59.000Z'))).toBe(true)
    expect(isEditable(recorded, new Date('2026-12-02T02:00:00.000Z'))).toBe(false)
    expect(editableUntil(recorded)).toBe('2026-12-02T02:00:00.000Z')
  })
})

describe('campaignStatusAfterVisit', () => {
  it('follows the latest talk, and never takes a referred or financed player back', () => {
    expect(campaignStatusAfterVisit('not_visited', { hasNeed: true, outcome: 'follow_up' })).toBe('need_found')
    expect(campaignStatusAfterVisit('need_found', { hasNeed: false, outcome: 'no_need' })).toBe('no_need')
    expect(campaignStatusAfterVisit('not_visited', { hasNeed: false, outcome: 'declined' })).toBe('no_need')
    expect(campaignStatusAfterVisit('not_visited', { hasNeed: false, outcome: null })).toBe('visited')
    expect(campaignStatusAfterVisit('referred', { hasNeed: false, outcome: 'no_need' })).toBe('referred')
    expect(campaignStatusAfterVisit('financed', { hasNeed: true, outcome: 'refer' })).toBe('financed')
  })
})

describe('listReason', () => {
  const today = '2026-12-01'
  it('puts overdue and due follow-ups first, then players never visited, then visits without an outcome', () => {
    expect(listReason({ lastVisitedAt: 'x', lastOutcome: 'follow_up', nextFollowUpOn: '2026-11-30' }, today)).toBe('overdue')
    expect(listReason({ lastVisitedAt: 'x', lastOutcome: 'follow_up', nextFollowUpOn: today }, today)).toBe('due_today')
    expect(listReason({ lastVisitedAt: null, lastOutcome: null, nextFollowUpOn: null }, today)).toBe('never_visited')
    expect(listReason({ lastVisitedAt: 'x', lastOutcome: null, nextFollowUpOn: null }, today)).toBe('no_outcome')
    expect(listReason({ lastVisitedAt: 'x', lastOutcome: 'follow_up', nextFollowUpOn: '2026-12-02' }, today)).toBeNull()
    expect(listReason({ lastVisitedAt: 'x', lastOutcome: 'no_need', nextFollowUpOn: null }, today)).toBeNull()
  })
})

describe('links for one tap', () => {
  // The map apps' links, each in its datum: test/unit/navigation-links.test.ts.
  it('dials +86', () => {
    expect(telLink('13800138000')).toBe('tel:+8613800138000')
  })
})

describe('the visit form schema', () => {
  it('reads form text and JSON alike, with sensible defaults', () => {
    const form = parseVisit({ id: 'abcdefgh', playerId: '7', hasNeed: '1', needAmount: '12.5', needTermMonths: '12', obstacles: 'cost,paperwork', needCollateral: 'yes' })
    const json = parseVisit({ id: 'abcdefgh', playerId: 7, hasNeed: true, needAmount: 12.5, needTermMonths: 12, obstacles: ['cost', 'paperwork'], needCollateral: 'yes' })
    expect(form.ok && json.ok).toBe(true)
    if (!form.ok || !json.ok) return
    expect(form.data).toEqual(json.data)
    expect(form.data).toMatchObject({ channel: 'on_site', hasNeed: true, needAmount: 12.5, setPosition: false })
  })

  it('names every field that fails, cross-field rules included', () => {
    const result = parseVisit({ id: 'no', playerId: 'x', channel: 'fax', hasNeed: 'on', outcome: 'follow_up', checkInLng: '114.5', obstacles: 'cost,bribes' })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(Object.keys(result.errors).sort()).toEqual(['channel', 'checkInLat', 'id', 'needAmount', 'nextFollowUpOn', 'obstacles', 'playerId'])
    expect(result.errors.needAmount[0].key).toBe('visit.amountNeeded')
    expect(result.values.channel).toBe('fax')
  })

  it('lets a correction change the talk only', () => {
    const result = parseVisitTalk({ notes: '  改过  ', outcome: 'no_need' })
    expect(result.ok && result.data).toMatchObject({ notes: '改过', outcome: 'no_need', hasNeed: false, obstacles: [] })
  })
})

describe('coverage shading', () => {
  it('is null with nobody assigned, and steps from red at none to green at all', () => {
    expect(coverageRatio(0, 0)).toBeNull()
    expect(coverageRatio(3, 4)).toBe(0.75)
    expect(coverageColour(0)).toBe(COVERAGE_STEPS[0].colour)
    expect(coverageColour(0.19)).toBe(COVERAGE_STEPS[0].colour)
    expect(coverageColour(0.2)).toBe(COVERAGE_STEPS[1].colour)
    expect(coverageColour(0.75)).toBe(COVERAGE_STEPS[3].colour)
    expect(coverageColour(1)).toBe(COVERAGE_STEPS[4].colour)
    expect(coverageColour(null)).not.toBe(coverageColour(0))
  })
})

describe('the outbox backoff', () => {
  it('doubles from 2 s and stops at five minutes', async () => {
    const { backoffMs } = await import('../../app/offline/outbox')
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([2000, 4000, 8000, 16000])
    expect(backoffMs(8)).toBe(256_000)
    expect(backoffMs(9)).toBe(300_000)
    expect(backoffMs(30)).toBe(300_000)
  })
})
