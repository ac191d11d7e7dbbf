// Worker thread: reads and parses an import's file once and hands its batches of cells to
// the preparing threads in turn (batch k to port k mod n), each as its credit allows, so
// memory stays flat. A file error goes to the port whose turn it is, so the rows before it
// arrive first wherever they were prepared (prepareInWorkers).
import os from 'node:os'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { readBatches, type PrepareOptions, type PreparerMessage, type ReaderMessage } from './prepare-rows.server'
import { serialiseError } from './thread-errors.server'

// Reading holds no lock: the thread answering requests comes first (0171).
try {
  os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL)
} catch {
  // Not allowed here: read at the usual priority.
}

const { options, ports } = workerData as { options: PrepareOptions; ports: MessagePort[] }
const credit = ports.map(() => 0)
const wake: ((() => void) | null)[] = ports.map(() => null)
ports.forEach((port, i) => {
  port.on('message', (message: PreparerMessage) => {
    credit[i] += message.credit
    wake[i]?.()
    wake[i] = null
  })
})
const send = (i: number, message: ReaderMessage) => ports[i].postMessage(message)

async function run() {
  let turn = 0
  let read = 0
  try {
    for await (const rows of readBatches(options)) {
      while (credit[turn] === 0) await new Promise<void>((resolve) => (wake[turn] = resolve))
      credit[turn]--
      send(turn, { rows })
      read += rows.length
      turn = (turn + 1) % ports.length
    }
    ports.forEach((_, i) => send(i, { done: true }))
  } catch (error) {
    // At its place in the file: the batch it cut short is the one whose turn it is.
    ports.forEach((_, i) => send(i, i === turn ? { error: serialiseError(error) } : { done: true }))
  }
  parentPort!.postMessage({ read })
  // Sent messages are queued at the other end already: the thread may end.
  ports.forEach((port) => port.unref())
}

void run()
