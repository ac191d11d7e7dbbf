// Says when the server's thread was held: every request waits while it is. A timer asks to
// run every TICK_MS; when it runs more than STALL_MS late, a warning names how late and the
// background work under way in that window (issue 22: nothing holds the thread > 100 ms).
//
// A late timer has two causes that look alike from inside: work on the thread (a long
// synchronous step, a collection), or a thread ready to run that the machine gave no core
// (more runnable threads than cores: an import's writer and reader threads, other
// processes). On Linux the warning says which, from the thread's own schedule
// (/proc/thread-self/schedstat: time on a core, time waiting in the run queue) over the
// window since the last tick; the rest of the window the thread slept (waiting for the
// timer, or a blocking call).
import { performance } from 'node:perf_hooks'
import { logger } from '../server/logger.server'
import { scheduleBetween, threadSchedule } from '../server/thread-schedule.server'

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
  let schedule = threadSchedule()
  const timer = setInterval(() => {
    const now = performance.now()
    const late = now - expected
    const scheduleNow = threadSchedule()
    if (late > STALL_MS) logger.warn('event loop held', { ms: Math.round(late), during: [...seen], ...scheduleBetween(schedule, scheduleNow) })
    schedule = scheduleNow
    seen.clear()
    for (const name of running.keys()) seen.add(name)
    expected = now + TICK_MS
  }, TICK_MS)
  timer.unref()
  return {
    stop: () => clearInterval(timer),
  }
}
