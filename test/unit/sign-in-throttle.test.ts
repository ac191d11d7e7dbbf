import { describe, expect, it } from 'vitest'
import { USER_RULE, afterFailure, secondsLocked } from '../../app/domain/sign-in-throttle'

const t0 = new Date('2026-03-02T08:00:00Z')
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000)

describe('sign-in throttle', () => {
  it('locks a key on the fifth failure within the window, for the lock period', () => {
    let state = null
    for (let i = 0; i < 4; i++) {
      state = afterFailure(state, USER_RULE, at(i))
      expect(state.lockedUntil).toBeNull()
    }
    state = afterFailure(state, USER_RULE, at(4))
    expect(state.failures).toBe(5)
    expect(state.lockedUntil).toBe(at(4 + USER_RULE.lockMinutes).toISOString())
    expect(secondsLocked(state, at(5))).toBe((USER_RULE.lockMinutes - 1) * 60)
    expect(secondsLocked(state, at(4 + USER_RULE.lockMinutes))).toBe(0)
  })

  it('starts counting again once the window has passed', () => {
    let state = null
    for (let i = 0; i < 4; i++) state = afterFailure(state, USER_RULE, at(i))
    state = afterFailure(state, USER_RULE, at(USER_RULE.windowMinutes + 1))
    expect(state.failures).toBe(1)
    expect(state.lockedUntil).toBeNull()
  })

  it('a key never seen is not locked', () => {
    expect(secondsLocked(null, t0)).toBe(0)
  })
})
