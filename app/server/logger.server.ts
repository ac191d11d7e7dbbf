// Structured logs: one JSON object per line on stderr, at the level LOG_LEVEL sets, each
// written while a request is served carrying its request id (the X-Request-Id the response
// names, and the error page shows), so one request's lines can be found together.
// Never log personal data (phone numbers, ID numbers, names, passwords, query strings):
// pass ids, not records.
import { AsyncLocalStorage } from 'node:async_hooks'

type Level = 'debug' | 'info' | 'warn' | 'error'
const KEY = Symbol.for('wanqi.logger')
interface Shared {
  threshold: Level
  serving: AsyncLocalStorage<{ requestId: string }>
}
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/**
 * Shared by every copy of this module in the process: the server's own code and the Remix
 * build each bundle one, and both must log at the level set and see the request's id.
 */
const shared = ((globalThis as { [KEY]?: Shared })[KEY] ??= { threshold: 'info', serving: new AsyncLocalStorage<{ requestId: string }>() })

export function setLogLevel(level: Level) {
  shared.threshold = level
}

/** Runs `work` (a request's handling) with its id on every line it logs. */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return shared.serving.run({ requestId }, work)
}

function write(level: Level, message: string, fields: Record<string, unknown> = {}) {
  if (ORDER[level] < ORDER[shared.threshold]) return
  const requestId = shared.serving.getStore()?.requestId
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, message, ...(requestId ? { requestId } : {}) }
  for (const [key, value] of Object.entries(fields)) {
    entry[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value
  }
  process.stderr.write(JSON.stringify(entry) + '\n')
}

export const logger = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
}
