// Backups and restores of the whole database: `npm run db:backup` / `npm run db:restore`.
// They work on the files and tools of each engine (better-sqlite3 on the SQLite file,
// pg_dump/pg_restore on PostgreSQL), not through the app's portable queries.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import { Worker } from 'node:worker_threads'
import SQLite from 'better-sqlite3'
import { DEFAULT_MIGRATION_TABLE } from 'kysely'
import pg from 'pg'
import { databaseUrlOf, type DatabaseHandle } from './connection.server'
import { migrations } from './migrations/index'

/** A backup or restore that cannot go ahead, with a message for the person running it. */
export class BackupError extends Error {
  override name = 'BackupError'
}

export interface BackupProgress {
  /** Written to the backup so far. */
  bytes: number
  /** About how big it will be; null when unknown in advance (pg_dump compresses). */
  expectedBytes: number | null
}

export interface BackupSummary {
  file: string
  bytes: number
  location: string
}

export interface RestoreSummary {
  location: string
  bytes: number
  /** Migrations the backup had applied; `pendingMigrations` more run at the next start or db:migrate. */
  migrations: number
  pendingMigrations: number
  /** Where the database that was replaced now is (SQLite), so nothing is lost by a wrong restore. */
  replaced: string | null
}

const PROGRESS_EVERY_MS = 1000
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')
const PG_DUMP_HEADER = Buffer.from('PGDMP', 'latin1')

/**
 * Writes a consistent copy of the database to `file` while others keep writing. The copy
 * is made under a temporary name, checked, and only then renamed to `file`, so `file` is
 * never a half-written backup. `onProgress` is called about once a second while it runs.
 */
export async function backupDatabase(handle: DatabaseHandle, file: string, onProgress?: (progress: BackupProgress) => void): Promise<BackupSummary> {
  const target = path.resolve(file)
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const temp = `${target}.partial-${process.pid}`
  fs.rmSync(temp, { force: true })
  try {
    if (handle.sqlite) await backupSqlite(handle.sqlite, target, temp, onProgress)
    else await backupPostgres(postgresUrlOf(handle), temp, onProgress)
    // Personal data is encrypted in the database, but the rest is still the bank's.
    fs.chmodSync(temp, 0o600)
    fs.renameSync(temp, target)
  } finally {
    fs.rmSync(temp, { force: true })
  }
  return { file: target, bytes: fs.statSync(target).size, location: handle.location }
}

/**
 * Replaces the database at `url` with the backup in `file`, after checking that it is a
 * sound backup of this application made by this version or an older one. The server must
 * be stopped: a database still in use is refused. `onStep` hears what is being done.
 */
export async function restoreDatabase(
  url: string,
  file: string,
  options: { onStep?: (message: string) => void; knownMigrations?: readonly string[] } = {},
): Promise<RestoreSummary> {
  const source = path.resolve(file)
  const known = options.knownMigrations ?? Object.keys(migrations)
  const step = options.onStep ?? (() => {})
  if (!fs.existsSync(source) || !fs.statSync(source).isFile()) throw new BackupError(`${source}: no such backup file`)
  if (/^postgres(ql)?:\/\//.test(url)) return restorePostgres(url, source, known, step)
  const target = url.startsWith('file:') ? url.slice('file:'.length) : url
  if (target === ':memory:' || target === '') throw new BackupError('DATABASE_URL is an in-memory database: there is nothing to restore into')
  return restoreSqlite(path.resolve(target), source, known, step)
}

// --- SQLite ---------------------------------------------------------------------------

/**
 * `VACUUM INTO` rather than the online backup API (better-sqlite3's `db.backup()`): the
 * backup API copies a few pages per step and starts over whenever another connection
 * writes between steps, so against a server committing every second or so a large
 * database may never finish. `VACUUM INTO` reads everything inside one read transaction:
 * in WAL mode that snapshot is consistent and writers go on meanwhile (the WAL grows
 * until it ends). It runs in a thread with its own connection so that the caller's
 * connection, and this thread's timer reporting progress, keep going.
 */
async function backupSqlite(sqlite: SQLite.Database, target: string, temp: string, onProgress?: (progress: BackupProgress) => void) {
  if (sqlite.memory) {
    sqlite.prepare('vacuum into ?').run(temp)
  } else {
    const databaseFile = path.resolve(sqlite.name)
    if (databaseFile === target) throw new BackupError(`the backup file ${target} is the database itself: choose another name`)
    const pageSize = sqlite.pragma('page_size', { simple: true }) as number
    const pages = (sqlite.pragma('page_count', { simple: true }) as number) - (sqlite.pragma('freelist_count', { simple: true }) as number)
    await watchingSize(temp, pages * pageSize, onProgress, () => vacuumInThread(databaseFile, temp))
  }
  const problems = integrityProblems(temp)
  if (problems.length > 0) throw new BackupError(`the copy failed its integrity check: ${problems.join('; ')}`)
}

// Plain JavaScript, so the thread needs no TypeScript loader.
const VACUUM_THREAD = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
let db
try {
  db = new Database(workerData.source, { fileMustExist: true, timeout: 5000 })
  db.prepare('vacuum into ?').run(workerData.target)
  parentPort.postMessage({ ok: true })
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message ? error.message : error) })
} finally {
  if (db) db.close()
}
`

function vacuumInThread(source: string, target: string): Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  return new Promise((resolve, reject) => {
    const worker = new Worker(VACUUM_THREAD, { eval: true, workerData: { driver, source, target }, execArgv: [] })
    let answered = false
    worker.once('message', (message: { ok?: true; error?: string }) => {
      answered = true
      if (message.ok) resolve()
      else reject(new BackupError(`copying ${source} failed: ${message.error}`))
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the backup thread exited (code ${code}) without an answer`))
    })
  })
}

/** The rows of `PRAGMA integrity_check` other than 'ok' (the first ten), or why it could not run. */
function integrityProblems(file: string): string[] {
  let db: SQLite.Database | undefined
  try {
    db = new SQLite(file, { fileMustExist: true })
    const rows = db.pragma('integrity_check(10)') as { integrity_check: string }[]
    return rows.map((r) => r.integrity_check).filter((r) => r !== 'ok')
  } catch (error) {
    return [(error as Error).message]
  } finally {
    db?.close()
  }
}

async function restoreSqlite(target: string, source: string, known: readonly string[], step: (message: string) => void): Promise<RestoreSummary> {
  const header = readStart(source, SQLITE_HEADER.length)
  if (!header.equals(SQLITE_HEADER)) {
    const hint = header.subarray(0, PG_DUMP_HEADER.length).equals(PG_DUMP_HEADER) ? ' (it is a PostgreSQL backup: set DATABASE_URL to the PostgreSQL database)' : ''
    throw new BackupError(`${source} is not a SQLite database${hint}: nothing was changed`)
  }
  refuseIfInUse(target)
  // Checked as a copy beside the target: the backup file itself is never opened for
  // writing, and the final step is a rename within one file system.
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const temp = `${target}.restoring-${process.pid}`
  fs.rmSync(temp, { force: true })
  try {
    step(`copying ${source}`)
    fs.copyFileSync(source, temp)
    step('checking integrity')
    const problems = integrityProblems(temp)
    if (problems.length > 0) throw new BackupError(`${source} fails its integrity check (${problems.join('; ')}): nothing was changed`)
    const applied = sqliteMigrations(temp, source)
    const pendingMigrations = checkMigrations(applied, known, source)
    refuseIfInUse(target)
    let replaced: string | null = null
    if (fs.existsSync(target)) {
      replaced = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
      fs.renameSync(target, replaced)
    }
    // A WAL left beside the old file belongs to it; read against the restored one it would
    // corrupt it. A clean close (refuseIfInUse's) removes them, a crash may not have.
    for (const suffix of ['-wal', '-shm']) {
      if (!fs.existsSync(target + suffix)) continue
      if (replaced) fs.renameSync(target + suffix, replaced + suffix)
      else fs.rmSync(target + suffix)
    }
    fs.renameSync(temp, target)
    return { location: target, bytes: fs.statSync(target).size, migrations: applied.length, pendingMigrations, replaced }
  } finally {
    fs.rmSync(temp, { force: true })
  }
}

/**
 * Refuses while another connection has the database open. In WAL mode every open
 * connection holds a shared lock on the file, so an exclusive lock taken without waiting
 * fails exactly when the server (or anything else) still has it open, even idle. (A
 * connection in rollback-journal mode holds no lock while idle; the app always uses WAL.)
 */
function refuseIfInUse(target: string) {
  if (!fs.existsSync(target)) return
  let db: SQLite.Database | undefined
  try {
    db = new SQLite(target, { fileMustExist: true, timeout: 0 })
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('begin exclusive')
    db.exec('rollback')
  } catch (error) {
    const code = (error as { code?: string }).code ?? ''
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new BackupError(`${target} is in use (the server or another process has it open): stop the server, then restore. Nothing was changed`)
    }
    // Any other failure means a damaged database, which is what a restore replaces.
  } finally {
    db?.close()
  }
}

function sqliteMigrations(file: string, source: string): string[] {
  const db = new SQLite(file, { fileMustExist: true })
  try {
    const table = db.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(DEFAULT_MIGRATION_TABLE)
    if (!table) throw new BackupError(`${source} is a SQLite database but not a Wanqi one: it has no ${DEFAULT_MIGRATION_TABLE} table. Nothing was changed`)
    return db.prepare(`select name from ${DEFAULT_MIGRATION_TABLE} order by name`).pluck().all() as string[]
  } finally {
    db.close()
  }
}

// --- PostgreSQL -----------------------------------------------------------------------

/** pg_dump takes its snapshot in one repeatable-read transaction: consistent while the server writes. */
async function backupPostgres(url: string, temp: string, onProgress?: (progress: BackupProgress) => void) {
  const pgDump = postgresTool('pg_dump')
  const connection = withoutPassword(url)
  await watchingSize(temp, null, onProgress, () => runTool(pgDump, ['--format=custom', '--file', temp, connection.url], connection.env))
  // Reading the archive's table of contents back catches a truncated or unreadable file.
  await runTool(postgresTool('pg_restore'), ['--list', temp], {}).catch((error: Error) => {
    throw new BackupError(`pg_dump wrote an archive that pg_restore cannot read: ${error.message}`)
  })
}

async function restorePostgres(url: string, source: string, known: readonly string[], step: (message: string) => void): Promise<RestoreSummary> {
  const header = readStart(source, SQLITE_HEADER.length)
  if (!header.subarray(0, PG_DUMP_HEADER.length).equals(PG_DUMP_HEADER)) {
    const hint = header.equals(SQLITE_HEADER) ? ' (it is a SQLite backup: set DATABASE_URL to the SQLite file)' : ''
    throw new BackupError(`${source} is not a pg_dump custom-format archive (npm run db:backup makes one)${hint}: nothing was changed`)
  }
  const pgRestore = postgresTool('pg_restore')
  step(`reading ${source}`)
  await runTool(pgRestore, ['--list', source], {}).catch((error: Error) => {
    throw new BackupError(`${source} is not a readable pg_dump archive (${error.message}): nothing was changed`)
  })
  const applied = await postgresMigrations(pgRestore, source)
  const pendingMigrations = checkMigrations(applied, known, source)
  await refuseIfConnected(url)
  step('restoring')
  const connection = withoutPassword(url)
  // One transaction: a restore that fails half-way leaves the database as it was.
  await runTool(pgRestore, ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--exit-on-error', '--dbname', connection.url, source], connection.env).catch(
    (error: Error) => {
      throw new BackupError(`pg_restore failed, nothing was changed: ${error.message}`)
    },
  )
  return { location: redact(url), bytes: fs.statSync(source).size, migrations: applied.length, pendingMigrations, replaced: null }
}

/** The migration names in the archive's data, read as the COPY block pg_restore would run. */
async function postgresMigrations(pgRestore: string, source: string): Promise<string[]> {
  const { stdout } = await runTool(pgRestore, ['--data-only', `--table=${DEFAULT_MIGRATION_TABLE}`, '--file=-', source], {})
  const lines = stdout.split('\n')
  const start = lines.findIndex((l) => new RegExp(`^COPY (\\S+\\.)?"?${DEFAULT_MIGRATION_TABLE}"? `).test(l))
  if (start < 0) throw new BackupError(`${source} is a pg_dump archive but not of a Wanqi database: it has no ${DEFAULT_MIGRATION_TABLE} data. Nothing was changed`)
  const names: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break
    names.push(line.split('\t')[0]!)
  }
  return names.sort()
}

/** Another session on the database means the server is running: pg_restore would pull the tables from under it. */
async function refuseIfConnected(url: string) {
  const client = new pg.Client({ connectionString: url })
  try {
    await client.connect()
  } catch (error) {
    throw new BackupError(`cannot connect to ${redact(url)} (${(error as Error).message}): create the database first (createdb), then restore`)
  }
  try {
    // A session that has just disconnected stays listed until its backend exits: ask a few times.
    let others = 0
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250))
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      )
      others = rows[0]!.n
      if (others === 0) break
    }
    if (others > 0) {
      throw new BackupError(`${redact(url)} is in use (${others} other session${others === 1 ? '' : 's'} connected): stop the server and close other sessions, then restore. Nothing was changed`)
    }
  } finally {
    await client.end()
  }
}

/**
 * pg_dump or pg_restore: under PG_BINDIR if set, else Debian's newest
 * /usr/lib/postgresql/N/bin (pg_dump must be at least the server's version), else PATH.
 */
export function postgresTool(name: 'pg_dump' | 'pg_restore'): string {
  const debian = '/usr/lib/postgresql'
  const versions = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => path.join(debian, v, 'bin'))
    : []
  const dirs = [process.env.PG_BINDIR, ...versions, ...(process.env.PATH ?? '').split(path.delimiter)].filter((d): d is string => !!d)
  for (const dir of dirs) {
    const candidate = path.join(dir, name)
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  throw new BackupError(
    `${name} not found (looked in PG_BINDIR, /usr/lib/postgresql/*/bin and PATH): install the PostgreSQL client tools ` +
      `of the server's version or newer (Debian: apt-get install postgresql-client), or set PG_BINDIR to the folder that has ${name}`,
  )
}

function runTool(tool: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(tool, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stderr?: string; code?: unknown; message: string }) => {
    const said = (error.stderr ?? '').trim() || error.message
    throw new BackupError(`${path.basename(tool)} exited with ${String(error.code)}: ${said}`)
  })
}

/** The URL without its password (which would show in `ps`), and the password as PGPASSWORD. */
function withoutPassword(url: string): { url: string; env: Record<string, string> } {
  const u = new URL(url)
  if (!u.password) return { url, env: {} }
  const password = decodeURIComponent(u.password)
  u.password = ''
  return { url: u.toString(), env: { PGPASSWORD: password } }
}

function redact(url: string): string {
  const u = new URL(url)
  if (u.password) u.password = '***'
  return u.toString()
}

function postgresUrlOf(handle: DatabaseHandle): string {
  const url = databaseUrlOf(handle.db)
  if (!url) throw new Error(`no URL known for ${handle.location}: open it with openDatabase`)
  return url
}

// --- Both -----------------------------------------------------------------------------

/** Refuses a backup with migrations this code does not have; returns how many it lacks. */
function checkMigrations(applied: string[], known: readonly string[], source: string): number {
  const newer = applied.filter((name) => !known.includes(name))
  if (newer.length > 0) {
    throw new BackupError(
      `${source} comes from a newer version of Wanqi: its migrations ${newer.join(', ')} are not in this code ` +
        `(which ends at ${known[known.length - 1] ?? 'none'}). Upgrade the code, then restore. Nothing was changed`,
    )
  }
  return known.filter((name) => !applied.includes(name)).length
}

function readStart(file: string, length: number): Buffer {
  const fd = fs.openSync(file, 'r')
  try {
    const buffer = Buffer.alloc(length)
    const read = fs.readSync(fd, buffer, 0, length, 0)
    return buffer.subarray(0, read)
  } finally {
    fs.closeSync(fd)
  }
}

/** Runs `work`, telling `onProgress` every second how big `file` has grown. */
async function watchingSize<T>(file: string, expectedBytes: number | null, onProgress: ((progress: BackupProgress) => void) | undefined, work: () => Promise<T>): Promise<T> {
  const timer = onProgress
    ? setInterval(() => {
        const bytes = fs.existsSync(file) ? fs.statSync(file).size : 0
        onProgress({ bytes, expectedBytes })
      }, PROGRESS_EVERY_MS)
    : undefined
  try {
    return await work()
  } finally {
    clearInterval(timer)
  }
}

/** 12.3 MB, for the command lines' messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`
}
