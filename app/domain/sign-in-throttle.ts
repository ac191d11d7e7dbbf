// When repeated failed sign-ins lock a user name or a client out, and for how long.
export interface ThrottleRule {
  maxFailures: number
  windowMinutes: number
  lockMinutes: number
}

export const USER_RULE: ThrottleRule = { maxFailures: 5, windowMinutes: 15, lockMinutes: 15 }
export const CLIENT_RULE: ThrottleRule = { maxFailures: 20, windowMinutes: 15, lockMinutes: 15 }

export interface ThrottleState {
  failures: number
  windowStartedAt: string
  lockedUntil: string | null
}

/** Seconds until the key may try again, or 0 when it may try now. */
export function secondsLocked(state: ThrottleState | null, now: Date): number {
  if (!state?.lockedUntil) return 0
  return Math.max(0, Math.ceil((Date.parse(state.lockedUntil) - now.getTime()) / 1000))
}

/** The state after one more failure. */
export function afterFailure(state: ThrottleState | null, rule: ThrottleRule, now: Date): ThrottleState {
  const windowOpen =
    state !== null && now.getTime() - Date.parse(state.windowStartedAt) < rule.windowMinutes * 60_000
  const failures = windowOpen ? state.failures + 1 : 1
  const windowStartedAt = windowOpen ? state.windowStartedAt : now.toISOString()
  const lockedUntil =
    failures >= rule.maxFailures ? new Date(now.getTime() + rule.lockMinutes * 60_000).toISOString() : null
  return { failures, windowStartedAt, lockedUntil }
}
