// A background thread that stands aside for a waiting request until its wait times out must
// go on with its work, not end: the map's rebuild thread ended mid-rebuild behind a big
// import, "map cells thread exited (code 0) without an answer" (issue 22, decision 0651).
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'

const WORKER = new URL('../support/stand-aside.worker.mjs', import.meta.url)

describe('a thread standing aside for a waiting request', () => {
  it('goes on once its wait times out, though its event loop turned late', async () => {
    // A request waits for the write lock all along (lockWaiters[WAITING], index 0).
    const lockWaiters = new SharedArrayBuffer(16)
    Atomics.store(new Int32Array(lockWaiters), 0, 1)
    // It stands aside at most 5 ms, and holds its thread 100 ms meanwhile.
    const worker = new Worker(WORKER, { workerData: { lockWaiters, maxMs: 5, heldMs: 100 } })
    const outcome = await new Promise<string>((resolve) => {
      worker.once('message', (m: string) => resolve(m))
      worker.once('exit', (code) => resolve(`exited (code ${code}) without an answer`))
    })
    await worker.terminate()
    expect(outcome).toBe('stood aside')
  })
})
