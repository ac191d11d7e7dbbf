// How repeated failed sign-ins are slowed down. Failures are counted per (user name, client
// address) pair, and per address: after a few free tries each further failure makes that
// pair (or address) wait longer before its next try, doubling up to a cap. Nothing counts
// per user name alone, so a stranger guessing from elsewhere slows only themselves and can
// never keep the user (or `admin`) out; an admin can clear a user's counters.
export interface ThrottleRule {
  /** Failures that cost nothing. */
  freeFailures: number
  /** The wait after the first failure past the free ones; each further one doubles it. */
  firstDelaySeconds: number
  maxDelaySeconds: number
  /** Failures older than this (since the first of the run) are forgotten. */
  windowMinutes: number
}

/** One person mistyping their password: three free tries, then 30 s, 1 min, 2 min … 15 min. */
export const PAIR_RULE: ThrottleRule = { freeFailures: 3, firstDelaySeconds: 30, maxDelaySeconds: 15 * 60, windowMinutes: 24 * 60 }
/** One address trying many names (a whole office behind one address signs in, so more). */
export const CLIENT_RULE: ThrottleRule = { freeFailures: 20, firstDelaySeconds: 30, maxDelaySeconds: 15 * 60, windowMinutes: 60 }

export interface ThrottleState {
  failures: number
  windowStartedAt: string
  /** Not before this time may the key try again. */
  lockedUntil: string | null
}

/** The key of a (user name, address) pair; `pairKeyPrefix` names all of one user's. */
export function pairKey(username: string, ip: string | null): string {
  return `${pairKeyPrefix(username)}${ip ?? 'unknown'}`
}
export function pairKeyPrefix(username: string): string {
  return `pair:${username}|`
}
export function clientKey(ip: string): string {
  return `client:${ip}`
}

/** Seconds until the key may try again, or 0 when it may try now. */
export function secondsLocked(state: ThrottleState | null, now: Date): number {
  if (!state?.lockedUntil) return 0
  return Math.max(0, Math.ceil((Date.parse(state.lockedUntil) - now.getTime()) / 1000))
}

/** The wait after `failures` failures in a row. */
export function delayAfter(failures: number, rule: ThrottleRule): number {
  if (failures <= rule.freeFailures) return 0
  return Math.min(rule.maxDelaySeconds, rule.firstDelaySeconds * 2 ** (failures - rule.freeFailures - 1))
}

/** The state after one more failure. */
export function afterFailure(state: ThrottleState | null, rule: ThrottleRule, now: Date): ThrottleState {
  const windowOpen = state !== null && now.getTime() - Date.parse(state.windowStartedAt) < rule.windowMinutes * 60_000
  const failures = windowOpen ? state.failures + 1 : 1
  const windowStartedAt = windowOpen ? state.windowStartedAt : now.toISOString()
  const delay = delayAfter(failures, rule)
  return { failures, windowStartedAt, lockedUntil: delay > 0 ? new Date(now.getTime() + delay * 1000).toISOString() : null }
}
