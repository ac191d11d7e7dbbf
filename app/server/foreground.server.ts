// The requests this server is answering now, other than the loan QR code's form posts: the
// officers' and managers' pages and the API. Work that must not slow them (the loan QR
// tries' batches, loan-qr-batches.server.ts) waits until none is in flight, or at most a
// bounded time, so it runs in the thread's idle moments rather than between a page's queries
// (issue 25: 100 submissions a second without slowing the officers' pages; decision 0641).

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
