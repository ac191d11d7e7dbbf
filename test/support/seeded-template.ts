// Vitest globalSetup of the browser tests: the demo county (20,000 players) is seeded once
// per run into a SQLite file that each browser test file's server starts on a copy of,
// instead of every file seeding its own (half a minute to a minute each). The seed runs in
// a child process while the other projects' files run; startAppProcess waits for the file.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the seeded county will be: the file appears once the seed is whole. */
    seededCounty: { file: string; log: string }
  }
}

const ROOT = path.resolve(import.meta.dirname, '../..')

export default function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-county-'))
  const file = path.join(dir, 'county.sqlite')
  const log = path.join(dir, 'seed.log')
  const out = fs.openSync(log, 'w')
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/seed-county.ts', file], {
    cwd: ROOT,
    // NODE_ENV=test: the demo users' passwords hashed cheaply (seed-county.ts).
    env: { ...process.env, NODE_ENV: 'test' },
    stdio: ['ignore', out, out],
  })
  let removed = false
  child.once('exit', (code, signal) => {
    fs.closeSync(out)
    // A run that ends before the seed does (one quick file) kills it and removes the folder.
    if (code !== 0 && !removed) fs.appendFileSync(log, `\nthe seed ended with code ${code}, signal ${signal}\n`)
  })
  project.provide('seededCounty', { file, log })
  return () => {
    removed = true
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
