// The figures' drain and the hand-off flags' refresher, on a thread of their own with their
// own database connection (0171): after a big import both recount every imported player,
// and on the server's connection each of their transactions held every request waiting for
// the database, and on SQLite the thread itself (better-sqlite3 answers synchronously).
// An in-memory database cannot be opened twice: there they run on the caller's connection.
// On SQLite the thread also checkpoints the log, which the server's connection leaves to it.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Kysely } from 'kysely'
import { databaseUrlOf, lockWaitersBuffer } from '../../db/connection.server'
import type { Database } from '../../db/schema'
import { logger } from '../server/logger.server'
import type { BackgroundLoop } from './background-loop.server'
import { startFigureRefresher } from './figure-rollups/drain.server'
import { startQualificationRefresher } from './qualification.server'

export interface RefresherOptions {
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  figuresIntervalMs?: number
  qualificationIntervalMs?: number
  /** SQLite: how often the thread checkpoints the log for the server's connection (default 2 s). */
  checkpointIntervalMs?: number
}

/** What the thread is given (background-thread.worker.ts). */
export interface RefresherThreadData extends RefresherOptions {
  url: string
  /** The process's count of statements waiting for SQLite's write lock (0251). */
  lockWaiters: SharedArrayBuffer
}

const WORKER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'background-thread.worker.mjs')
/** A thread that died is started again after this long. */
const RESTART_MS = 5_000

/** Starts the figures' and the hand-off flags' refreshers in a thread (or here, for an in-memory database). */
export function startRefreshersInThread(db: Kysely<Database>, options: RefresherOptions): BackgroundLoop {
  const url = databaseUrlOf(db)
  if (!url) {
    const loops = [startQualificationRefresher(db, { intervalMs: options.qualificationIntervalMs }), startFigureRefresher(db, { intervalMs: options.figuresIntervalMs })]
    return { stop: async () => void (await Promise.all(loops.map((l) => l.stop()))) }
  }
  let stopping = false
  let worker: Worker
  let exited: Promise<void>
  const start = () => {
    worker = new Worker(WORKER_FILE, { workerData: { ...options, url, lockWaiters: lockWaitersBuffer() } satisfies RefresherThreadData, execArgv: [] })
    worker.on('error', (error) => logger.error('background thread failed', { error }))
    exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        resolve()
        if (stopping) return
        logger.error('background thread ended; starting it again', { code })
        setTimeout(() => !stopping && start(), RESTART_MS).unref()
      }),
    )
  }
  start()
  return {
    async stop() {
      stopping = true
      // The thread finishes the pass under way, closes its connection and ends.
      worker.postMessage({ stop: true })
      await exited
    },
  }
}
