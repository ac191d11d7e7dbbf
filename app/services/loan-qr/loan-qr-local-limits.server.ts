// The loan QR limits as this process has counted them, in front of the database's: a try from
// an address (or phone) this process alone has already seen reach its limit in the current
// window is refused without a database write (issue 25: 100 submissions a second must not
// slow the officers' pages; SQLite writes one at a time). The database's counters stay the
// rule across app servers: every try counted here was counted there too, so a refusal here
// is one the database would give.
import { windowStart } from '../../domain/loan-qr'

interface Window {
  startedAt: string
  count: number
}

/** Bounds the memory a flood of fresh addresses can take; old windows are dropped first. */
const MAX_KEYS = 50_000

/** One app server's counts. */
export type LocalLimits = Map<string, Window>

const byServer = new WeakMap<object, LocalLimits>()

/** The counts of the app server that `server` (its configuration object) stands for. */
export function localLimitsOf(server: object): LocalLimits {
  let held = byServer.get(server)
  if (!held) byServer.set(server, (held = new Map()))
  return held
}

type Limit = { count: number; windowMinutes: number }

/** Whether this process has already counted `limit.count` tries for `key` in the current window. */
export function overLimitHere(windows: LocalLimits, key: string, limit: Limit, now: Date): boolean {
  const held = windows.get(key)
  return held !== undefined && held.startedAt === windowStart(now, limit.windowMinutes) && held.count >= limit.count
}

/** Counts a try the database counted too. */
export function countedHere(windows: LocalLimits, key: string, limit: Limit, now: Date): void {
  const startedAt = windowStart(now, limit.windowMinutes)
  const held = windows.get(key)
  if (held && held.startedAt === startedAt) {
    held.count++
    return
  }
  if (windows.size >= MAX_KEYS) {
    const dayAgo = new Date(now.getTime() - 24 * 3_600_000).toISOString()
    for (const [k, w] of windows) if (w.startedAt < dayAgo) windows.delete(k)
    if (windows.size >= MAX_KEYS) windows.clear()
  }
  windows.set(key, { startedAt, count: 1 })
}
