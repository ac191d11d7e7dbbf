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
import fs from 'node:fs'
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

/** This thread's time on a core and waiting for one, in ns, since it started; null where Linux does not say. */
export type ThreadSchedule = { runNs: number; waitNs: number }

const SCHEDSTAT = '/proc/thread-self/schedstat'
let schedstatReadable = true

/** The calling thread's schedule (Linux's schedstat: ns on a core, ns runnable in the run queue, slices). */
export function threadSchedule(): ThreadSchedule | null {
  if (!schedstatReadable) return null
  try {
    const [run, wait] = fs.readFileSync(SCHEDSTAT, 'latin1').split(' ')
    return { runNs: Number(run), waitNs: Number(wait) }
  } catch {
    schedstatReadable = false
    return null
  }
}

/**
 * What held the thread over a window, from its schedule at both ends: `cpuMs` on a core
 * (work on the thread), `runQueueMs` ready but given no core (the machine's doing).
 */
export function scheduleBetween(before: ThreadSchedule | null, after: ThreadSchedule | null): { cpuMs: number; runQueueMs: number } | null {
  if (!before || !after) return null
  return { cpuMs: Math.round((after.runNs - before.runNs) / 1e6), runQueueMs: Math.round((after.waitNs - before.waitNs) / 1e6) }
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
