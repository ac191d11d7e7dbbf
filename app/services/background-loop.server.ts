// Work an app server repeats in the background (rebuilding map cells, delivering the
// outbox): one pass now, then another `intervalMs` after each pass ends, never two at once;
// a failed pass is logged and the loop goes on. `stop` waits for a pass under way.
import { markWork } from '../http/loop-watch.server'
import { logger } from '../server/logger.server'

/** SQLite's "database is locked", from this thread's connection or relayed by another thread's message. */
function lockedOut(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) || (error instanceof Error && error.message.includes('database is locked'))
}

export interface BackgroundLoop {
  stop(): Promise<void>
}

/**
 * Thrown by a pass that `stopping()` cut short (the server shutting down): not a failure, so
 * the loop logs it at info; the next server's pass takes the work up.
 */
export class PassStopped extends Error {
  constructor() {
    super('stopped with the server')
    this.name = 'PassStopped'
  }
}

/** `pass` may ask `stopping()` to end a long pass early when the server shuts down. */
export function startBackgroundLoop(name: string, intervalMs: number, pass: (stopping: () => boolean) => Promise<void>): BackgroundLoop {
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  const tick = () => {
    const done = markWork(name)
    running = pass(() => stopped)
      .catch((error: unknown) => {
        if (error instanceof PassStopped) logger.info(`${name} cut short: stopped with the server`)
        // SQLite's write lock held longer than a background connection waits (another
        // process stuck with it): nothing of this pass is wrong, the next one tries again (0581).
        else if (lockedOut(error)) logger.warn(`${name} waited too long for the database; the next pass tries again`, { error: String(error) })
        else logger.error(`${name} failed`, { error })
      })
      .finally(() => {
        done()
        running = null
        if (!stopped) timer = setTimeout(tick, intervalMs)
      })
  }
  timer = setTimeout(tick, 0)
  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
