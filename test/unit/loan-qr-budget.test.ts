// The loan QR budget (http/loan-qr-budget.server.ts) on a clock of the test's own: a ceiling
// a second (one second's worth at once), and a limit on the posts under way that follows how
// long they took to be answered: cut by a quarter by a slow answer, grown by fast ones.
import { describe, expect, it } from 'vitest'
import { CUT_EVERY_MS, LoanQrBudget, MIN_IN_FLIGHT, TARGET_MS } from '../../app/http/loan-qr-budget.server'

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
