// Structured logs: one JSON object per line on stderr, at the level LOG_LEVEL sets, each
// written while a request is served carrying its request id (the X-Request-Id the response
// names, and the error page shows), so one request's lines can be found together.
// Never log personal data (phone numbers, ID numbers, names, passwords, query strings):
// pass ids, not records.
import { AsyncLocalStorage } from 'node:async_hooks'

type Level = 'debug' | 'info' | 'warn' | 'error'
const KEY = Symbol.for('wanqi.logger')
/** A request being served: its id, and whether an error line was written for it yet. */
export interface RequestLog {
  requestId: string
  errorLogged?: boolean
}
interface Shared {
  threshold: Level
  serving: AsyncLocalStorage<RequestLog>
}
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/**
 * Shared by every copy of this module in the process: the server's own code and the Remix
 * build each bundle one, and both must log at the level set and see the request's id.
 */
const shared = ((globalThis as { [KEY]?: Shared })[KEY] ??= { threshold: 'info', serving: new AsyncLocalStorage<RequestLog>() })

export function setLogLevel(level: Level) {
  shared.threshold = level
}

/**
 * Runs `work` (a request's handling) with its id on every line it logs; `log.errorLogged`
 * turns true once one of them is an error (every 5xx answer must have one: http-app.server.ts).
 */
export function withRequestId<T>(log: RequestLog, work: () => T): T {
  return shared.serving.run(log, work)
}

/** The request being served here, if any. */
export function currentRequestLog(): RequestLog | undefined {
  return shared.serving.getStore()
}

function write(level: Level, message: string, fields: Record<string, unknown> = {}) {
  if (ORDER[level] < ORDER[shared.threshold]) return
  const serving = shared.serving.getStore()
  if (serving && level === 'error') serving.errorLogged = true
  const requestId = serving?.requestId
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
