// How many loan QR submissions one app server lets in (issue 25: 100 a second, refused or
// accepted, without slowing the officers' pages). Over it a post is answered 503 with
// Retry-After before its body is read (http/loan-qr-post.server.ts), so a flood costs the
// serving thread next to nothing. Three bounds, all checked by the very first middleware:
// - a ceiling, LOAN_QR_PER_SECOND: a token bucket (one second's worth may come at once);
// - how many posts may be under way at once, which follows how long the posts let in lately
//   took to be answered, the serving thread's real delay as they meet it: each answered
//   within TARGET_MS lets one more in per `limit` answers (additive), one answered later cuts
//   the limit by a quarter (at most once per CUT_EVERY_MS). A quiet server soon takes its
//   ceiling; a starved one takes what it can answer in time, and its writes wait for the
//   moments no other request is being answered (services/loan-qr/loan-qr-batches.server.ts).
// - the share of the ceiling a machine short of cores leaves the posts: the serving thread's
//   own schedule (Linux's schedstat: time on a core, time ready with no core) read every
//   WATCH_MS while posts come; a window in which the thread waited for a core more than
//   CROWDED of the time it was ready to run, and other requests (the officers' pages) came,
//   halves the share (down to MIN_SHARE); a calm window, or one with no other request to
//   yield to, grows it back by a quarter. Answer times alone did not see it: on a crowded machine
//   (load 9 on 2 cores) the posts were answered in time while the officers' pages beside
//   them went 6.4× slower (p50), their thread's share of a core being what the machine gave.
// Decisions 0561, 0641 (which replaced thresholds on the loop's delay and utilisation) and 0771.
import type { ThreadSchedule } from './loop-watch.server'

/** A post answered later than this, ms, says the server takes too many at once. */
export const TARGET_MS = 500
/** The least posts under way at once however slow the answers: a firm can always get through. */
export const MIN_IN_FLIGHT = 2
/** The limit at start. */
const INITIAL_IN_FLIGHT = 20
/** A slow answer cuts the limit at most this often, ms (the answers of one burst are one signal). */
export const CUT_EVERY_MS = 250
/** How often the serving thread's schedule is read while posts come, ms. */
export const WATCH_MS = 250
/** A window whose thread waited for a core more than this share of the time it was ready to run is crowded. */
export const CROWDED = 0.5
/** Below this share the window is calm. */
export const CALM = 0.25
/** Less time than this ready to run in a window (ms) says nothing about the machine. */
const MIN_READY_MS = 5
/** The least share of the ceiling a crowded machine leaves the posts. */
export const MIN_SHARE = 1 / 32

export interface LoanQrBudgetOptions {
  /** The most posts a second (LOAN_QR_PER_SECOND). */
  perSecond: number
  /** A clock in ms, for tests; performance.now by default. */
  now?: () => number
  /** The serving thread's schedule (loop-watch.server.ts's threadSchedule); none: the machine is not watched. */
  schedule?: () => ThreadSchedule | null
  /** How many other requests the server has started answering (foreground.server.ts); none: as if some always came. */
  otherRequests?: () => number
}

export class LoanQrBudget {
  private readonly rate: number
  private readonly now: () => number
  private tokens: number
  private filledAt: number
  private inFlight = 0
  private limit: number
  private cutAt = -Infinity
  private readonly schedule: (() => ThreadSchedule | null) | undefined
  private readonly otherRequests: (() => number) | undefined
  private watched: { at: number; schedule: ThreadSchedule; others: number } | null = null
  private share = 1

  constructor(options: LoanQrBudgetOptions) {
    if (!(options.perSecond > 0)) throw new Error(`a loan QR budget needs a positive rate, got ${options.perSecond}`)
    this.rate = options.perSecond
    this.now = options.now ?? (() => performance.now())
    this.schedule = options.schedule
    this.otherRequests = options.otherRequests
    this.tokens = this.rate
    this.filledAt = this.now()
    this.limit = Math.max(MIN_IN_FLIGHT, Math.min(INITIAL_IN_FLIGHT, this.rate))
  }

  /** Takes one post's place; false when over the budget (answer 503). Call `answered` once for each post taken. */
  take(): boolean {
    const now = this.now()
    this.watch(now)
    const rate = this.rate * this.share
    this.tokens = Math.min(Math.max(1, rate), this.tokens + ((now - this.filledAt) / 1000) * rate)
    this.filledAt = now
    if (this.tokens < 1 || this.inFlight >= Math.floor(this.limit)) return false
    this.tokens -= 1
    this.inFlight++
    return true
  }

  /** A post taken was answered, `ms` after it was taken. */
  answered(ms: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1)
    const now = this.now()
    if (ms > TARGET_MS) {
      if (now - this.cutAt >= CUT_EVERY_MS) {
        this.limit = Math.max(MIN_IN_FLIGHT, this.limit * 0.75)
        this.cutAt = now
      }
    } else this.limit = Math.min(Math.max(MIN_IN_FLIGHT, this.rate), this.limit + 1 / this.limit)
  }

  /** Reads the thread's schedule once a window: a crowded window with other requests halves the share; a calm one, or one with none, grows it. */
  private watch(now: number): void {
    if (!this.schedule || (this.watched && now - this.watched.at < WATCH_MS)) return
    const schedule = this.schedule()
    if (!schedule) return
    const before = this.watched
    const others = this.otherRequests?.() ?? 0
    this.watched = { at: now, schedule, others }
    if (!before) return
    const waitMs = (schedule.waitNs - before.schedule.waitNs) / 1e6
    const readyMs = (schedule.runNs - before.schedule.runNs) / 1e6 + waitMs
    if (readyMs < MIN_READY_MS) return
    // Yielding helps only where other requests wait on the same thread.
    const othersCame = !this.otherRequests || others > before.others
    if (othersCame && waitMs > CROWDED * readyMs) this.share = Math.max(MIN_SHARE, this.share / 2)
    else if (!othersCame || waitMs < CALM * readyMs) this.share = Math.min(1, this.share * 1.25)
  }

  /** The posts a second let in at most now (the ceiling, less what a crowded machine takes). */
  perSecond(): number {
    return this.rate * this.share
  }

  /** How many posts may be under way at once now. */
  inFlightLimit(): number {
    return Math.floor(this.limit)
  }

  /** What a refused post's Retry-After says: a second while few are cut, longer while the limit or the share is low (at most 10). */
  retryAfterSeconds(): number {
    return Math.min(10, Math.max(1, Math.ceil(INITIAL_IN_FLIGHT / Math.max(1, this.limit)), Math.ceil(1 / this.share)))
  }
}
