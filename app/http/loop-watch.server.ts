// Says when the server's thread was held: every request waits while it is. A timer asks to
// run every TICK_MS; when it runs more than STALL_MS late, a warning names how late and the
// background work under way in that window (issue 22: nothing holds the thread > 100 ms).
import { performance } from 'node:perf_hooks'
import { logger } from '../server/logger.server'

const TICK_MS = 20
export const STALL_MS = 100

const running = new Map<string, number>()
/** Work that ran since the last tick, so a pass that ended during the stall is still named. */
const seen = new Set<string>()

/** Marks background work as under way until the returned function is called. */
export function markWork(name: string): () => void {
  running.set(name, (running.get(name) ?? 0) + 1)
  seen.add(name)
  return () => {
    const left = (running.get(name) ?? 1) - 1
    if (left > 0) running.set(name, left)
    else running.delete(name)
  }
}

/** How late the ticks ran lately (ms, each tick weighing 30%); 0 while no watch runs. */
let recentLateMs = 0
/** The share of the ticks' time the thread was running, not waiting for events, lately (0–1). */
let recentBusy = 0

/** How late the event loop has run lately, for work that gives way while it is held (http/loan-qr-budget.server.ts). */
export function recentLoopDelayMs(): number {
  return recentLateMs
}

/**
 * The share of the time lately the thread was at work (its event loop utilisation): a late
 * loop on a busy machine whose thread mostly waits is the machine's doing, not this thread's.
 */
export function recentLoopBusy(): number {
  return recentBusy
}

export function startLoopWatch(): { stop(): void } {
  let expected = performance.now() + TICK_MS
  let utilisation = performance.eventLoopUtilization()
  const timer = setInterval(() => {
    const now = performance.now()
    const late = now - expected
    recentLateMs = recentLateMs * 0.7 + Math.max(0, late) * 0.3
    const since = performance.eventLoopUtilization(utilisation)
    utilisation = performance.eventLoopUtilization()
    recentBusy = recentBusy * 0.7 + since.utilization * 0.3
    if (late > STALL_MS) logger.warn('event loop held', { ms: Math.round(late), during: [...seen] })
    seen.clear()
    for (const name of running.keys()) seen.add(name)
    expected = now + TICK_MS
  }, TICK_MS)
  timer.unref()
  return {
    stop: () => {
      clearInterval(timer)
      recentLateMs = 0
      recentBusy = 0
    },
  }
}
