// A background thread standing aside for a request that waits for the write lock all along,
// as the map's rebuild thread does behind a big import (test/unit/lock-wait-thread.test.ts).
// Like that thread it listens for nothing: only its own wait keeps it alive.
import { parentPort, workerData } from 'node:worker_threads'
import { othersHadTheirTurn, shareLockWaiters } from '../../db/connection.server'

const data = workerData as { lockWaiters: SharedArrayBuffer; maxMs: number; heldMs: number }
shareLockWaiters(data.lockWaiters)
const standing = othersHadTheirTurn(data.maxMs)
// The thread then holds its event loop longer than it stands aside (a rebuild counting
// players, a loaded machine), so the loop turns again only after the wait's end.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, data.heldMs)
void standing.then(() => parentPort!.postMessage('stood aside'))
