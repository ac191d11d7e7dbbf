import { describe, expect, it } from 'vitest'
import { PAIR_RULE, afterFailure, delayAfter, secondsLocked, type ThrottleState } from '../../app/domain/sign-in-throttle'

const t0 = new Date('2026-03-02T08:00:00Z')
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000)

describe('sign-in throttle', () => {
  it('lets the free failures pass, then makes each further one wait longer, doubling up to the cap', () => {
    let state: ThrottleState | null = null
    for (let i = 0; i < PAIR_RULE.freeFailures; i++) {
      state = afterFailure(state, PAIR_RULE, at(i))
      expect(state.lockedUntil).toBeNull()
    }
    state = afterFailure(state, PAIR_RULE, at(3))
    expect(secondsLocked(state, at(3))).toBe(30)
    state = afterFailure(state, PAIR_RULE, at(4))
    expect(secondsLocked(state, at(4))).toBe(60)
    expect([5, 6, 7, 8, 9, 20].map((n) => delayAfter(n, PAIR_RULE))).toEqual([60, 120, 240, 480, 900, 900])
    expect(secondsLocked(state, at(5))).toBe(0)
  })

  it('starts counting again once the window has passed', () => {
    let state: ThrottleState | null = null
    for (let i = 0; i < 6; i++) state = afterFailure(state, PAIR_RULE, at(i))
    state = afterFailure(state, PAIR_RULE, at(PAIR_RULE.windowMinutes + 1))
    expect(state.failures).toBe(1)
    expect(state.lockedUntil).toBeNull()
  })

  it('a key never seen is not held back', () => {
    expect(secondsLocked(null, t0)).toBe(0)
  })
})
