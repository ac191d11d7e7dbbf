// A big commit written from a thread of its own, through its own database connection: the
// rows are prepared by two more threads (prepareRows), so the server's thread only relays
// progress and its pages stay responsive while a million rows go in. One writer, so one
// connection whose page cache stays warm; the batches land in file order, each in one
// transaction with the job's progress, exactly as a commit on the server's thread does.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { lockWaitersBuffer } from '../../../db/connection.server'
import type { BatchSetup, ImportCounts } from './import-jobs.server'
import { reviveError, type SerialisedError } from './thread-errors.server'

export interface WriterData {
  url: string
  jobId: number
  setup: BatchSetup
  fileBytes: number
  /** The job's counts so far (a resumed job's). */
  counts: ImportCounts
  /** SQLite: how long a transaction may go on over further batches while no write waits (tests; default 250 ms). */
  transactionMs?: number
  /** Tests: two Int32 slots; the writer holds its second batch (its transaction open, as while
   * a busy prepare thread is behind) and sets the second slot until the test sets the first. */
  hold?: SharedArrayBuffer
  /** The process's count of statements waiting for SQLite's write lock (set by commitInWriter). */
  lockWaiters?: SharedArrayBuffer
}

/** What the writer thread says: after each batch, and once at the end. */
export type WriterMessage = { written: ImportCounts } | { end: 'done' | 'stopped' } | { error: SerialisedError }

const WORKER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commit-rows.worker.mjs')

/**
 * Runs the commit on a writer thread. `onBatch` hears the counts after each committed
 * batch; throwing from it ends the thread there, as a crash would (the batch under way is
 * rolled back). `signal` stops it after the batch under way.
 */
export async function commitInWriter(data: WriterData, options: { onBatch(counts: ImportCounts): void; signal?: AbortSignal }): Promise<'done' | 'interrupted'> {
  const worker = new Worker(WORKER_FILE, { workerData: { ...data, lockWaiters: lockWaitersBuffer() } satisfies WriterData, execArgv: [] })
  const inbox = new Mailbox(worker)
  const stop = () => worker.postMessage({ stop: true })
  options.signal?.addEventListener('abort', stop)
  try {
    if (options.signal?.aborted) stop()
    for (;;) {
      const message = await inbox.next()
      if ('error' in message) throw reviveError(message.error, 'import writer thread')
      if ('end' in message) return message.end === 'done' ? 'done' : 'interrupted'
      options.onBatch(message.written)
    }
  } finally {
    options.signal?.removeEventListener('abort', stop)
    await worker.terminate()
  }
}

/** A worker's messages in order, with its crash or early exit as the last one. */
class Mailbox {
  private readonly queue: (WriterMessage | { failure: Error })[] = []
  private wake: (() => void) | null = null

  constructor(worker: Worker) {
    const push = (item: WriterMessage | { failure: Error }) => {
      this.queue.push(item)
      this.wake?.()
      this.wake = null
    }
    worker.on('message', (message: WriterMessage) => push(message))
    worker.on('error', (error) => push({ failure: error }))
    worker.on('exit', (code) => push({ failure: new Error(`import writer thread exited (code ${code}) before the job was done`) }))
  }

  async next(): Promise<WriterMessage> {
    while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wake = resolve))
    const item = this.queue.shift()!
    if ('failure' in item) throw item.failure
    return item
  }
}
