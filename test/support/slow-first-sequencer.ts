// The order Vitest starts test files in: the slowest first, so that the run does not end
// with one long file on one worker while the other has nothing left. Vitest does this by
// itself from its cache of the last run's durations (node_modules/.vite), which a fresh
// clone, as in CI, does not have: it then starts the largest files first, and the browser
// files, small but slow, came last. So the slowest files, as measured on a quiet 2-core
// machine (docs/decisions/0201-ci-under-five-minutes.md), are named here and go first; the
// rest follow in Vitest's own order. A file missing from the list only starts later.
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/** Seconds a file took on a quiet 2-core machine, by `project:path` (the ten slowest of a fresh-clone run, 2026-12-03 21:59). */
const SECONDS: Record<string, number> = {
  'e2e:test/e2e/registry.test.ts': 138,
  'integration-sqlite:test/integration/crash.test.ts': 104,
  'e2e:test/e2e/sign-in.test.ts': 77,
  'e2e:test/e2e/hand-off.test.ts': 65,
  'e2e:test/e2e/territories.test.ts': 51,
  'e2e:test/e2e/going-live.test.ts': 37,
  'e2e:test/e2e/look-and-feel.test.ts': 36,
  'integration-postgres:test/integration/access-matrix.test.ts': 30,
  'integration-sqlite:test/integration/figures.test.ts': 28,
  'e2e:test/e2e/dashboard.test.ts': 27,
  'integration-postgres:test/integration/figures.test.ts': 23,
  'e2e:test/e2e/several-servers.test.ts': 23,
  'integration-sqlite:test/integration/access-matrix.test.ts': 19,
  'integration-postgres:test/integration/backup.test.ts': 17,
  'integration-sqlite:test/integration/figure-rollups.test.ts': 15,
  'integration-postgres:test/integration/figure-rollups.test.ts': 15,
  'integration-sqlite:test/integration/backup.test.ts': 12,
}

/**
 * The order of the projects that share the threads pool. Not isolated, that pool runs one
 * project after another, in the order its first file comes in this sort (decision 0611). The
 * PostgreSQL files first, while the browser files keep the cores busy beside them: their
 * threads wait on the database server. The SQLite and unit files last: their work is on the
 * threads themselves, so the run ends with both cores busy (decision 0761). The forks pool's
 * projects (browser, memory) are ordered apart from these: a pool only sees its own files.
 */
const PROJECT_ORDER: Record<string, number> = { 'integration-postgres': 0, 'integration-sqlite': 1, unit: 2 }

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files)
    const root = this.ctx.config.root
    const seconds = (file: TestSpecification) => SECONDS[`${file.project.name}:${file.moduleId.slice(root.length + 1)}`] ?? 0
    const rank = (file: TestSpecification) => PROJECT_ORDER[file.project.name] ?? 0
    // A stable sort: files not listed keep Vitest's order, after the listed ones of their project.
    return base
      .map((file, index) => ({ file, index, r: rank(file), s: seconds(file) }))
      .sort((a, b) => a.r - b.r || b.s - a.s || a.index - b.index)
      .map((x) => x.file)
  }
}
