// The command-line tools (`npm run import`, `npm run db:backup` …) as the integration tests
// run them: a process of their own, its stdout, stderr and exit code as a shell sees them
// (a failed run rejects with them, as execFile does).
//
// `npm run` starts a tool with tsx, which compiles every module in Node's loader hooks as it
// loads it: about a second of CPU before the tool does anything, 31 runs a dialect. So each
// tool's one run marked `tsx` starts as `npm run` does (on the SQLite project; the loader's
// work does not depend on the dialect), and every other run starts the same sources bundled
// once per run (test/support/server-bundle.ts), as plain JavaScript (decision 0701).
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from './test-constants'

/** Each tool's source and its name in the run's bundle (scripts/bundle-server.mjs, CLI_ENTRIES). */
const TOOLS = {
  'app/cli/import.server.ts': 'import.server',
  'app/cli/import-history.server.ts': 'import-history.server',
  'app/cli/import-hr.server.ts': 'import-hr.server',
  'app/cli/divisions.server.ts': 'divisions.server',
  'app/cli/photo-thumbnails.server.ts': 'photo-thumbnails.server',
  'app/cli/setup.server.ts': 'setup.server',
  'db/cli/backup.ts': 'backup',
  'db/cli/restore.ts': 'restore',
} as const

export type CliTool = keyof typeof TOOLS

export interface CliOptions {
  env: NodeJS.ProcessEnv
  maxBuffer?: number
  /** The tool's run under tsx, as `npm run` starts it (on the SQLite project). */
  tsx?: boolean
}

export async function runCli(tool: CliTool, args: string[], options: CliOptions): Promise<{ stdout: string; stderr: string }> {
  const run = promisify(execFile)
  const settings = { cwd: ROOT, env: options.env, ...(options.maxBuffer ? { maxBuffer: options.maxBuffer } : {}) }
  const bundle = await bundleDir()
  if (bundle === undefined || (options.tsx && process.env.WANQI_TEST_DIALECT !== 'postgres')) {
    return run(path.join(ROOT, 'node_modules/.bin/tsx'), [tool, ...args], settings)
  }
  // Source maps on, as tsx has them: a stack the tool prints names the source.
  return run(process.execPath, ['--enable-source-maps', path.join(bundle, `${TOOLS[tool]}.mjs`), ...args], settings)
}

/** The folder of the run's bundle, when the project made one. */
async function bundleDir(): Promise<string | undefined> {
  if (!process.env.VITEST) return undefined
  const { inject } = await import('vitest')
  const serve = inject('serverBundle')
  return serve ? path.dirname(serve) : undefined
}
