// The loan QR budget (http/loan-qr-budget.server.ts) on a clock and an event loop of the
// test's own: one second's worth at once, then the rate; halved while the loop runs late,
// never under a twentieth; back up once it is calm.
import { describe, expect, it } from 'vitest'
import { BUDGET_STEP_MS, BUSY_AT, CALM_BELOW_MS, IDLE_BELOW, LoanQrBudget, SHED_AT_MS } from '../../app/http/loan-qr-budget.server'

function budget(perSecond: number) {
  const state = { now: 0, late: 0, busy: 1 }
  const b = new LoanQrBudget({ perSecond, now: () => state.now, loopDelayMs: () => state.late, loopBusy: () => state.busy })
  const takeAll = () => {
    let taken = 0
    while (b.take()) taken++
    return taken
  }
  return { b, state, takeAll }
}

describe('the loan QR budget', () => {
  it('takes a second\'s worth at once, then the rate, and says to retry in a second', () => {
    const { b, state, takeAll } = budget(150)
    expect(takeAll()).toBe(150)
    expect(b.take()).toBe(false)
    expect(b.retryAfterSeconds()).toBe(1)
    state.now += 200
    expect(takeAll()).toBe(30)
    state.now += 10_000
    expect(takeAll()).toBe(150)
  })

  it('halves the rate each step the loop runs late, down to a twentieth, and climbs back once it is calm', () => {
    const { b, state, takeAll } = budget(100)
    takeAll()
    state.late = SHED_AT_MS + 1
    for (let i = 0; i < 3; i++) {
      state.now += BUDGET_STEP_MS
      b.take()
    }
    expect(b.perSecond()).toBe(12.5)
    expect(b.retryAfterSeconds()).toBe(8)
    for (let i = 0; i < 10; i++) {
      state.now += BUDGET_STEP_MS
      b.take()
    }
    expect(b.perSecond()).toBe(5)
    // While late, a second lets through the floor's worth, not the ceiling's.
    state.now += 1000
    expect(takeAll()).toBeLessThanOrEqual(5)
    // Between the marks, it holds.
    state.late = (SHED_AT_MS + CALM_BELOW_MS) / 2
    state.now += BUDGET_STEP_MS
    b.take()
    expect(b.perSecond()).toBe(5)
    state.late = 0
    state.now += BUDGET_STEP_MS * 3
    b.take()
    expect(b.perSecond()).toBe(35)
    state.now += 10_000
    expect(takeAll()).toBe(100)
  })

  it('does not give way to a late loop while the thread mostly waits (a busy machine, not its own work), and climbs back then', () => {
    const { b, state } = budget(100)
    state.late = SHED_AT_MS * 3
    state.busy = (BUSY_AT + IDLE_BELOW) / 2
    state.now += BUDGET_STEP_MS * 5
    b.take()
    expect(b.perSecond()).toBe(100)
    state.busy = BUSY_AT + 0.1
    state.now += BUDGET_STEP_MS
    b.take()
    expect(b.perSecond()).toBe(50)
    state.busy = IDLE_BELOW - 0.1
    state.now += BUDGET_STEP_MS
    b.take()
    expect(b.perSecond()).toBe(60)
  })

  it('refuses a rate that is not positive', () => {
    expect(() => new LoanQrBudget({ perSecond: 0 })).toThrow(/positive/)
  })
})
