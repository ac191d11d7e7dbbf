// How many loan QR submissions one app server lets in (issue 25: 100 a second, refused or
// accepted, without slowing the officers' pages). Over it a post is answered 503 with
// Retry-After before its body is read (http/loan-qr-post.server.ts), so a flood costs the
// serving thread next to nothing. Two bounds, both checked by the very first middleware:
// - a ceiling, LOAN_QR_PER_SECOND: a token bucket (one second's worth may come at once);
// - how many posts may be under way at once, which follows how long the posts let in lately
//   took to be answered, the serving thread's real delay as they meet it: each answered
//   within TARGET_MS lets one more in per `limit` answers (additive), one answered later cuts
//   the limit by a quarter (at most once per CUT_EVERY_MS). A quiet server soon takes its
//   ceiling; a starved one takes what it can answer in time, and its writes wait for the
//   moments no other request is being answered (services/loan-qr/loan-qr-batches.server.ts).
// Decisions 0561 and 0641 (which replaced thresholds on the loop's delay and utilisation).

/** A post answered later than this, ms, says the server takes too many at once. */
export const TARGET_MS = 500
/** The least posts under way at once however slow the answers: a firm can always get through. */
export const MIN_IN_FLIGHT = 2
/** The limit at start. */
const INITIAL_IN_FLIGHT = 20
/** A slow answer cuts the limit at most this often, ms (the answers of one burst are one signal). */
export const CUT_EVERY_MS = 250

export interface LoanQrBudgetOptions {
  /** The most posts a second (LOAN_QR_PER_SECOND). */
  perSecond: number
  /** A clock in ms, for tests; performance.now by default. */
  now?: () => number
}

export class LoanQrBudget {
  private readonly rate: number
  private readonly now: () => number
  private tokens: number
  private filledAt: number
  private inFlight = 0
  private limit: number
  private cutAt = -Infinity

  constructor(options: LoanQrBudgetOptions) {
    if (!(options.perSecond > 0)) throw new Error(`a loan QR budget needs a positive rate, got ${options.perSecond}`)
    this.rate = options.perSecond
    this.now = options.now ?? (() => performance.now())
    this.tokens = this.rate
    this.filledAt = this.now()
    this.limit = Math.max(MIN_IN_FLIGHT, Math.min(INITIAL_IN_FLIGHT, this.rate))
  }

  /** Takes one post's place; false when over the budget (answer 503). Call `answered` once for each post taken. */
  take(): boolean {
    const now = this.now()
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.filledAt) / 1000) * this.rate)
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

  /** The posts a second let in at most. */
  perSecond(): number {
    return this.rate
  }

  /** How many posts may be under way at once now. */
  inFlightLimit(): number {
    return Math.floor(this.limit)
  }

  /** What a refused post's Retry-After says: a second while few are cut, longer while the limit is low (at most 10). */
  retryAfterSeconds(): number {
    return Math.min(10, Math.max(1, Math.ceil(INITIAL_IN_FLIGHT / Math.max(1, this.limit))))
  }
}
