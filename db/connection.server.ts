// The connection factory: SQLite by default, PostgreSQL when the URL says so.
import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type SqliteDatabase, type SqliteDialectConfig, type TransactionSettings } from 'kysely'
import pg from 'pg'
import { logger } from '../app/server/logger.server'
import type { Database } from './schema'
import type { DialectName } from './dialect.server'

const sqliteHandles = new WeakMap<Kysely<any>, SQLite.Database>()
const urls = new WeakMap<Kysely<any>, string>()

/** The URL a Kysely instance made by openDatabase was opened with, for another thread to
 * open its own connection to the same database; undefined for an in-memory SQLite one. */
export function databaseUrlOf(db: Kysely<any>): string | undefined {
  return urls.get(db)
}

/** The better-sqlite3 connection behind a Kysely instance made by openDatabase, if SQLite. */
export function sqliteHandleOf(db: Kysely<any>): SQLite.Database | undefined {
  return sqliteHandles.get(db)
}

export interface DatabaseHandle {
  db: Kysely<Database>
  dialect: DialectName
  /** Where it is, for messages: a file path or the PostgreSQL URL without its password. */
  location: string
  /** The SQLite connection itself, for backups and pragmas; null on PostgreSQL. */
  sqlite: SQLite.Database | null
}

/** `file:PATH`, a plain path, `:memory:`, or `postgres://…` / `postgresql://…`. */
export function openDatabase(url: string): DatabaseHandle {
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Counts and sums are bigint; ids and money fit in a JS number.
    pg.types.setTypeParser(20, (v) => Number(v))
    const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) })
    // An idle connection the server closed (a restart, a failover, a dropped database) is
    // replaced at the next query; unheard, its error would end the process.
    pool.on('error', (error) => logger.warn('idle database connection closed', { error: error.message }))
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    urls.set(db, url)
    return { db, dialect: 'postgres', location: redactUrl(url), sqlite: null }
  }
  const file = url.startsWith('file:') ? url.slice('file:'.length) : url
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  // 64 MB of page cache (the default is 2 MB): large imports and lists stay in memory.
  sqlite.pragma('cache_size = -65536')
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: keepingStatements(sqlite) }) })
  sqliteHandles.set(db, sqlite)
  if (file !== ':memory:') urls.set(db, url)
  return { db, dialect: 'sqlite', location: file, sqlite }
}

/**
 * SQLite with every transaction begun IMMEDIATE: it takes the write lock at its start,
 * waiting for it (busy_timeout) if another connection holds it. Kysely begins DEFERRED,
 * which reads first and asks for the lock at its first write; if another connection (the
 * map's rebuild, an import's workers, each a connection of its own) committed in between,
 * SQLite cannot wait for the lock, the transaction's snapshot being stale, and fails at
 * once with "database is locked". The soak found visits refused that way. A transaction
 * marked read only still begins DEFERRED: it never asks for the lock.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config)
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    // A snapshot that never writes (`setAccessMode('read only')`) need not hold others up.
    await connection.executeQuery(CompiledQuery.raw(settings?.accessMode === 'read only' ? 'begin' : 'begin immediate'))
  }
}

/**
 * The connection as Kysely sees it, its statements kept once prepared (the most recently used
 * few hundred): a page runs the same few dozen queries every time, and preparing them again
 * cost more than running some. A kept statement still iterating a streamed read is busy; the
 * same query meanwhile gets one of its own.
 */
function keepingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const kept = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = kept.get(text)
      if (statement) kept.delete(text)
      else statement = sqlite.prepare(text)
      // Most recently used last: the first is the one to let go.
      kept.set(text, statement)
      if (kept.size > KEPT_STATEMENTS) kept.delete(kept.keys().next().value!)
      return statement.busy ? sqlite.prepare(text) : statement
    },
  }
}

const KEPT_STATEMENTS = 500

function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'postgres'
  }
}
