// A Vitest reporter that writes, per test file, where its time went (collecting = importing
// the file and what it imports; setup files; tests and hooks), to the JSON file
// WANQI_FILE_TIMES names: `vitest run --reporter=default --reporter=./test/support/file-times-reporter.ts`.
// The default JSON reporter has per-test durations but not the import cost, which was a
// sixth of the suite's time (docs/decisions/0201-ci-under-five-minutes.md). Each file's start and
// end, in seconds since Vitest began, say which files ran side by side: beside a CPU sampler they
// show what ran while a core sat idle (docs/decisions/0811-ci-run-shape-measured.md).
import fs from 'node:fs'
import path from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'

interface FileTime {
  file: string
  collect: number
  setup: number
  prepare: number
  tests: number
  /** Seconds since Vitest began: the file handed to a worker, and its end. */
  start: number
  end: number
}

export default class FileTimesReporter implements Reporter {
  private readonly times: FileTime[] = []
  private readonly began = Date.now()
  private readonly queued = new Map<string, number>()

  private since() {
    return Math.round(Date.now() - this.began) / 1000
  }

  private key(module: TestModule) {
    return `${module.project.name}:${path.relative(process.cwd(), module.moduleId)}`
  }

  onTestModuleQueued(module: TestModule) {
    this.queued.set(this.key(module), this.since())
  }

  onTestModuleEnd(module: TestModule) {
    const d = module.diagnostic()
    const s = (ms: number) => Math.round(ms) / 1000
    const file = this.key(module)
    this.times.push({
      file,
      collect: s(d.collectDuration),
      setup: s(d.setupDuration),
      prepare: s(d.prepareDuration),
      tests: s(d.duration),
      start: this.queued.get(file) ?? -1,
      end: this.since(),
    })
  }

  onTestRunEnd() {
    const out = process.env.WANQI_FILE_TIMES
    if (!out) return
    this.times.sort((a, b) => b.collect + b.tests - (a.collect + a.tests))
    fs.writeFileSync(out, JSON.stringify(this.times, null, 1))
    const sum = (key: 'collect' | 'tests') => this.times.reduce((n, t) => n + t[key], 0).toFixed(0)
    console.log(`file times: ${this.times.length} files, collecting ${sum('collect')} s, tests ${sum('tests')} s (summed over workers); the slowest:`)
    for (const t of this.times.slice(0, 10)) console.log(`  ${(t.collect + t.tests).toFixed(1).padStart(6)} s  ${t.file} (collecting ${t.collect.toFixed(1)} s)`)
  }
}
