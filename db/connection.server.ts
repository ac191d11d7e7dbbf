// The connection factory: SQLite by default, PostgreSQL when the URL says so.
import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { setTimeout as sleep } from 'node:timers/promises'
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type QueryResult, type SqliteDatabase, type SqliteDialectConfig, type TransactionSettings } from 'kysely'
import pg from 'pg'
import { logger } from '../app/server/logger.server'
import type { Database } from './schema'
import type { DialectName } from './dialect.server'
import { lockTraceOn, statementLabel, traceLine, traceNow, TracedHold, TRACE_HOLD_MS, TRACE_TURN_WAIT_MS, round } from './lock-trace.server'

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

export interface OpenOptions {
  /**
   * SQLite: after each commit, leave the write lock free this long before the next
   * statement, longer than the other connections' naps (BUSY_NAP_MS), so that a background
   * connection committing batch after batch lets the server's writes in between.
   */
  gapAfterCommitMs?: number
  /** PostgreSQL: connections in the pool (DATABASE_POOL_SIZE, else 10); a background thread needs few. */
  poolSize?: number
  /**
   * SQLite: a background connection (an import's writer, the refreshers', the map's rebuild)
   * that gives way to the process's other writes (decision 0581). After each commit, while a
   * statement of another connection of this process waits for the write lock (lockWaiters),
   * it waits for it to have had its turn before the next statement (at most YIELD_MAX_MS,
   * decision 0251); before each statement outside a transaction, and while it waits for the
   * lock itself, it stands aside the same way, so a waiting request never competes with it
   * for the lock; and it waits for the lock as long as it takes (BACKGROUND_WAIT_MS) instead
   * of failing with "database is locked" after BUSY_WAIT_MS.
   */
  yieldAfterCommit?: boolean
  /**
   * SQLite: never copy the log back into the database file after a commit (wal_autocheckpoint
   * off); another connection does it (the server's background thread, checkpointLog). For
   * the server's own connection: a commit past 1,000 pages of log checkpoints all of it,
   * synchronously, and during a big import's commit that was a visit's commit copying
   * hundreds of megabytes with every request waiting.
   */
  checkpointElsewhere?: boolean
  /**
   * SQLite: never wait for the write lock in SQLite's busy handler, which sleeps the thread
   * (BUSY_NAP_MS a statement): a statement that finds the lock taken fails at once and is
   * tried again after a nap between turns (PacedConnection). For the server's own
   * connection: during a big import's commit a visit waits for the writer's lock for tens or
   * hundreds of milliseconds, and two thirds of that wait was the serving thread asleep in
   * the busy handler, every request behind it (decision 0711).
   */
  lockWaitsBetweenTurns?: boolean
}

/**
 * The connection of the thread that answers requests (app/cli/serve.server.ts): the log's
 * checkpoints left to the background thread, and every wait for the write lock made between
 * turns, never asleep in SQLite's busy handler with the thread (0431, 0711).
 */
export const SERVING_CONNECTION: OpenOptions = { checkpointElsewhere: true, lockWaitsBetweenTurns: true }

/**
 * How many statements of this process, on any thread, are waiting for SQLite's write lock
 * now: shared memory, so a background thread that commits batch after batch sees the server's
 * waiting visit at once instead of betting that it wakes inside a gap (0144, 0171). A thread
 * of this process shares the parent's with shareLockWaiters(lockWaitersBuffer()), before it
 * opens a database. lockWaiters[WAITING] counts the statements of connections that do not
 * give way (the server's: requests), which the background ones stand aside for;
 * lockWaiters[BACKGROUND] those of background connections, which nobody waits for (0581).
 */
let lockWaiters = new Int32Array(new SharedArrayBuffer(32))
const WAITING = 0
/** lockWaiters[YIELDING]: connections parked after a commit for the waiters to have their turn. */
const YIELDING = 1
const BACKGROUND = 2
/** lockWaiters[WAITED_ON]: how many waits for the lock began so far (the lock trace: was a hold waited for). */
const WAITED_ON = 3

/** The counter's memory, for a thread this process starts (pass it in workerData). */
export function lockWaitersBuffer(): SharedArrayBuffer {
  return lockWaiters.buffer as SharedArrayBuffer
}

/** In a thread: count with the process's counter (from lockWaitersBuffer in the parent). */
export function shareLockWaiters(buffer: SharedArrayBuffer | undefined) {
  if (buffer) lockWaiters = new Int32Array(buffer)
}

/**
 * Statements waiting for the write lock now (`waiting`: of connections that do not give way,
 * the server's; `background`: of background connections), and connections standing aside for
 * the first (tests, and the import's writer).
 */
export function lockQueue(): { waiting: number; yielding: number; background: number } {
  return { waiting: Atomics.load(lockWaiters, WAITING), yielding: Atomics.load(lockWaiters, YIELDING), background: Atomics.load(lockWaiters, BACKGROUND) }
}

/**
 * Resolves once a statement of a connection that does not give way (a request's) waits for
 * the write lock, or after `timeoutMs`: for a background connection that holds a transaction
 * open while it waits for something else (the import's writer waiting for its next batch),
 * to end it when someone needs the lock rather than when its own work comes (0581).
 */
export async function lockWanted(timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs
  for (;;) {
    const left = until - performance.now()
    if (Atomics.load(lockWaiters, WAITING) > 0 || left <= 0) return
    await waitWhile(WAITING, 0, left)
  }
}

/**
 * Whether a background connection's write transaction begun at `since` (performance.now())
 * should commit now rather than go on with its next slice of work: a request waits for the
 * write lock, or `budgetMs` are up. The one rule for every background writer on SQLite (the
 * import's writer, 0741; the figures' drain, 0791): a waiting request waits for at most the
 * slice under way and the commit.
 */
export function transactionDue(since: number, budgetMs: number): boolean {
  return Atomics.load(lockWaiters, WAITING) > 0 || performance.now() - since >= budgetMs
}

/** `file:PATH`, a plain path, `:memory:`, or `postgres://…` / `postgresql://…`. */
export function openDatabase(url: string, options: OpenOptions = {}): DatabaseHandle {
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Counts and sums are bigint; ids and money fit in a JS number.
    pg.types.setTypeParser(20, (v) => Number(v))
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? Number(process.env.DATABASE_POOL_SIZE ?? 10) })
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
  // Short: SQLite's busy handler sleeps synchronously, and on the server's thread the whole
  // event loop would sleep with it; none at all on the server's connection. Longer waits are
  // made between turns (PacedConnection).
  sqlite.pragma(`busy_timeout = ${options.lockWaitsBetweenTurns ? 0 : BUSY_NAP_MS}`)
  sqlite.pragma('synchronous = NORMAL')
  // 64 MB of page cache (the default is 2 MB): large imports and lists stay in memory.
  sqlite.pragma('cache_size = -65536')
  if (options.checkpointElsewhere) sqlite.pragma('wal_autocheckpoint = 0')
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: keepingStatements(sqlite) }, sqlite, { gapMs: options.gapAfterCommitMs ?? 0, yieldAfterCommit: options.yieldAfterCommit ?? false }) })
  sqliteHandles.set(db, sqlite)
  if (file !== ':memory:') urls.set(db, url)
  return { db, dialect: 'sqlite', location: file, sqlite }
}

/**
 * Copies what the log holds back into the database file, as far as no reader still needs
 * it, without waiting for any lock (PASSIVE): for a background connection, in place of the
 * commits of a connection opened with `checkpointElsewhere`. False when it could not now.
 */
export function checkpointLog(sqlite: SQLite.Database): boolean {
  // Not inside the connection's own transaction (the refreshers share it): SQLITE_LOCKED.
  if (sqlite.inTransaction) return false
  try {
    const started = lockTraceOn ? traceNow() : 0
    sqlite.pragma('wal_checkpoint(PASSIVE)')
    if (lockTraceOn && traceNow() - started >= TRACE_HOLD_MS) traceLine('checkpoint', { start: started, end: traceNow(), heldMs: round(traceNow() - started) })
    return true
  } catch (error) {
    const code = (error as { code?: unknown }).code
    // A statement of this connection still reading: the next turn does it.
    if (code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY') return false
    throw error
  }
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
  readonly #sqlite: SQLite.Database
  readonly #pacing: Pacing
  constructor(config: SqliteDialectConfig, sqlite: SQLite.Database, pacing: Pacing) {
    super(config)
    this.#config = config
    this.#sqlite = sqlite
    this.#pacing = pacing
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config, this.#sqlite, this.#pacing)
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #sqlite: SQLite.Database
  readonly #pacing: Pacing
  readonly #turns = new ConnectionTurns()
  #paced: PacedConnection | null = null
  constructor(config: SqliteDialectConfig, sqlite: SQLite.Database, pacing: Pacing) {
    super(config)
    this.#sqlite = sqlite
    this.#pacing = pacing
  }
  /**
   * The one connection, one caller (a statement, or a transaction from its begin to its end) at
   * a time, in the order they asked: Kysely's own lock, except that a statement waiting for
   * the write lock outside a transaction lends the connection to the others between its
   * tries (PacedConnection). Kysely's lock is taken once, for the connection, and kept.
   */
  override async acquireConnection(): Promise<DatabaseConnection> {
    // The event loop's turn before the connection's, never while holding it: a statement that
    // gave the loop its turn after taking the connection held every other caller's statements
    // behind all the loop ran meanwhile (the lock trace, decision 0791).
    await giveTurn(TURN_MS)
    await this.#turns.take()
    this.#paced ??= new PacedConnection(await super.acquireConnection(), this.#sqlite, this.#pacing, this.#turns)
    return this.#paced
  }
  override async releaseConnection(): Promise<void> {
    this.#turns.give()
  }
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    // A snapshot that never writes (`setAccessMode('read only')`) need not hold others up.
    await connection.executeQuery(CompiledQuery.raw(settings?.accessMode === 'read only' ? 'begin' : 'begin immediate'))
  }
}

/** Whose turn it is on a connection: taken and given back in the order asked. */
class ConnectionTurns {
  #held = false
  readonly #queue: (() => void)[] = []
  /** The turn under way, when the lock trace is on (db/lock-trace.server.ts). */
  #traced: TracedHold | null = null
  async take(): Promise<void> {
    if (!this.#held) {
      this.#held = true
      if (lockTraceOn) this.#traced = new TracedHold('turn')
      return
    }
    const asked = lockTraceOn ? traceNow() : 0
    // Handed over by give(), still held.
    await new Promise<void>((resolve) => this.#queue.push(resolve))
    if (lockTraceOn) {
      const waitedMs = traceNow() - asked
      if (waitedMs >= TRACE_TURN_WAIT_MS) traceLine('turn-wait', { start: asked, end: asked + waitedMs, waitedMs: round(waitedMs) })
      this.#traced = new TracedHold('turn')
    }
  }
  give(): void {
    if (this.#traced) {
      this.#traced.end('turn-hold', this.#queue.length > 0)
      this.#traced = null
    }
    const next = this.#queue.shift()
    if (next) next()
    else this.#held = false
  }
  /** A statement run in the turn under way (the lock trace). */
  note(sql: string): void {
    this.#traced?.note(sql)
  }
}

/** SQLite's own wait for the write lock, per attempt (its busy_timeout). */
export const BUSY_NAP_MS = 10
/** How long a statement waits for the write lock in all: longer than the 5 s busy_timeout before, the thread being free meanwhile. */
const BUSY_WAIT_MS = 20_000
/**
 * The same for a background connection (yieldAfterCommit): it stands aside for every waiting
 * request, so under a busy server it may wait long, and its work is not lost by waiting;
 * only a lock held this long (another process stuck) ends its pass with an error (0581).
 */
const BACKGROUND_WAIT_MS = 600_000
/** The longest run of statements before the event loop gets a turn. */
const TURN_MS = 10
/** The same inside a transaction, which holds the connection and the lock through the turn (0791). */
const TRANSACTION_TURN_MS = 50
/** The longest a yielding connection waits after a commit for others to have their turn: a waiter that never ends (a thread killed while it waited) costs at most this per commit. */
const YIELD_MAX_MS = 2_000

interface Pacing {
  gapMs: number
  yieldAfterCommit: boolean
}

let lastTurn = performance.now()
let turnMarked = false

/**
 * better-sqlite3 answers synchronously, so a chain of awaited queries (a background drain of
 * thousands of players, a long transaction) ran as one unbroken stretch of microtasks, and
 * no request was answered until it ended. Here every statement first checks how long the
 * event loop has gone without a turn and, past TURN_MS, lets it have one. A statement that
 * finds the write lock taken outside a transaction (a `begin immediate`, a lone write) is
 * tried again after a nap between turns instead of in SQLite's synchronous busy handler.
 * Both only move when the thread gives way; the statements and their order are unchanged.
 */
class PacedConnection implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly sqlite: SQLite.Database,
    private readonly pacing: Pacing,
    private readonly turns: ConnectionTurns,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Inside a transaction the loop gets a turn only after a long stretch: the transaction
    // holds the connection (and the write lock) meanwhile, and whatever ran in the turn made
    // every waiting statement wait longer; a short one (a batch of loan QR tries, a visit)
    // runs through (0791). A lone statement had its turn before it took the connection.
    if (this.sqlite.inTransaction) await giveTurn(TRANSACTION_TURN_MS)
    const background = this.pacing.yieldAfterCommit
    // A background connection about to take the lock (or read) while a request waits for
    // it: the request first, or it would compete with it for the lock (0581). Inside its own
    // transaction it holds the lock already, and standing aside would keep the request out.
    if (background && !this.sqlite.inTransaction) await othersHadTheirTurn()
    const started = performance.now()
    const counter = background ? BACKGROUND : WAITING
    let waiting = false
    if (lockTraceOn) this.turns.note(query.sql)
    try {
      for (;;) {
        try {
          const lone = lockTraceOn && !this.sqlite.inTransaction && WRITE.test(query.sql) ? this.traceHoldStart() : null
          const result = await this.inner.executeQuery<R>(query)
          if (lockTraceOn) this.traceHold(query.sql, lone)
          if (query.sql === 'commit') {
            if (this.pacing.gapMs > 0) await sleep(this.pacing.gapMs)
            if (background) await othersHadTheirTurn()
          }
          return result
        } catch (error) {
          if (lockTraceOn && /^(commit|rollback)$/i.test(query.sql) && !this.sqlite.inTransaction) this.traceHold(query.sql, null)
          const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY'
          if (!busy || this.sqlite.inTransaction || performance.now() - started > (background ? BACKGROUND_WAIT_MS : BUSY_WAIT_MS)) throw error
          if (!waiting) {
            waiting = true
            Atomics.add(lockWaiters, counter, 1)
            if (lockTraceOn) Atomics.add(lockWaiters, WAITED_ON, 1)
            // A writer holding its transaction open while it waits for its work hears it (lockWanted).
            Atomics.notify(lockWaiters, counter)
          }
          // Outside a transaction (a `begin immediate`, a lone write) the connection holds
          // nothing meanwhile: the others' statements run between the tries, a page's reads
          // no longer queued behind a visit waiting for the import's writer (0741).
          this.turns.give()
          try {
            // Tried again only when no request waits: the lock, once free, is the request's.
            if (background) await othersHadTheirTurn()
            await sleep(BUSY_NAP_MS / 2)
          } finally {
            await this.turns.take()
          }
        }
      }
    } finally {
      // Got the lock (or gave up): a yielding connection parked for it may go on.
      if (waiting && Atomics.sub(lockWaiters, counter, 1) === 1) Atomics.notify(lockWaiters, counter)
      if (waiting && lockTraceOn) {
        const waitedMs = performance.now() - started
        const end = traceNow()
        traceLine('wait', { start: end - waitedMs, end, waitedMs: round(waitedMs), statement: statementLabel(query.sql), background })
      }
    }
  }

  /** The write transaction under way and the waits counted when it began (the lock trace). */
  #hold: { traced: TracedHold; waitsBefore: number } | null = null

  private traceHoldStart() {
    return { traced: new TracedHold(this.pacing.yieldAfterCommit ? 'background' : 'serving'), waitsBefore: Atomics.load(lockWaiters, WAITED_ON) }
  }

  /** After a statement ran: begins, notes or ends the traced hold of the write lock. */
  private traceHold(sql: string, lone: { traced: TracedHold; waitsBefore: number } | null) {
    if (lone) {
      lone.traced.note(sql)
      lone.traced.end('hold', Atomics.load(lockWaiters, WAITED_ON) !== lone.waitsBefore)
      return
    }
    if (sql === 'begin immediate') {
      this.#hold = this.traceHoldStart()
      return
    }
    if (!this.#hold) return
    this.#hold.traced.note(sql)
    if (!this.sqlite.inTransaction) {
      this.#hold.traced.end('hold', Atomics.load(lockWaiters, WAITED_ON) !== this.#hold.waitsBefore)
      this.#hold = null
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize)
  }
}

/** A statement that writes (the lock trace's lone writes). */
const WRITE = /^\s*(insert|update|delete|replace|create|drop|alter)\b/i

/** Node 20 has it; TypeScript's lib names it from es2024 on. */
interface AtomicsWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: false; value: string } | { async: true; value: Promise<string> }
}

/** Longer than any wait here: the keep-alive below is cleared when the wait ends, never fires. */
const KEEP_ALIVE_MS = 2 ** 30

/**
 * Waits (without holding the thread) until lockWaiters[index] is told it changed from
 * `value`, or `ms`. A pending Atomics.waitAsync does not keep a thread alive: the map's
 * rebuild thread, which listens for nothing, ended mid-rebuild while it stood aside
 * ("exited (code 0) without an answer"). A timer keeps the thread alive until the wait
 * ends, not for `ms`: V8 times the wait out with a timer the thread does not count
 * (unref'd), armed only at the event loop's next turn, so a keep-alive of the same `ms`
 * ran out first whenever that turn came late (a busy thread, a loaded machine), and the
 * thread, with nothing left it counted, ended with the wait pending.
 */
async function waitWhile(index: number, value: number, ms: number) {
  const wait = (Atomics as unknown as AtomicsWaitAsync).waitAsync(lockWaiters, index, value, ms)
  if (!wait.async) return
  const keep = setInterval(() => {}, KEEP_ALIVE_MS)
  try {
    await wait.value
  } finally {
    clearInterval(keep)
  }
}

/**
 * Waits (without holding the thread) until no statement of this process's requests waits
 * for the write lock, or `maxMs` (YIELD_MAX_MS). Exported for the test of a thread that
 * stands aside until the wait times out (test/unit/lock-wait-thread.test.ts).
 */
export async function othersHadTheirTurn(maxMs = YIELD_MAX_MS) {
  if (Atomics.load(lockWaiters, WAITING) <= 0) return
  const until = performance.now() + maxMs
  Atomics.add(lockWaiters, YIELDING, 1)
  try {
    for (;;) {
      const waiters = Atomics.load(lockWaiters, WAITING)
      const left = until - performance.now()
      if (waiters <= 0 || left <= 0) return
      await waitWhile(WAITING, waiters, left)
    }
  } finally {
    Atomics.sub(lockWaiters, YIELDING, 1)
  }
}

async function giveTurn(afterMs: number) {
  if (!turnMarked) {
    // No statement ran since the last turn: this run starts now.
    turnMarked = true
    lastTurn = performance.now()
    setImmediate(() => {
      turnMarked = false
      lastTurn = performance.now()
    })
    return
  }
  if (performance.now() - lastTurn > afterMs) await new Promise((resolve) => setImmediate(resolve))
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
