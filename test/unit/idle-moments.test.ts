// Work deferred to the serving thread's idle moments (app/server/foreground.server.ts): it
// waits for the requests being answered, at most its bound, and runs one piece a turn of the
// event loop, so what arrives meanwhile goes first.
import { describe, expect, it, vi } from 'vitest'
import { foregroundStarted, idleMomentsWaiting, inIdleMoment } from '../../app/server/foreground.server'
import { WAIT_MS } from '../support/test-constants'

/** A hang guard: the pieces run within turns of the loop. */
const WAIT = { timeout: WAIT_MS, interval: 1 }

describe('work deferred to an idle moment', () => {
  it('waits for the request being answered, then runs in the order deferred', async () => {
    const done = foregroundStarted()
    const ran: string[] = []
    inIdleMoment(() => ran.push('first'), 600_000)
    inIdleMoment(() => ran.push('second'), 600_000)
    // Turns of the loop go by and nothing runs while the request is being answered.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(ran).toEqual([])
    expect(idleMomentsWaiting()).toBe(2)
    done()
    await vi.waitFor(() => expect(ran).toEqual(['first', 'second']), WAIT)
    expect(idleMomentsWaiting()).toBe(0)
  })

  it('runs one piece a turn of the loop: what the first scheduled for the next turn goes before the second', async () => {
    const ran: string[] = []
    inIdleMoment(() => {
      ran.push('first')
      setImmediate(() => ran.push('arrived meanwhile'))
    }, 0)
    inIdleMoment(() => ran.push('second'), 0)
    await vi.waitFor(() => expect(ran).toHaveLength(3), WAIT)
    expect(ran).toEqual(['first', 'arrived meanwhile', 'second'])
  })

  it('goes on once it has waited its bound, however busy the server is', async () => {
    const done = foregroundStarted()
    try {
      const ran: string[] = []
      inIdleMoment(() => ran.push('bounded'), 1)
      await vi.waitFor(() => expect(ran).toEqual(['bounded']), WAIT)
    } finally {
      done()
    }
  })

  it('a piece that throws is logged and stops none after it', async () => {
    const ran: string[] = []
    const errors = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      inIdleMoment(() => {
        throw new Error('a broken piece')
      }, 0)
      inIdleMoment(() => ran.push('after'), 0)
      await vi.waitFor(() => expect(ran).toEqual(['after']), WAIT)
      expect(errors.mock.calls.map(([line]) => String(line)).some((line) => line.includes('work deferred to an idle moment failed') && line.includes('a broken piece'))).toBe(true)
    } finally {
      errors.mockRestore()
    }
  })
})
