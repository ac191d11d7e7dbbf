// For diagnosis only: who waits for SQLite's write lock and the server's connection, and who
// held them (issues 22 and 25, decision 0791). With WANQI_LOCK_TRACE=<file> every connection
// opened by openDatabase, on any thread of the process, appends one JSON line to the file:
// - `wait`: a statement that met the write lock taken (SQLITE_BUSY), how long until it got it;
// - `hold`: a write transaction (begin immediate → commit/rollback) or a lone write that held
//   the lock longer than WANQI_LOCK_TRACE_MS (20) or that someone waited for meanwhile, with
//   its first write statement, how many statements, and the holding thread's time on a core
//   and waiting for one over the hold (/proc/thread-self/schedstat; the rest it slept);
// - `turn-wait` / `turn-hold`: the same for a connection's turns (one caller at a time on the
//   one connection: a page's reads wait for a transaction under way on it);
// - `checkpoint`: a copy of the log back into the file that took longer than the threshold.
// Times are absolute milliseconds (performance.timeOrigin + performance.now()), comparable
// across threads. Off (no file), nothing is read or written: the checks are one boolean.
// test/bench/lock-trace.ts sums a run's lines up.
import fs from 'node:fs'
import { isMainThread } from 'node:worker_threads'
import { scheduleBetween, threadSchedule } from '../app/server/thread-schedule.server'

const FILE = process.env.WANQI_LOCK_TRACE ?? ''
/** Whether this process traces its lock waits and holds. */
export const lockTraceOn = FILE !== ''
/** Holds and turns shorter than this are not written unless someone waited for them, ms. */
export const TRACE_HOLD_MS = Number(process.env.WANQI_LOCK_TRACE_MS ?? 20)
/** Turn waits shorter than this are not written, ms. */
export const TRACE_TURN_WAIT_MS = 2

/** Now, in milliseconds comparable across the process's threads. */
export function traceNow(): number {
  return performance.timeOrigin + performance.now()
}

function threadName(): string {
  try {
    return fs.readFileSync('/proc/thread-self/comm', 'utf8').trim()
  } catch {
    return 'unknown'
  }
}

/** The first 100 characters of a statement, for the trace. */
export function statementLabel(sql: string): string {
  return sql.replace(/\s+/g, ' ').slice(0, 100)
}

/** Appends one line (synchronously: a line must survive the thread's end). */
export function traceLine(kind: 'wait' | 'hold' | 'turn-wait' | 'turn-hold' | 'checkpoint', fields: Record<string, unknown>): void {
  if (!lockTraceOn) return
  fs.appendFileSync(FILE, JSON.stringify({ kind, thread: isMainThread ? 'serving' : threadName(), ...fields }) + '\n')
}

/** A line marking a moment of the run (a bench's phase), written by the bench. */
export function traceMark(file: string, phase: string): void {
  fs.appendFileSync(file, JSON.stringify({ kind: 'mark', phase, at: traceNow() }) + '\n')
}

/** A hold of the write lock or of a connection's turn, measured from its start. */
export class TracedHold {
  readonly start = traceNow()
  readonly schedule = threadSchedule()
  first: string | null = null
  statements = 0
  constructor(readonly what: string) {}
  note(sql: string) {
    this.statements++
    if (this.first === null && !/^\s*(begin|commit|rollback|savepoint|release)\b/i.test(sql)) this.first = statementLabel(sql)
  }
  /** Writes it if it lasted TRACE_HOLD_MS or `waitedOn`. */
  end(kind: 'hold' | 'turn-hold', waitedOn: boolean) {
    const end = traceNow()
    const heldMs = end - this.start
    if (heldMs < TRACE_HOLD_MS && !waitedOn) return
    const between = scheduleBetween(this.schedule, threadSchedule())
    traceLine(kind, {
      what: this.what,
      start: this.start,
      end,
      heldMs: round(heldMs),
      cpuMs: between?.cpuMs ?? 0,
      runQueueMs: between?.runQueueMs ?? 0,
      statements: this.statements,
      first: this.first,
      waitedOn,
    })
  }
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10
}
