// The calling thread's time on a core and waiting for one (Linux's schedstat), for the event
// loop's watch (app/http/loop-watch.server.ts) and the lock trace (db/lock-trace.server.ts):
// whether a stall was work on the thread or the machine giving it no core.
import fs from 'node:fs'

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
