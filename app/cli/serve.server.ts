// `npm start`: migrate, seed the demo county into an empty database, serve.
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { openDatabase, SERVING_CONNECTION } from '../../db/connection.server'
import { countPendingMigrations, migrateToLatest } from '../../db/migrate.server'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import type { AppConfig } from '../server/config.server'
import { lowerWholeProcess, realTimeNote } from '../server/thread-priority.server'
import { refreshStatistics, type DialectName } from '../../db/dialect.server'
import { DEMO_PASSWORD, isDatabaseEmpty, seedDatabase } from '../../db/seed/index'
import { SETUP_LINK_HOURS, issueSetupLink } from '../services/setup.server'

/** The demo's head office code (db/seed/index.ts). */
const DEMO_HEAD_OFFICE_CODE = 'HQ'
import { loadConfig } from '../server/config.server'
import { startLoopWatch } from '../http/loop-watch.server'
import { logger, setLogLevel } from '../server/logger.server'
import { createHttpApp } from '../http/http-app.server'
import { createPersonalDataCipher } from '../services/personal-data.server'
import { startImportRunner } from '../services/import/import-runner.server'
import { startMapCellsRefresher } from '../services/map-cells.server'
import { startDemoLoanSystem } from '../services/demo-loan-system.server'
import { startOutboxWorker } from '../services/outbox.server'
import { startRefreshersInThread } from '../services/background-thread.server'
import type { BackgroundLoop } from '../services/background-loop.server'
import { startClockReconciler } from '../services/clocks/open-clocks.server'

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

async function main() {
  const config = loadConfig(process.env, rootDir)
  setLogLevel(config.logLevel)
  startLoopWatch()
  // The log's checkpoints run in the background thread (startRefreshersInThread), not after a
  // request's commit; and a statement waiting for the write lock waits between turns, never
  // asleep in SQLite's busy handler with the thread (0711).
  const { db, dialect, location } = openDatabase(config.databaseUrl, SERVING_CONNECTION)
  if (config.serveOnly) return serveOnlyPart({ db, dialect, location, config })
  await migrateToLatest(db)

  let seeded = false
  if (process.env.WANQI_SEED !== 'none' && (await isDatabaseEmpty(db))) {
    console.log('Empty database: seeding the demo county (one time)…')
    await seedDatabase(db, { scale: 'county', seed: 1, pii: createPersonalDataCipher(config.dataKey), log: (m) => console.log('  ' + m) })
    seeded = true
  }
  await refreshStatistics(db, 'stale')
  // What the banner says: how to set the bank up (an empty database), the demo's sign-ins
  // (only where the demo is), or nothing more.
  const setupToken = await issueSetupLink(db)
  const demo = seeded || (setupToken === null && (await isDemoDatabase(db)))

  // Imports run in the background of the server that serves the pages.
  const importRunner = startImportRunner(db, createPersonalDataCipher(config.dataKey), { uploadDir: config.uploadDir, gate: config.importGate })
  if (config.importGate) logger.warn('WANQI_TEST_IMPORT_GATE is set: every import commit waits between batches for a test', { gate: config.importGate })
  // And so does the rebuild of the map's pre-counted cells, whenever players changed.
  const mapCells = startMapCellsRefresher(db)
  // And the players' hand-off flags, when their facts, the catalogue or the day change, and
  // the figures' sums: in a thread of their own, off the thread that answers requests,
  // started once the server listens (the thread's start-up compiles its modules).
  let refreshers: BackgroundLoop | null = null
  // And the catch-all that opens channel clocks a path left unopened.
  const clocks = startClockReconciler(db)

  // Referrals go to the loan system; without one configured, to the stand-in (the demo).
  const loanSim = config.loanSystemUrl || process.env.LOAN_SIM === 'none' ? null : await startDemoLoanSystem(db, config)
  const loanSystemUrl = config.loanSystemUrl ?? loanSim?.url ?? null
  const outbox = loanSystemUrl ? startOutboxWorker(db, { url: loanSystemUrl, secret: config.loanSystemSecret }) : null

  // Read on this (the serving) thread: a server started real-time says so (decision 0941).
  const priority = realTimeNote()
  await serveApp(db, dialect, config, {
    onListening: (url, closing) => {
      if (!closing) refreshers = startRefreshersInThread(db, { logLevel: config.logLevel })
      console.log(`
Wanqi is running at ${url}
Database: ${dialect} (${location})${seeded ? ', demo county seeded' : ''}
Loan system: ${loanSim ? `the stand-in at ${loanSim.url} (a stage every ${config.loanSimStepMs / 1000} s)` : (loanSystemUrl ?? 'none configured: referrals wait in the outbox')}${priority ? `\n${priority}` : ''}
${setupToken ? setupBanner(url, setupToken) : demo ? DEMO_BANNER : `\nSign in at ${url}/login\n`}`)
    },
    stopWork: () => Promise.all([importRunner.stop(), mapCells.stop(), refreshers?.stop(), clocks.stop(), outbox?.stop(), loanSim?.stop()]),
  })
}

/**
 * Answers requests with the Remix build `npm run build` wrote, on `config.port`; calls
 * `onListening` once the port is open (`closing` if a signal came first).
 * On SIGTERM or SIGINT: stop taking connections; let the requests in flight finish (each
 * keep-alive connection closed once its answer is sent), then the background work's pass
 * under way (`stopWork`: the outbox's delivery, an import's batch), then the database; exit 1
 * if that takes over 10 s.
 */
async function serveApp(
  db: Kysely<Database>,
  dialect: DialectName,
  config: AppConfig,
  { onListening, stopWork = async () => {} }: { onListening: (url: string, closing: boolean) => void; stopWork?: () => Promise<unknown> },
): Promise<void> {
  const build = (await import(pathToFileURL(path.join(rootDir, 'build/index.js')).href)) as ServerBuild
  let closing = false
  const app = createHttpApp({ build, db, dialect, config, rootDir, closing: () => closing })
  const server = app.listen(config.port, () => onListening(`http://localhost:${config.port}`, closing))
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    logger.info('shutting down', { signal })
    server.closeIdleConnections()
    server.close(() => void stopWork().then(() => db.destroy()).then(() => process.exit(0)))
    setTimeout(() => process.exit(1), 10_000).unref()
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

/**
 * SERVE_ONLY=loan-qr (decision 0891): the loan QR code's public page in a process of its own,
 * on a database the officers' server has set up. It migrates nothing, seeds nothing and runs
 * no background work (the officers' server drains what its tries leave: figures, flags,
 * clocks); all its threads run below the officers' server's, so on a busy machine the
 * officers' pages get a core first.
 */
async function serveOnlyPart({ db, dialect, location, config }: { db: Kysely<Database>; dialect: DialectName; location: string; config: AppConfig }) {
  const pending = await countPendingMigrations(db)
  if (pending > 0) {
    logger.error('the database is not set up for this version: start the officers\' server first (it migrates), then this one', { pending, serveOnly: config.serveOnly })
    process.exit(1)
  }
  lowerWholeProcess()
  await serveApp(db, dialect, config, {
    onListening: (url) =>
      console.log(`
Wanqi is running at ${url}: the loan QR page only (${url}/q/<code>; SERVE_ONLY=${config.serveOnly})
Database: ${dialect} (${location})
Send /q/ here from the reverse proxy, everything else to the officers' server.
`),
  })
}

const DEMO_BANNER = `
Sign in with any of these (password: ${DEMO_PASSWORD}):
  admin     system administrator
  hq        headquarters analyst
  manager   manager of outlet 1 (more: manager2 … manager5)
  officer   officer of outlet 1 (more: officer2 … officer40; 8 per outlet)
`

function setupBanner(url: string, token: string): string {
  return `
The database is empty: set the bank up first (nothing else works until then).
  In a browser, this one-time link (usable once, for ${SETUP_LINK_HOURS} hours):
    ${url}/setup?token=${token}
  Or on this machine:
    npm run setup -- --bank-name NAME --bank-code CODE --admin-username USERNAME
Either creates the head office and the first administrator, with a one-time password.
`
}

/** The demo county is there: its head office and its demo administrator. */
async function isDemoDatabase(db: Awaited<ReturnType<typeof openDatabase>>['db']): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select('users.id')
    .where('users.username', '=', 'admin')
    .where('org_units.code', '=', DEMO_HEAD_OFFICE_CODE)
    .executeTakeFirst()
  return row !== undefined
}

main().catch((error: unknown) => {
  logger.error('start-up failed', { error })
  process.exit(1)
})
