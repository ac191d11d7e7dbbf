// Worker thread: prepares an import's rows (see prepare-rows.server.ts) and sends them to
// the main thread in batches, as credit allows. It reads the file itself, or takes batches
// of cells from a reader thread's port (prepareInWorkers).
import os from 'node:os'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { prepareInline, rowPreparer, type PreparedRow, type PrepareOptions, type PreparerMessage, type ReaderMessage } from './prepare-rows.server'
import { reviveError, serialiseError } from './thread-errors.server'

// Reading and deriving rows is the commit's heaviest work and holds no lock: on a busy
// machine the thread that answers requests comes first (0171). On Linux a nice value is
// the calling thread's own, so only this thread yields.
try {
  os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL)
} catch {
  // Not allowed here: the rows are prepared at the usual priority.
}

const port = parentPort!
const { options, input } = workerData as { options: PrepareOptions; input?: MessagePort }
let credit = 0
let wake: (() => void) | null = null
port.on('message', (message: { credit: number }) => {
  credit += message.credit
  wake?.()
  wake = null
})

/** The reader's batches of cells, prepared; the reader is told each time one is taken. */
async function* fromReader(reader: MessagePort): AsyncGenerator<PreparedRow[]> {
  const prepare = rowPreparer(options)
  const queue: ReaderMessage[] = []
  let arrived: (() => void) | null = null
  reader.on('message', (message: ReaderMessage) => {
    queue.push(message)
    arrived?.()
    arrived = null
  })
  // One batch being prepared, one waiting: the reader reads ahead that far.
  reader.postMessage({ credit: 2 } satisfies PreparerMessage)
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (arrived = resolve))
      const message = queue.shift()!
      if ('done' in message) return
      if ('error' in message) throw reviveError(message.error, 'import reader thread')
      reader.postMessage({ credit: 1 } satisfies PreparerMessage)
      yield message.rows.map(({ row, cells }) => prepare(row, cells))
    }
  } finally {
    reader.close()
  }
}

async function run() {
  for await (const batch of input ? fromReader(input) : prepareInline(options)) {
    while (credit === 0) await new Promise<void>((resolve) => (wake = resolve))
    credit--
    port.postMessage({ batch })
  }
  port.postMessage({ done: true })
}

run().catch((error: unknown) => port.postMessage({ error: serialiseError(error) }))
