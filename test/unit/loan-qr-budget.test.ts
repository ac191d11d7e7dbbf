// The loan QR budget (http/loan-qr-budget.server.ts) on a clock of the test's own: a ceiling
// a second (one second's worth at once), and a limit on the posts under way that follows how
// long they took to be answered: cut by a quarter by a slow answer, grown by fast ones.
import { describe, expect, it } from 'vitest'
import { CALM, CROWDED, CUT_EVERY_MS, LoanQrBudget, MIN_IN_FLIGHT, MIN_SHARE, TARGET_MS, WATCH_MS } from '../../app/http/loan-qr-budget.server'

function budget(perSecond: number) {
  const state = { now: 0 }
  const b = new LoanQrBudget({ perSecond, now: () => state.now })
  /** Takes all it lets in, each answered at once in `ms`; how many were taken. */
  const takeAnswered = (ms: number, most = 10_000) => {
    let taken = 0
    while (taken < most && b.take()) {
      taken++
      b.answered(ms)
    }
    return taken
  }
  return { b, state, takeAnswered }
}

describe('the loan QR budget', () => {
  it('lets a second\'s worth in at once, then the rate, while the answers are quick', () => {
    const { b, state, takeAnswered } = budget(150)
    expect(takeAnswered(5)).toBe(150)
    expect(b.take()).toBe(false)
    expect(b.retryAfterSeconds()).toBe(1)
    state.now += 200
    expect(takeAnswered(5)).toBe(30)
    state.now += 10_000
    expect(takeAnswered(5)).toBe(150)
  })

  it('lets in at once only as many as are answered in time: slow answers cut it, quick ones grow it back to the ceiling', () => {
    const { b, state, takeAnswered } = budget(100)
    // Under way, not answered: the limit at start holds the rest.
    let held = 0
    while (b.take()) held++
    expect(held).toBe(20)
    for (let i = 0; i < held; i++) b.answered(TARGET_MS + 1)
    // One cut for the burst, not twenty.
    expect(b.inFlightLimit()).toBe(15)
    for (let i = 0; i < 10; i++) {
      state.now += CUT_EVERY_MS
      b.take()
      b.answered(TARGET_MS * 4)
    }
    expect(b.inFlightLimit()).toBe(MIN_IN_FLIGHT)
    expect(b.retryAfterSeconds()).toBe(10)
    // At the least, a firm still gets through.
    state.now += 1000
    expect(b.take()).toBe(true)
    b.answered(10)
    // Quick answers: one more under way per limit's worth of answers, up to the ceiling.
    for (let second = 0; second < 60; second++) {
      state.now += 1000
      takeAnswered(10)
    }
    expect(b.inFlightLimit()).toBe(100)
    state.now += 1000
    expect(takeAnswered(10)).toBe(100)
  })

  it('refuses a rate that is not positive', () => {
    expect(() => new LoanQrBudget({ perSecond: 0 })).toThrow(/positive/)
  })
})

describe('the loan QR budget on a machine short of cores', () => {
  /** A budget watching a thread whose schedule the test writes: each window, `readyMs` ready to run, `waitMs` of it with no core. */
  function watched(perSecond: number) {
    const state = { now: 0, runNs: 0, waitNs: 0 }
    const b = new LoanQrBudget({ perSecond, now: () => state.now, schedule: () => ({ runNs: state.runNs, waitNs: state.waitNs }) })
    /** One window of WATCH_MS: the thread ran `runMs` and waited `waitMs` for a core; then takes all it lets in, answered quickly. */
    const window = (runMs: number, waitMs: number) => {
      state.now += WATCH_MS
      state.runNs += runMs * 1e6
      state.waitNs += waitMs * 1e6
      let taken = 0
      while (b.take()) {
        taken++
        b.answered(5)
      }
      return taken
    }
    return { b, window }
  }

  it('halves the posts it lets in for each crowded window, down to a floor, and says to come back later', () => {
    const { b, window } = watched(128)
    // The first window only starts the watch: a second's worth, as without it.
    expect(window(50, 0)).toBe(128)
    expect(b.perSecond()).toBe(128)
    // The thread waited for a core more than CROWDED of the time it was ready to run.
    window(40, 60)
    expect(b.perSecond()).toBe(64)
    for (let i = 0; i < 10; i++) window(40, 60)
    expect(b.perSecond()).toBe(128 * MIN_SHARE)
    // A quarter-second's worth at the floor: one post, no more.
    expect(window(40, 60)).toBeLessThanOrEqual(1)
    expect(b.retryAfterSeconds()).toBe(10)
  })

  it('grows back by a quarter each calm window, to the ceiling, and keeps the share when a window says nothing', () => {
    const { b, window } = watched(128)
    window(50, 0)
    for (let i = 0; i < 10; i++) window(40, 60)
    expect(b.perSecond()).toBe(128 * MIN_SHARE)
    // A thread hardly ready to run (idle) says nothing about the machine; nor does a window between the bounds.
    window(1, 2)
    window(60, 40 * (CALM + CROWDED))
    expect(b.perSecond()).toBe(128 * MIN_SHARE)
    let windows = 0
    while (b.perSecond() < 128) {
      window(50, 50 * CALM * 0.9)
      windows++
    }
    expect(windows).toBe(Math.ceil(Math.log(1 / MIN_SHARE) / Math.log(1.25)))
    expect(b.perSecond()).toBe(128)
    expect(b.retryAfterSeconds()).toBe(1)
  })

  it('cuts only while other requests come: with none to yield to, the posts take what the machine gives', () => {
    const state = { now: 0, runNs: 0, waitNs: 0, others: 0 }
    const b = new LoanQrBudget({ perSecond: 64, now: () => state.now, schedule: () => ({ runNs: state.runNs, waitNs: state.waitNs }), otherRequests: () => state.others })
    const crowdedWindow = (othersInIt: number) => {
      state.now += WATCH_MS
      state.runNs += 40e6
      state.waitNs += 60e6
      state.others += othersInIt
      b.take()
    }
    crowdedWindow(0)
    crowdedWindow(0)
    crowdedWindow(0)
    expect(b.perSecond()).toBe(64)
    crowdedWindow(3)
    crowdedWindow(1)
    expect(b.perSecond()).toBe(16)
    // The officers gone, the machine as crowded: the share grows back.
    crowdedWindow(0)
    expect(b.perSecond()).toBe(20)
  })

  it('is not watched where the thread\'s schedule cannot be read', () => {
    const state = { now: 0 }
    const b = new LoanQrBudget({ perSecond: 50, now: () => state.now, schedule: () => null })
    for (let i = 0; i < 20; i++) {
      state.now += WATCH_MS
      b.take()
    }
    expect(b.perSecond()).toBe(50)
  })
})
