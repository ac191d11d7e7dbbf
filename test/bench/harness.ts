// What every benchmark shares: the shape the runner expects, a table printer, the machine
// line, the built app, and an HTTP load run through autocannon in this process.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import type { EventEmitter } from 'node:events'

export interface BenchOptions {
  /** Seconds each measurement runs (warm-up not included). */
  durationSeconds: number
  /** `--rows N`: how many rows a data benchmark uses, when smaller than its own number. */
  rows?: number
  /** Progress on stderr, so stdout holds only the tables. */
  log(message: string): void
}

export interface BenchTable {
  title: string
  columns: { label: string; align: 'left' | 'right' }[]
  rows: string[][]
  notes?: string[]
}

/** A module in test/bench/ exports one of these as `benchmark`. It throws when a
 * measurement is not to be trusted (errors, unexpected statuses), and cleans up after itself. */
export interface Benchmark {
  name: string
  run(options: BenchOptions): Promise<BenchTable>
}

// Not imported from test/support: the runner sets NODE_ENV before anything loads the app.
const ROOT = path.resolve(import.meta.dirname, '../..')

/**
 * The benchmark files a name selects: the one named exactly (`import` is import.bench.ts
 * alone, not import-serving as well), else every one whose name contains it; all without one.
 */
export function selectBenchmarks(files: readonly string[], name: string | undefined): string[] {
  if (name === undefined) return [...files]
  const exact = files.filter((file) => file === `${name}.bench.ts`)
  return exact.length ? exact : files.filter((file) => file.replace(/\.bench\.ts$/, '').includes(name))
}

export function formatTable(table: BenchTable): string {
  const widths = table.columns.map((c, i) => Math.max(c.label.length, ...table.rows.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (table.columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  return [
    table.title,
    line(table.columns.map((c) => c.label)),
    line(widths.map((w) => '-'.repeat(w))),
    ...table.rows.map(line),
    ...(table.notes ?? []),
  ].join('\n')
}

export function describeMachine(): string {
  const cpus = os.cpus()
  const model = cpus[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU'
  return `${cpus.length} cores (${model}), Node ${process.version}, ${os.platform()} ${os.arch()}, NODE_ENV=${process.env.NODE_ENV ?? '(unset)'}`
}

/** Builds the app when build/index.js is missing; warns when app/ has changed since. */
export function ensureBuild(log: (message: string) => void) {
  const file = path.join(ROOT, 'build/index.js')
  if (!fs.existsSync(file)) {
    log('build/index.js is missing: running `npx remix build`')
    const result = spawnSync('npx', ['remix', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] })
    if (result.status !== 0 || !fs.existsSync(file)) {
      throw new Error('`npx remix build` failed, so there is no app to measure: run `npm run build` and fix what it reports')
    }
    return
  }
  const built = fs.statSync(file).mtimeMs
  const newer = newestFile(path.join(ROOT, 'app'))
  if (newer && newer.mtimeMs > built) {
    log(`warning: ${path.relative(ROOT, newer.file)} is newer than build/: measuring the last build, not the working tree`)
  }
}

function newestFile(dir: string): { file: string; mtimeMs: number } | null {
  let newest: { file: string; mtimeMs: number } | null = null
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    const candidate = entry.isDirectory() ? newestFile(file) : { file, mtimeMs: fs.statSync(file).mtimeMs }
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate
  }
  return newest
}

// autocannon ships no types and @types/autocannon is not a dependency: the part used here.
interface AutocannonResult {
  requests: { average: number }
  errors: number
  timeouts: number
  non2xx: number
  statusCodeStats: Record<string, { count: number }>
  warmup?: AutocannonResult
}
interface AutocannonOptions {
  url: string
  connections: number
  duration: number
  headers?: Record<string, string>
  warmup?: { connections: number; duration: number }
}
type AutocannonRun = EventEmitter & PromiseLike<AutocannonResult>
const autocannon = createRequire(import.meta.url)('autocannon') as (options: AutocannonOptions) => AutocannonRun

export interface LoadResult {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
}

/**
 * Drives one URL with autocannon after a one-second warm-up. Throws on any error, timeout
 * or non-2xx response, in the warm-up or the measurement. Latency percentiles come from the
 * per-response times autocannon reports (sub-millisecond), not its histogram, which keeps
 * whole milliseconds only and would flatten the fast routes to 0 or 1.
 */
export async function runLoad(
  url: string,
  options: { durationSeconds: number; connections: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const latencies: number[] = []
  const run = autocannon({
    url,
    connections: options.connections,
    duration: options.durationSeconds,
    headers: options.headers,
    warmup: { connections: options.connections, duration: 1 },
  })
  run.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(ms)
  })
  const result = await run
  for (const [phase, r] of [['warm-up', result.warmup], ['measurement', result]] as const) {
    if (r && (r.errors > 0 || r.timeouts > 0 || r.non2xx > 0)) {
      const statuses = Object.entries(r.statusCodeStats)
        .map(([code, { count }]) => `${code}×${count}`)
        .join(', ')
      throw new Error(
        `${url} (${phase}): ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts (statuses: ${statuses || 'none'})`,
      )
    }
  }
  if (latencies.length === 0) throw new Error(`${url}: no responses in ${options.durationSeconds} s`)
  const sorted = Float64Array.from(latencies).sort()
  return { requestsPerSecond: result.requests.average, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) }
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}
