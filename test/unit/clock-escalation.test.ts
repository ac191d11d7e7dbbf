// Which clocks escalate, and to whom (app/domain/clocks.ts).
import { describe, expect, it } from 'vitest'
import { nearestManager, referralAcceptanceRanOut, runOutClocks } from '../../app/domain/clocks'

describe('runOutClocks', () => {
  const state = { acceptDueAt: '2026-04-14T02:00:00.000Z', contactDueAt: '2026-04-16T02:00:00.000Z', decideDueAt: null, acceptedAt: null, contactedAt: null, decidedAt: null }
  it('names the clocks due before now and not met', () => {
    expect(runOutClocks(state, new Date('2026-04-15T00:00:00Z'))).toEqual([{ clock: 'accept', dueAt: state.acceptDueAt }])
    expect(runOutClocks(state, new Date('2026-04-17T00:00:00Z')).map((c) => c.clock)).toEqual(['accept', 'contact'])
    expect(runOutClocks({ ...state, acceptedAt: '2026-04-15T00:00:00Z' }, new Date('2026-04-17T00:00:00Z')).map((c) => c.clock)).toEqual(['contact'])
  })
  it('a clock due at this very moment has not run out yet', () => {
    expect(runOutClocks(state, new Date(state.acceptDueAt))).toEqual([])
  })
})

describe('nearestManager', () => {
  const managers = [
    { id: 7, orgPath: '/1/' },
    { id: 5, orgPath: '/1/2/' },
    { id: 3, orgPath: '/1/2/' },
    { id: 9, orgPath: '/1/4/' },
  ]
  it('picks the closest unit above, the lowest id among equals', () => {
    expect(nearestManager('/1/2/6/', managers)).toBe(3)
    expect(nearestManager('/1/4/', managers)).toBe(9)
    expect(nearestManager('/1/8/', managers)).toBe(7)
  })
  it('does not take a unit whose path only starts alike', () => {
    expect(nearestManager('/1/22/', [{ id: 5, orgPath: '/1/2/' }])).toBeNull()
  })
})

describe('referralAcceptanceRanOut', () => {
  const referral = { stage: 'referred', acceptDueAt: '2026-04-22T02:00:00.000Z', acceptedAt: null }
  it('runs out after its due time while the case waits for the loan system', () => {
    expect(referralAcceptanceRanOut(referral, new Date('2026-04-22T02:00:00.000Z'))).toBe(false)
    expect(referralAcceptanceRanOut(referral, new Date('2026-04-22T02:00:00.001Z'))).toBe(true)
  })
  it('not once accepted, nor for a case closed unaccepted', () => {
    const later = new Date('2026-05-01T00:00:00Z')
    expect(referralAcceptanceRanOut({ ...referral, stage: 'accepted', acceptedAt: '2026-04-23T00:00:00.000Z' }, later)).toBe(false)
    expect(referralAcceptanceRanOut({ ...referral, stage: 'declined' }, later)).toBe(false)
  })
})
