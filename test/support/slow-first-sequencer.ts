// The order Vitest starts test files in: the slowest first, so that the run does not end
// with one long file on one worker while the other has nothing left. Vitest does this by
// itself from its cache of the last run's durations (node_modules/.vite), which a fresh
// clone, as in CI, does not have: it then starts the largest files first, and the browser
// files, small but slow, came last. So the slowest files are named here and go first
// (docs/decisions/0201-ci-under-five-minutes.md, 0811); the rest follow in Vitest's own order.
// A file missing from the list only starts later.
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * Seconds each file took in a whole run with the durations cache warm (so the slowest ran
 * first), 2026-12-05, on the shared 2-core machine at load ~30: about twice a quiet run's, but
 * only their order within a project matters. Every file of 12 s or more there is listed: one
 * missing from the list starts after the listed ones, by size, and the fresh clone's run
 * ended on such files (PostgreSQL's import-real-lists-paths after all its project's other
 * files, the browser files' every-page among the last of theirs: decision 0811). Refresh the
 * list from a run's file times (`WANQI_FILE_TIMES`) when a file grows slow.
 */
const SECONDS: Record<string, number> = {
  'e2e:test/e2e/every-page.test.ts': 171,
  'e2e:test/e2e/several-servers.test.ts': 158,
  'e2e:test/e2e/visit-photos.test.ts': 155,
  'e2e:test/e2e/registry.test.ts': 148,
  'integration-postgres:test/integration/access-matrix.test.ts': 136,
  'integration-postgres:test/integration/import-real-lists-paths.test.ts': 121,
  'integration-postgres:test/integration/import.test.ts': 118,
  'e2e:test/e2e/my-route.test.ts': 115,
  'e2e:test/e2e/sign-in.test.ts': 104,
  'e2e:test/e2e/dashboard.test.ts': 100,
  'integration-postgres:test/integration/figure-rollups.test.ts': 99,
  'e2e:test/e2e/consent-offline.test.ts': 96,
  'e2e:test/e2e/hand-off.test.ts': 94,
  'integration-postgres:test/integration/figures.test.ts': 93,
  'integration-postgres:test/integration/photo-thumbnails-backfill.test.ts': 92,
  'e2e:test/e2e/day-fields.test.ts': 92,
  'integration-sqlite:test/integration/crash.test.ts': 89,
  'e2e:test/e2e/territories.test.ts': 87,
  'e2e:test/e2e/phone-layouts.test.ts': 86,
  'e2e:test/e2e/look-and-feel.test.ts': 80,
  'integration-postgres:test/integration/loan-qr.test.ts': 71,
  'integration-sqlite:test/integration/figures.test.ts': 71,
  'e2e:test/e2e/going-live.test.ts': 71,
  'integration-postgres:test/integration/going-live-setup.test.ts': 63,
  'e2e:test/e2e/visits.test.ts': 61,
  'integration-sqlite:test/integration/serving-thread.test.ts': 60,
  'integration-postgres:test/integration/map-cells.test.ts': 56,
  'integration-postgres:test/integration/divisions.test.ts': 56,
  'integration-sqlite:test/integration/access-matrix.test.ts': 54,
  'e2e:test/e2e/consent.test.ts': 45,
  'integration-postgres:test/integration/own-password.test.ts': 45,
  'memory:test/memory/read-table-memory.test.ts': 44,
  'integration-postgres:test/integration/consents.test.ts': 44,
  'e2e:test/e2e/clocks.test.ts': 43,
  'integration-postgres:test/integration/visit-photos.test.ts': 42,
  'e2e:test/e2e/loan-qr.test.ts': 41,
  'integration-postgres:test/integration/hr-import.test.ts': 41,
  'integration-postgres:test/integration/backup.test.ts': 39,
  'e2e:test/e2e/home-and-error-summaries.test.ts': 39,
  'integration-sqlite:test/integration/import.test.ts': 38,
  'e2e:test/e2e/my-list-first-screen.test.ts': 38,
  'integration-postgres:test/integration/history-import.test.ts': 37,
  'e2e:test/e2e/words-and-dates.test.ts': 36,
  'e2e:test/e2e/divisions.test.ts': 35,
  'e2e:test/e2e/my-clocks.test.ts': 34,
  'integration-sqlite:test/integration/photo-thumbnails-backfill.test.ts': 33,
  'integration-postgres:test/integration/referrals.test.ts': 32,
  'e2e:test/e2e/my-list-finish.test.ts': 30,
  'integration-postgres:test/integration/clock-ranking.test.ts': 30,
  'integration-sqlite:test/integration/figure-rollups.test.ts': 26,
  'e2e:test/e2e/history.test.ts': 26,
  'memory:test/memory/import-statements-memory.test.ts': 25,
  'integration-postgres:test/integration/import-real-lists.test.ts': 23,
  'integration-sqlite:test/integration/backup.test.ts': 23,
  'integration-sqlite:test/integration/divisions.test.ts': 22,
  'integration-sqlite:test/integration/import-real-lists-paths.test.ts': 20,
  'integration-sqlite:test/integration/security.test.ts': 20,
  'integration-postgres:test/integration/divisions-routes.test.ts': 18,
  'integration-postgres:test/integration/audit.test.ts': 18,
  'integration-sqlite:test/integration/going-live-setup.test.ts': 18,
  'integration-postgres:test/integration/registry-routes.test.ts': 18,
  'integration-sqlite:test/integration/prepare-rows.test.ts': 18,
  'integration-postgres:test/integration/seed-and-migrations.test.ts': 17,
  'e2e:test/e2e/visit-form-no-js.test.ts': 17,
  'integration-postgres:test/integration/consents-signed-offline.test.ts': 17,
  'integration-sqlite:test/integration/own-password.test.ts': 16,
  'integration-postgres:test/integration/territory-routes.test.ts': 15,
  'integration-sqlite:test/integration/map-cells.test.ts': 15,
  'integration-sqlite:test/integration/hostile-input.test.ts': 14,
  'integration-sqlite:test/integration/history-import.test.ts': 14,
  'integration-sqlite:test/integration/hr-import.test.ts': 13,
  'integration-postgres:test/integration/map-api.test.ts': 13,
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
