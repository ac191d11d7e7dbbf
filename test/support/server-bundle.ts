// Vitest globalSetup of every project that starts the server as a process (the crash tests,
// the browser tests): the server side bundled once per run (scripts/bundle-server.mjs), so
// each of the run's ~30 starts loads plain JavaScript instead of tsx compiling ~300 modules
// in its loader hooks and again in the background thread (about 5 s of CPU a start → 2 s;
// decision 0411). The bundle is made from the checkout's sources at the run's start, so a
// test never starts a stale one. The command-line tools go in the same bundle, for the
// integration tests' runs of them (test/support/cli.ts, decision 0701).
import fs from 'node:fs'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { ROOT } from './test-constants'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled server entry (…/serve.server.mjs) the run's server processes start; the bundled command-line tools beside it. */
    serverBundle: string
  }
}

interface Shared {
  bundled: Promise<string>
  users: number
}

// Projects' global setups run in the one Vitest process: the first bundles, the last to end removes it.
const KEY = Symbol.for('wanqi.serverBundle')
const shared = globalThis as unknown as Record<symbol, Shared | undefined>

export default async function setup(project: TestProject) {
  let state = shared[KEY]
  if (!state) {
    // Two levels below the checkout, as serve.server.ts finds the checkout at ../.. from its
    // folder; a folder per run, so two runs in one checkout do not overwrite each other's.
    const dir = path.join(ROOT, 'build', `server-test-${process.pid}`)
    const { bundleServer } = (await import(path.join(ROOT, 'scripts/bundle-server.mjs'))) as {
      bundleServer(dir: string, options: { clis: boolean }): Promise<{ serve: string }>
    }
    state = shared[KEY] = { bundled: bundleServer(dir, { clis: true }).then((b) => b.serve), users: 0 }
  }
  state.users++
  project.provide('serverBundle', await state.bundled)
  return () => {
    const current = shared[KEY]
    if (!current || --current.users > 0) return
    shared[KEY] = undefined
    return current.bundled.then((serve) => fs.rmSync(path.dirname(serve), { recursive: true, force: true }))
  }
}
