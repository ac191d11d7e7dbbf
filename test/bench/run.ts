// `npm run bench [name] [-- --duration SECONDS] [--rows N]`: runs the benchmarks in test/bench/, prints
// each one's table, and exits non-zero when one fails. Not part of `npm test`.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { describeMachine, formatTable, selectBenchmarks, type Benchmark } from './harness'

// One line per benchmark module; each exports `benchmark`.
const MODULES = [
  'http.bench.ts',
  'import.bench.ts',
  'import-serving.bench.ts',
  'registry.bench.ts',
  'map.bench.ts',
  'visits.bench.ts',
  'flags.bench.ts',
  'outbox.bench.ts',
  'clocks.bench.ts',
  'dashboard.bench.ts',
  'soak.bench.ts',
  'staff.bench.ts',
  'qr.bench.ts',
  'slow3g.bench.ts',
  'photo-send.bench.ts',
  'qr-page.bench.ts',
  'route-plan.bench.ts',
  'day-view.bench.ts',
]

const USAGE = `usage: npm run bench -- [name] [--duration SECONDS] [--rows N]
  name        run only the benchmark of that name, or if none has it those whose name contains it
              (${MODULES.map((m) => m.replace('.bench.ts', '')).join(', ')})
  --duration  seconds per measurement (default 10)
  --rows      rows for the import benchmark (default 1,000,000), e.g. 100000 for a quick check`

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>
  try {
    options = parseOptions(process.argv.slice(2))
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    return 2
  }
  if (options.help) {
    console.log(USAGE)
    return 0
  }
  const selected = selectBenchmarks(MODULES, options.name)
  if (selected.length === 0) {
    console.error(`no benchmark matches "${options.name}"\n${USAGE}`)
    return 2
  }

  // React and Remix pick their production code by NODE_ENV when first loaded, which is below.
  process.env.NODE_ENV ??= 'production'
  console.log(`Machine: ${describeMachine()}\n`)

  const failed: string[] = []
  for (const file of selected) {
    const log = (message: string) => console.error(`[${path.basename(file, '.bench.ts')}] ${message}`)
    try {
      const { benchmark } = (await import(`./${file}`)) as { benchmark: Benchmark }
      const table = await benchmark.run({ durationSeconds: options.durationSeconds, rows: options.rows, log })
      console.log(formatTable(table) + '\n')
    } catch (error) {
      console.error(`FAILED ${file}:`, error)
      failed.push(file)
    }
  }
  if (failed.length > 0) console.error(`${failed.length} of ${selected.length} benchmarks failed: ${failed.join(', ')}`)
  return failed.length > 0 ? 1 : 0
}

function parseOptions(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: { duration: { type: 'string' }, rows: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  })
  if (positionals.length > 1) throw new Error(`expected at most one name, got ${positionals.join(' ')}`)
  const durationSeconds = values.duration === undefined ? 10 : Number(values.duration)
  if (!Number.isInteger(durationSeconds) || durationSeconds < 1) {
    throw new Error(`--duration must be a whole number of seconds, at least 1, got "${values.duration}"`)
  }
  const rows = values.rows === undefined ? undefined : Number(values.rows.replace(/[_,]/g, ''))
  if (rows !== undefined && (!Number.isInteger(rows) || rows < 1000)) {
    throw new Error(`--rows must be a whole number, at least 1000, got "${values.rows}"`)
  }
  return { name: positionals[0], durationSeconds, rows, help: values.help === true }
}

// Exit explicitly: the app's render abort timers would otherwise hold the process for seconds.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
