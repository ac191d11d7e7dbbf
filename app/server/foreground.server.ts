// The requests this server is answering now, other than the loan QR code's form posts: the
// officers' and managers' pages and the API. Work that must not slow them (the loan QR
// tries' batches, loan-qr-batches.server.ts) waits until none is in flight, or at most a
// bounded time, so it runs in the thread's idle moments rather than between a page's queries
// (issue 25: 100 submissions a second without slowing the officers' pages; decision 0641).

import { logger } from './logger.server'

let inFlight = 0
let waiters: (() => void)[] = []

/** Marks a request as being answered; call the returned function once when it is done. */
export function foregroundStarted(): () => void {
  inFlight++
  let done = false
  return () => {
    if (done) return
    done = true
    inFlight--
    if (inFlight === 0 && waiters.length > 0) {
      const woken = waiters
      waiters = []
      for (const wake of woken) wake()
    }
  }
}

/** How many requests are being answered now. */
export function foregroundInFlight(): number {
  return inFlight
}

/**
 * Resolves once no request is being answered, or after `maxWaitMs` however busy the server
 * is (so background work is delayed, never starved). Answers how long it waited, ms.
 */
export function foregroundIdle(maxWaitMs: number): Promise<number> {
  if (inFlight === 0) return Promise.resolve(0)
  const started = performance.now()
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined = undefined
    const wake = () => {
      if (timer !== undefined) clearTimeout(timer)
      resolve(performance.now() - started)
    }
    waiters.push(wake)
    timer = setTimeout(() => {
      waiters = waiters.filter((w) => w !== wake)
      resolve(performance.now() - started)
    }, maxWaitMs)
  })
}

interface Deferred {
  run: () => void
  queuedAt: number
  maxWaitMs: number
}

const deferred: Deferred[] = []
let releasing = false

/**
 * Runs `run` in the thread's idle moments, after the pieces deferred before it: once no
 * request is being answered, or once it has waited `maxWaitMs` however busy the server is.
 * One piece a turn of the event loop: a request that arrives meanwhile is read and counted
 * before the next piece runs, and the pieces wait for it in turn. A loan QR try's whole
 * answer (its body read, checks and page) goes this way, not only its writes, so the
 * officers' pages are answered first and the tries in between (decision 0851).
 */
export function inIdleMoment(run: () => void, maxWaitMs: number): void {
  deferred.push({ run, queuedAt: performance.now(), maxWaitMs })
  if (!releasing) void release()
}

/** How many pieces wait for an idle moment (tests). */
export function idleMomentsWaiting(): number {
  return deferred.length
}

async function release(): Promise<void> {
  releasing = true
  try {
    while (deferred.length > 0) {
      const head = deferred[0]!
      const waited = performance.now() - head.queuedAt
      if (inFlight > 0 && waited < head.maxWaitMs) await foregroundIdle(head.maxWaitMs - waited)
      const piece = deferred.shift()!
      try {
        piece.run()
      } catch (error) {
        // A piece answers its own errors (Express's next does); one that throws anyway stops no other.
        logger.error('work deferred to an idle moment failed', { error })
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
  } finally {
    releasing = false
  }
}
