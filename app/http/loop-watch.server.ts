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

export function startLoopWatch(): { stop(): void } {
  let expected = performance.now() + TICK_MS
  const timer = setInterval(() => {
    const now = performance.now()
    const late = now - expected
    if (late > STALL_MS) logger.warn('event loop held', { ms: Math.round(late), during: [...seen] })
    seen.clear()
    for (const name of running.keys()) seen.add(name)
    expected = now + TICK_MS
  }, TICK_MS)
  timer.unref()
  return {
    stop: () => clearInterval(timer),
  }
}
