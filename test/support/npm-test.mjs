// `npm test`: Chromium present, the type check and the linter, the build, then Vitest with the
// arguments given. The type check and the linter need nothing the tests need, so they run
// beside the build and the tests, at a lower priority: they take the CPU the tests leave
// while waiting on servers, PostgreSQL and the browser, and so cannot slow the tests much.
// Their output is printed after the tests'; any step failing fails the run.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../..')
const started = Date.now()
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`

/** Runs `node <script> …args` (or the executable `script` itself when `native`); with `quiet`, keeps its output to print later instead of showing it. */
function run(script, args, { quiet = false, nice = 0, native = false } = {}) {
  const [command, commandArgs] = native ? [path.join(ROOT, script), args] : [process.execPath, [path.join(ROOT, script), ...args]]
  const child = spawn(command, commandArgs, { cwd: ROOT, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' })
  if (nice) {
    try {
      os.setPriority(child.pid, nice)
    } catch {
      // Not allowed to lower it: it competes as an equal.
    }
  }
  let output = ''
  if (quiet) {
    child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk))
  }
  const done = new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: 1, output: `${script} could not be started: ${error.message}`, at: seconds() }))
    child.once('exit', (code) => resolve({ code: code ?? 1, output, at: seconds() }))
  })
  /** Back to the normal priority, once nothing is left to yield to (only root may raise it). */
  done.unNice = () => {
    try {
      if (child.exitCode === null) os.setPriority(child.pid, 0)
    } catch {
      // stays lowered
    }
  }
  return done
}

const ensured = await run('test/support/ensure-chromium.mjs', [])
if (ensured.code !== 0) process.exit(ensured.code)

// The type check by TypeScript 7 (`typescript-7`, the released native compiler; decisions 0761
// and 0772): the same tsconfig, in about a fifth of TypeScript 5's CPU. Its binary for this
// platform is run directly (at nice 10 from its start; one thread, as it runs beside the tests).
// Where no binary exists for the platform, TypeScript 5's `tsc` checks instead (typescript-eslint
// keeps TypeScript 5 for its parser).
const tsc7 = `node_modules/@typescript/typescript-${process.platform}-${process.arch}/lib/tsc`
const typeCheck = fs.existsSync(path.join(ROOT, tsc7))
  ? ['tsc 7 --noEmit', run(tsc7, ['--noEmit', '--singleThreaded'], { quiet: true, nice: 10, native: true })]
  : ['tsc 5 --noEmit', run('node_modules/typescript/bin/tsc', ['--noEmit'], { quiet: true, nice: 10 })]
const checks = [
  typeCheck,
  ['eslint .', run('node_modules/eslint/bin/eslint.js', ['.'], { quiet: true, nice: 10 })],
]

let status = 0
const built = await run('node_modules/@remix-run/dev/dist/cli.js', ['build'])
console.log(`npm test: remix build ended (exit ${built.code}) at ${built.at}`)
if (built.code !== 0) status = built.code
else {
  const tested = await run('node_modules/vitest/vitest.mjs', ['run', ...process.argv.slice(2)])
  console.log(`npm test: vitest ended (exit ${tested.code}) at ${tested.at}`)
  status = tested.code
}
for (const [, check] of checks) check.unNice()
for (const [name, check] of checks) {
  const result = await check
  if (result.output.trim()) console.log(result.output.trimEnd())
  console.log(`npm test: ${name} ${result.code === 0 ? 'passed' : `FAILED (exit ${result.code})`}, ended at ${result.at}`)
  if (result.code !== 0 && status === 0) status = result.code
}
process.exit(status)
