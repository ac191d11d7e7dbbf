// How many loan QR submissions one app server takes a second (issue 25: 100 a second, refused
// or accepted, without slowing the officers' pages). Over its budget a post is answered 503
// with Retry-After before its body is read (http/loan-qr-post.server.ts), so a flood costs
// the serving thread next to nothing. The budget is a token bucket of LOAN_QR_PER_SECOND
// (one second's worth may come at once) that follows the event loop: while the loop runs
// late and the thread is at work most of the time (the thread that answers the officers is
// held by its own work, not only starved by a busy machine), the rate is halved every step
// down to a twentieth; once the loop is calm or the thread mostly waits again, it climbs back
// a tenth of the ceiling a step. Decision 0561.

/** How often the rate is reconsidered, ms. */
export const BUDGET_STEP_MS = 100
/** The loop's recent delay above which the rate is halved, ms (the officers' list takes ~70 ms alone). */
export const SHED_AT_MS = 40
/** The loop's recent delay under which the rate climbs back, ms. */
export const CALM_BELOW_MS = 15
/** The thread's recent utilisation above which a late loop is its own doing (0–1). */
export const BUSY_AT = 0.8
/** The utilisation under which the rate climbs back, however late the loop (the machine's doing). */
export const IDLE_BELOW = 0.5
/** The least share of the ceiling kept open however late the loop: a firm can always get through. */
const FLOOR_SHARE = 1 / 20

export interface LoanQrBudgetOptions {
  /** The most posts a second (LOAN_QR_PER_SECOND). */
  perSecond: number
  /** How late the event loop ran lately, ms (loop-watch.server.ts); none: the ceiling alone. */
  loopDelayMs?: () => number
  /** The thread's recent event loop utilisation, 0–1 (loop-watch.server.ts); none: taken as busy, the delay decides. */
  loopBusy?: () => number
  /** A clock in ms, for tests; performance.now by default. */
  now?: () => number
}

export class LoanQrBudget {
  private readonly ceiling: number
  private readonly floor: number
  private readonly loopDelayMs: () => number
  private readonly loopBusy: () => number
  private readonly now: () => number
  /** The posts a second taken now: the ceiling, or less while the loop runs late. */
  private rate: number
  private tokens: number
  private filledAt: number
  private steppedAt: number

  constructor(options: LoanQrBudgetOptions) {
    if (!(options.perSecond > 0)) throw new Error(`a loan QR budget needs a positive rate, got ${options.perSecond}`)
    this.ceiling = options.perSecond
    this.floor = Math.max(1, options.perSecond * FLOOR_SHARE)
    this.loopDelayMs = options.loopDelayMs ?? (() => 0)
    this.loopBusy = options.loopBusy ?? (() => 1)
    this.now = options.now ?? (() => performance.now())
    this.rate = this.ceiling
    this.tokens = this.ceiling
    this.filledAt = this.steppedAt = this.now()
  }

  /** Takes one post's place; false when over the budget (answer 503). */
  take(): boolean {
    const now = this.now()
    this.step(now)
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.filledAt) / 1000) * this.rate)
    this.filledAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  /** The posts a second taken now. */
  perSecond(): number {
    return this.rate
  }

  /** What a refused post's Retry-After says: a second at the ceiling, longer while the rate is cut (at most 10). */
  retryAfterSeconds(): number {
    return Math.min(10, Math.max(1, Math.ceil(this.ceiling / this.rate)))
  }

  private step(now: number) {
    const steps = Math.floor((now - this.steppedAt) / BUDGET_STEP_MS)
    if (steps < 1) return
    this.steppedAt += steps * BUDGET_STEP_MS
    const late = this.loopDelayMs()
    const busy = this.loopBusy()
    if (late > SHED_AT_MS && busy > BUSY_AT) this.rate = Math.max(this.floor, this.rate / 2)
    else if (late < CALM_BELOW_MS || busy < IDLE_BELOW) this.rate = Math.min(this.ceiling, this.rate + (steps * this.ceiling) / 10)
    this.tokens = Math.min(this.tokens, Math.max(1, this.rate))
  }
}
