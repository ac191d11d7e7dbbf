// Worker thread: prepares an import's rows (see prepare-rows.server.ts) and sends them to
// the main thread in batches, as credit allows.
import { parentPort, workerData } from 'node:worker_threads'
import { runInBackground } from '../../server/thread-priority.server'
import { prepareInline, type PrepareOptions } from './prepare-rows.server'
import { serialiseError } from './thread-errors.server'

// Reading and deriving rows is the commit's heaviest work and holds no lock: on a busy
// machine the thread that answers requests comes first (0171).
runInBackground('wanqi reader')

const port = parentPort!
let credit = 0
let wake: (() => void) | null = null
port.on('message', (message: { credit: number }) => {
  credit += message.credit
  wake?.()
  wake = null
})

async function run() {
  for await (const batch of prepareInline(workerData as PrepareOptions)) {
    while (credit === 0) await new Promise<void>((resolve) => (wake = resolve))
    credit--
    port.postMessage({ batch })
  }
  port.postMessage({ done: true })
}

run().catch((error: unknown) => port.postMessage({ error: serialiseError(error) }))
