// Background threads run below the thread that answers requests where that costs the
// requests nothing: when more threads are ready than there are cores, the kernel gives one to
// the serving thread first (decisions 0171, 0711). On Linux a nice value belongs to a thread
// (setpriority on the calling thread), so only the caller yields. Not the import's writer: it
// holds SQLite's write lock over transactions of a quarter second that a visit waits for, and
// at nice 10 on a machine busy with other work it got a tenth of a core, its transactions
// (and the visits behind them) lasting ten times as long. Every background thread takes a
// name, so `top -H` and /proc/<pid>/task/*/comm say which is which. A server started at a
// real-time priority keeps it on its serving thread only: each background thread leaves it
// as it starts (decision 0941).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'

/** How far below the thread that starts them the background threads that yield run, in nice steps (0 → 10). */
export const BACKGROUND_NICE = os.constants.priority.PRIORITY_BELOW_NORMAL
/** The lowest priority there is (the highest nice value). */
const LOWEST = os.constants.priority.PRIORITY_LOW

/** The nice value a background thread started at `nice` yields to: BACKGROUND_NICE lower, never higher than it was. */
export function backgroundNice(nice: number): number {
  return Math.min(LOWEST, nice + BACKGROUND_NICE)
}

/**
 * Names the calling thread (at most 15 bytes) and, with `yieldToServing` (the default),
 * lowers its priority BACKGROUND_NICE steps below the one it started with (a server run at
 * nice 5 has its background at 15), where the system allows.
 */
export function runInBackground(name: string, options: { yieldToServing?: boolean } = {}): void {
  // First, so that a thread seen by its name is already off the real-time policy.
  leaveRealTime(threadId())
  try {
    fs.writeFileSync('/proc/thread-self/comm', name.slice(0, 15))
  } catch {
    // Not Linux: the thread keeps the process's name.
  }
  if (options.yieldToServing === false) return
  try {
    // A new thread starts at its parent's value; with no id, these ask of the calling thread (Linux).
    os.setPriority(backgroundNice(os.getPriority()))
  } catch {
    // Not allowed here: the thread runs at the usual priority.
  }
}

/**
 * Lowers every thread of this process BACKGROUND_NICE steps (threads started later take the
 * value of the thread that starts them), where the system allows: a process that serves
 * beside the officers' server on one machine and must yield to it (SERVE_ONLY, decision 0891).
 */
export function lowerWholeProcess(): void {
  let tids: string[]
  try {
    tids = fs.readdirSync('/proc/self/task')
  } catch {
    // Not Linux: the process as a whole, where the system allows.
    tids = [String(process.pid)]
  }
  for (const tid of tids) {
    leaveRealTime(Number(tid))
    try {
      os.setPriority(Number(tid), backgroundNice(os.getPriority(Number(tid))))
    } catch {
      // Not allowed here, or the thread has ended.
    }
  }
}

/** The calling thread's id (Linux), or undefined. */
function threadId(): number | undefined {
  try {
    return Number(fs.readlinkSync('/proc/thread-self').split('/').at(-1))
  } catch {
    return undefined
  }
}

/** A thread's scheduling policy (0 the usual, 1 SCHED_FIFO, 2 SCHED_RR) and real-time priority, from its stat (Linux); null elsewhere. */
function schedulingOf(tid: number): { policy: number; priority: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'latin1')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // stat's fields 40 (rt_priority) and 41 (policy), counted from 1; these start at field 3.
    return { priority: Number(fields[37]), policy: Number(fields[38]) }
  } catch {
    return null
  }
}

/** SCHED_FIFO or SCHED_RR. */
function isRealTime(scheduling: { policy: number } | null): scheduling is { policy: 1 | 2; priority: number } {
  return scheduling?.policy === 1 || scheduling?.policy === 2
}

/**
 * For the start-up banner of a server started at a real-time priority (the calling thread's):
 * what runs there and what does not; null at the usual policy.
 */
export function realTimeNote(): string | null {
  const tid = threadId()
  const scheduling = tid === undefined ? null : schedulingOf(tid)
  if (!isRealTime(scheduling)) return null
  const policy = `${scheduling.policy === 1 ? 'SCHED_FIFO' : 'SCHED_RR'} ${scheduling.priority}`
  try {
    execFileSync('chrt', ['--version'], { stdio: 'ignore' })
  } catch {
    return `Priority: the server runs real-time (${policy}), but chrt (util-linux) is missing: its background threads stay real-time too`
  }
  return `Priority: the serving thread real-time (${policy}), the background threads at the usual policy`
}

/**
 * A server started at a real-time priority (systemd's CPUSchedulingPolicy=rr) has every thread
 * start at it; a background thread goes back to the usual policy, its nice value kept, so that
 * only the serving thread and the short helpers it waits on (libuv's pool, V8's collector) are
 * served first. Lowering one's own policy needs no privilege.
 */
function leaveRealTime(tid: number | undefined): void {
  if (tid === undefined || !isRealTime(schedulingOf(tid))) return
  try {
    execFileSync('chrt', ['--other', '--pid', '0', String(tid)], { stdio: 'ignore' })
  } catch {
    // No chrt here: the thread stays where it started.
  }
}
