// The real server (app/cli/serve.server.ts: bundled once per run, test/support/server-bundle.ts,
// or run by tsx outside Vitest or without that setup) as a child process on a test
// database that already exists, so a test can kill it with SIGKILL where it stands and
// start it again on the same database, port and secrets. Nothing is seeded; the demo loan
// system is not started (point LOAN_SYSTEM_URL at a stand-in of the test's own instead).
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { ROOT, TEST_DATA_KEY } from './test-constants'

const READY = 'Wanqi is running at'
const MEMORY_PROBE = path.join(ROOT, 'test/support/memory-probe.cjs')
// A hang guard: a start takes a few seconds alone, and over a minute beside five other suites.
const START_TIMEOUT_MS = 180_000

export interface ServerProcessOptions {
  databaseUrl: string
  port: number
  /** A folder of the test's own: the uploads and the kept-secrets file go there. */
  dir: string
  env?: Record<string, string>
  /** Preload the memory probe, for `memory()`. */
  memoryProbe?: boolean
  /** Called with the process id as soon as it is started, before it says it is running. */
  onSpawn?: (pid: number) => void
  /** Node's own flags for the server (e.g. `--cpu-prof`, which NODE_OPTIONS does not take). */
  nodeArgs?: string[]
  /** Start the server at this nice value (`nice -n`; below 0 needs root), as a service manager's `Nice=` would. */
  nice?: number
  /** Start the server at this SCHED_RR priority (`chrt --rr`; needs root), as systemd's CPUSchedulingPolicy=rr would. */
  realTime?: number
}

/** The server's memory after a full collection, asked of the probe (test/support/memory-probe.cjs). */
export interface MemorySample {
  heapUsedMb: number
  rssMb: number
  /** CPU time the process has used since it started, every thread's. */
  cpuMs: number
  /** How long the main (serving) thread was at work, not idle in its event loop, since it started. */
  loopActiveMs: number
  /** How late the event loop ran since the sample before: the longest delay, and the 99th percentile. */
  loopDelayMaxMs: number
  loopDelayP99Ms: number
}

export interface ServerProcess {
  url: string
  pid: number
  /** What the server printed so far (stdout and stderr), for failure messages. */
  output(): string
  /** SIGKILL: no shutdown handler runs, no batch is finished, no answer is sent. */
  kill(): Promise<void>
  /** SIGTERM, the graceful shutdown; SIGKILL if it takes over 15 s. */
  stop(): Promise<void>
  /** SIGTERM, not waited for: resolves with how the process ended. */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Only when started with `{ memoryProbe: true }`: a full collection, then the heap and RSS. */
  memory(): Promise<MemorySample>
}

/** `count` ports free at once, all different (each held open until all are found). */
export async function freePorts(count: number): Promise<number[]> {
  const held: net.Server[] = []
  try {
    for (let i = 0; i < count; i++) {
      held.push(
        await new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
      )
    }
    return held.map((server) => (server.address() as net.AddressInfo).port)
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))))
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Starts the server and waits for its "running" line (after migrations, before any request). */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  return spawnServer({
    ...process.env,
    // Vitest sets NODE_ENV=test; the server runs the production build as deployed.
    NODE_ENV: 'production',
    PORT: String(options.port),
    DATABASE_URL: options.databaseUrl,
    WANQI_SEED: 'none',
    LOAN_SIM: 'none',
    // The same secrets on every start: sessions, encrypted personal data and signatures
    // made before a crash must still work after it.
    SESSION_SECRET: 'crash-test-session-secret',
    DATA_KEY: TEST_DATA_KEY,
    LOAN_SYSTEM_SECRET: 'crash-test-loan-secret',
    WANQI_SECRETS_FILE: path.join(options.dir, 'secrets.json'),
    UPLOAD_DIR: path.join(options.dir, 'uploads'),
    MAP_TILES: 'none',
    LOG_LEVEL: 'warn',
    ...options.env,
  }, { memoryProbe: options.memoryProbe, onSpawn: options.onSpawn, nodeArgs: options.nodeArgs, nice: options.nice, realTime: options.realTime })
}

/**
 * `app/cli/serve.server.ts` in a child process with `env` (PORT among it), once it has said
 * it is running (within `startTimeoutMs`; a demo seed takes a while). Shared by the crash
 * tests and the browser tests.
 */
export async function spawnServer(
  env: NodeJS.ProcessEnv,
  options: { startTimeoutMs?: number; memoryProbe?: boolean; onSpawn?: (pid: number) => void; nodeArgs?: string[]; nice?: number; realTime?: number } = {},
): Promise<ServerProcess> {
  const startTimeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS
  // The probe answers over an IPC channel, and needs `gc` to collect before it measures.
  const probe = options.memoryProbe ? ['--expose-gc', '--require', MEMORY_PROBE] : []
  const args = [...(options.nodeArgs ?? []), ...probe, ...(await serverEntry())]
  // `nice` runs Node in its own place (exec): the child's pid is the server's.
  const niced = options.nice === undefined ? [process.execPath, ...args] : ['nice', '-n', String(options.nice), process.execPath, ...args]
  const [command, ...commandArgs] = options.realTime === undefined ? niced : ['chrt', '--rr', String(options.realTime), ...niced]
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', ...(options.memoryProbe ? ['ipc' as const] : [])],
  })
  if (child.pid !== undefined) options.onSpawn?.(child.pid)
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const exited = ended.then(() => undefined)

  const handle: ServerProcess = {
    url: `http://127.0.0.1:${env.PORT}`,
    pid: child.pid!,
    output: () => output,
    async kill() {
      if (alive(child)) child.kill('SIGKILL')
      await exited
    },
    terminate() {
      if (alive(child)) child.kill('SIGTERM')
      return ended
    },
    memory() {
      if (!options.memoryProbe) return Promise.reject(new Error('the server was started without its memory probe'))
      return new Promise<MemorySample>((resolve, reject) => {
        const answer = (message: { memory?: MemorySample }) => {
          if (!message.memory) return
          child.off('message', answer)
          resolve(message.memory)
        }
        child.on('message', answer)
        child.send({ memory: true }, (error) => error && reject(error))
      })
    },
    async stop() {
      if (alive(child)) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
        await exited
        clearTimeout(timer)
      }
    },
  }

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not say "${READY}" within ${startTimeoutMs / 1000} s. Its output:\n${output}`)), startTimeoutMs)
      const check = () => {
        if (output.includes(READY)) {
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout!.on('data', check)
      child.once('error', (error) => {
        clearTimeout(timer)
        reject(new Error(`the server could not be started: ${error.message}`))
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`the server exited early (code ${code}, signal ${signal}). Its output:\n${output}`))
      })
    })
  } catch (error) {
    await handle.kill()
    throw error
  }
  return handle
}

/**
 * The run's bundle when the project bundled one; else Node with tsx as its loader, not the tsx
 * command: that one runs the server in a second process, which a SIGKILL to the first would
 * leave running.
 */
async function serverEntry(): Promise<string[]> {
  if (process.env.VITEST) {
    const { inject } = await import('vitest')
    const bundle = inject('serverBundle')
    // Source maps on, as `npm start` runs it: a stack in the server's output names the source.
    if (bundle) return ['--enable-source-maps', bundle]
  }
  return ['--import', 'tsx', 'app/cli/serve.server.ts']
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

/**
 * Waits, through Vitest's `vi.waitFor`, until `probe` returns something other than undefined;
 * fails after `timeoutMs` saying what it waited for. An error `probe` throws ends the wait at
 * once (a failed import is not worth waiting out).
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, options: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const { vi } = await import('vitest')
  let failure: { error: unknown } | null = null
  const timeoutMs = options.timeoutMs ?? 60_000
  const value = await vi
    .waitFor(
      async () => {
        let answer: T | undefined
        try {
          answer = await probe()
        } catch (error) {
          failure = { error }
          return undefined
        }
        if (answer === undefined) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)
        return answer
      },
      { timeout: timeoutMs, interval: options.everyMs ?? 50 },
    )
  if (failure) throw (failure as { error: unknown }).error
  return value as T
}
