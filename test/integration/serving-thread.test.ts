// The server's own thread keeps answering while background work runs on the same SQLite
// connection (issue 22: "no request and no background job blocks the serving thread").
// better-sqlite3 answers synchronously, so without the paced connection (db/connection.server.ts)
// a drain of thousands of queued players ran as one stretch of microtasks and a write that
// found the lock taken slept in SQLite's busy handler with the whole event loop.
// SQLite only: PostgreSQL's driver waits on sockets and never holds the thread.
import fs from 'node:fs'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BUSY_NAP_MS, checkpointLog, lockQueue, openDatabase, SERVING_CONNECTION } from '../../db/connection.server'
import { startRefreshersInThread } from '../../app/services/background-thread.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { DRAIN_SLICE, drainFigureQueue } from '../../app/services/figure-rollups/drain.server'
import { commitImportJob, createImportJob } from '../../app/services/import/import-jobs.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { drainQualificationQueue } from '../../app/services/qualification.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { addUser, buildOrg } from '../support/fixtures'
import { writeEnterpriseList } from '../support/lists'
import { makeTempDir, type TempDir } from '../support/spreadsheets'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const PLAYERS = 3_000
let t: TestDatabase
let dir: TempDir
let org: Awaited<ReturnType<typeof buildOrg>>

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  await addUser(t.db, 'mgr.serving', 'manager', org.outletA1.id)
  dir = await makeTempDir('wanqi-serving-')
})
afterAll(async () => {
  await t.destroy()
  await dir.remove()
})

/** Runs `work` while counting the event loop's turns (setImmediate callbacks) until it ends. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0
  let done = false
  const tick = () => {
    if (done) return
    turns++
    setImmediate(tick)
  }
  setImmediate(tick)
  try {
    await work()
  } finally {
    done = true
  }
  return turns
}

/**
 * Whether a write met the writer's lock and waited for it: it either goes through at once
 * (the writer has not begun, or is between transactions) or is seen waiting; answers once
 * it is written.
 */
async function waitedForTheLock(write: Promise<unknown>): Promise<boolean> {
  let written = false
  const pending = write.then(() => (written = true))
  await vi.waitFor(
    () => {
      if (!written && lockQueue().waiting === 0) throw new Error('neither written nor waiting yet')
    },
    { timeout: 60_000, interval: 1 },
  )
  const waited = !written
  await pending
  return waited
}

async function queuedImport(count: number, first: number) {
  const file = dir.path(`list-${first}-${count}.csv`)
  const bytes = writeEnterpriseList(file, first, count)
  const jobId = await createImportJob(t.db, { ...SYSTEM_ACTOR, username: 'test' }, { source: 'tax', fileName: 'list.csv', filePath: file, fileBytes: bytes, orgUnitId: org.outletA1.id })
  await t.db.updateTable('import_jobs').set({ status: 'queued', merge_households: 1 }).where('id', '=', jobId).execute()
  return jobId
}

async function importPlayers(count: number) {
  const jobId = await queuedImport(count, 1)
  const result = await commitImportJob(t.db, pii, jobId, { writerThread: false })
  expect(result.status).toBe('done')
  expect(result.counts.inserted).toBe(count)
}

describe('the serving thread beside background work on SQLite', () => {
  it('gives the event loop turns while the figures and the hand-off flags drain an import', async () => {
    await importPlayers(PLAYERS)
    const queued = async (table: 'figures_queue' | 'qualification_queue') =>
      Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    expect(await queued('figures_queue')).toBeGreaterThanOrEqual(PLAYERS)
    // Every player queued for its hand-off flags, as a change of the rules they read would.
    await t.db.deleteFrom('qualification_queue').execute()
    await t.db.insertInto('qualification_queue').columns(['player_id']).expression(t.db.selectFrom('market_players').select('id')).execute()

    let recounted = 0
    expect(await turnsDuring(async () => (recounted = await drainFigureQueue(t.db)))).toBeGreaterThan(0)
    expect(recounted).toBeGreaterThanOrEqual(PLAYERS)
    let judged = 0
    expect(await turnsDuring(async () => (judged = await drainQualificationQueue(t.db)))).toBeGreaterThan(0)
    expect(judged).toBeGreaterThanOrEqual(PLAYERS)
    expect(await queued('figures_queue')).toBe(0)
    expect(await queued('qualification_queue')).toBe(0)
  })

  it('ends a figures drain\'s transaction after the slice under way when a request waits for the lock', async () => {
    // The refreshers' drain took 2,000 players a transaction (0741): a visit or a loan QR
    // batch that met one waited for all of it, seconds at nice 10 on a busy machine (the lock
    // trace, 0791). Now, on SQLite, it goes a slice at a time and commits after the slice
    // when a request waits, as the import's writer does. Time never ends a transaction here
    // (a minute's budget): only the waiting write does.
    const players = async () => Number((await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    if ((await players()) < 4 * DRAIN_SLICE) await importPlayers(PLAYERS)
    await sql`insert or ignore into figures_queue(player_id) select id from market_players`.execute(t.db)
    const queued = Number((await t.db.selectFrom('figures_queue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    const background = openDatabase(t.url, { yieldAfterCommit: true })
    const server = openDatabase(t.url, SERVING_CONNECTION)
    const commits: number[] = []
    let visit: Promise<unknown> | null = null
    let visitedAfter: number | null = null
    try {
      await drainFigureQueue(background.db, {
        transactionMs: 60_000,
        onSlice: async () => {
          if (visit) return
          visit = server.db
            .updateTable('org_units')
            .set({ name: '等切片的访问' })
            .where('id', '=', org.outletA1.id)
            .execute()
            .then(() => (visitedAfter = commits.length))
          await vi.waitFor(() => expect(lockQueue().waiting).toBe(1), { timeout: 10_000, interval: 1 })
        },
        onBatch: (recounted) => commits.push(recounted),
      })
      await visit
      // The first transaction ended after one slice, and the visit was written before the second ended.
      expect(commits[0]).toBe(DRAIN_SLICE)
      expect(visitedAfter).not.toBeNull()
      expect(visitedAfter!).toBeLessThanOrEqual(1)
      expect(commits.at(-1)).toBe(queued)
      expect(await t.db.selectFrom('figures_queue').select('player_id').execute()).toHaveLength(0)
    } finally {
      await background.db.destroy()
      await server.db.destroy()
    }
  })

  it('gives the event loop its turn before a statement takes the connection, never while holding it', async () => {
    // A statement after a long run of work gave the loop a turn (TURN_MS) after it had taken
    // the one connection: every other caller's statement waited for all the loop ran
    // meanwhile (the lock trace: lone reads holding the serving connection for hundreds of
    // milliseconds under 100 loan QR tries a second, 0791). Now the turn comes first: a
    // statement asked during it runs before the one that gave it.
    const server = openDatabase(t.url, SERVING_CONNECTION)
    try {
      // A fresh turn of the loop, then a statement: a run of work starts.
      await new Promise((resolve) => setImmediate(resolve))
      await server.db.selectFrom('org_units').select('id').execute()
      // The thread busy past TURN_MS without a turn, as a page's rendering would keep it.
      const until = performance.now() + 25
      while (performance.now() < until) Math.sqrt(until)
      const order: string[] = []
      // Asked in the loop's next turn, the one the statement below gives it.
      setImmediate(() => void server.db.selectFrom('org_units').select('name').execute().then(() => order.push('asked in the turn')))
      const first = server.db.selectFrom('org_units').select('id').execute().then(() => order.push('first'))
      await first
      await vi.waitFor(() => expect(order).toHaveLength(2), { timeout: 10_000, interval: 1 })
      expect(order).toEqual(['asked in the turn', 'first'])
    } finally {
      await server.db.destroy()
    }
  })

  it('waits for a write lock another connection holds between turns, then writes', async () => {
    // Another connection (an import's writer thread, say) holds the write lock until the
    // test lets it go: a write on this connection must wait without holding the thread.
    const other = new SQLite(t.url.slice('file:'.length))
    try {
      other.exec('begin immediate')
      let written = false
      const write = t.db
        .updateTable('org_units')
        .set({ name: '等锁的网点' })
        .where('id', '=', org.outletA1.id)
        .execute()
        .then(() => (written = true))
      // The thread goes on while the write waits: these polls run, and see it still waiting.
      await expect.poll(async () => (await new Promise((resolve) => setImmediate(resolve)), written)).toBe(false)
      expect(written).toBe(false)
      other.exec('commit')
      await write
      expect(written).toBe(true)
      const unit = await t.db.selectFrom('org_units').select('name').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow()
      expect(unit.name).toBe('等锁的网点')
    } finally {
      if (other.inTransaction) other.exec('rollback')
      other.close()
    }
  })

  it('answers reads and writes no lock holds up while a visit on the same connection waits for the lock', async () => {
    // The server has one connection. A visit's `begin immediate` waiting behind the import's
    // writer held it between its tries, and every other request's statements queued behind
    // the visit: an officer's list, which writes nothing, took as long as a visit (0732: p50
    // 260 ms, p99 1.6 s during a commit). Now a wait outside a transaction lends the
    // connection between its tries (0741).
    const server = openDatabase(t.url, SERVING_CONNECTION)
    const other = new SQLite(t.url.slice('file:'.length))
    try {
      other.exec('begin immediate')
      let visited = false
      const visit = server.db
        .transaction()
        .execute((trx) => trx.updateTable('org_units').set({ name: '等锁的访问' }).where('id', '=', org.outletA1.id).execute())
        .then(() => (visited = true))
      await expect.poll(() => lockQueue().waiting).toBe(1)
      // An officer's list, and a transaction that only reads, while the visit waits: both
      // answered while the lock is still taken (before, they waited for the visit's 20 s).
      const answers: { name?: string; n?: number } = {}
      void server.db.selectFrom('org_units').select('name').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow().then((r) => (answers.name = r.name))
      void server.db
        .transaction()
        .setAccessMode('read only')
        .execute((trx) => trx.selectFrom('org_units').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow())
        .then((r) => (answers.n = Number(r.n)))
      await vi.waitFor(() => expect(answers.n).toBeDefined(), { timeout: 10_000, interval: 5 })
      await vi.waitFor(() => expect(answers.name).toBeDefined(), { timeout: 10_000, interval: 5 })
      expect(answers.name).not.toBe('等锁的访问')
      expect(answers.n).toBeGreaterThan(0)
      expect(visited).toBe(false)
      expect(lockQueue().waiting).toBe(1)
      other.exec('commit')
      await visit
      const unit = await server.db.selectFrom('org_units').select('name').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow()
      expect(unit.name).toBe('等锁的访问')
      expect(lockQueue().waiting).toBe(0)
    } finally {
      if (other.inTransaction) other.exec('rollback')
      other.close()
      await server.db.destroy()
    }
  })

  it('waits for the write lock between turns on the server\'s connection, never asleep in SQLite\'s busy handler', async () => {
    // Every attempt of a write that finds the lock taken is timed: on the server's connection
    // it fails at once and the thread goes on until the next (decision 0711). Before, each
    // attempt slept BUSY_NAP_MS in SQLite's busy handler first, with every request waiting.
    const server = openDatabase(t.url, SERVING_CONNECTION)
    const other = new SQLite(t.url.slice('file:'.length))
    const attempts: number[] = []
    const prepare = server.sqlite!.prepare.bind(server.sqlite!)
    server.sqlite!.prepare = ((text: string) => {
      const statement = prepare(text)
      if (!text.startsWith('update "org_units"')) return statement
      return new Proxy(statement, {
        get(target, key) {
          const value = Reflect.get(target, key) as unknown
          if (typeof value !== 'function') return value
          if (key !== 'run' && key !== 'all') return value.bind(target)
          return (...args: unknown[]) => {
            const started = performance.now()
            try {
              return (value as (...a: unknown[]) => unknown).apply(target, args)
            } finally {
              attempts.push(performance.now() - started)
            }
          }
        },
      })
    }) as SQLite.Database["prepare"]
    try {
      other.exec('begin immediate')
      const write = server.db.updateTable('org_units').set({ name: '等锁计时的网点' }).where('id', '=', org.outletA1.id).execute()
      await vi.waitFor(() => expect(attempts.length).toBeGreaterThanOrEqual(20), { timeout: 60_000, interval: 5 })
      other.exec('commit')
      await write
      const sorted = [...attempts].sort((a, b) => a - b)
      // Most attempts take microseconds; none sleeps (a loaded machine may stall a few).
      expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(BUSY_NAP_MS / 2)
      const unit = await server.db.selectFrom('org_units').select('name').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow()
      expect(unit.name).toBe('等锁计时的网点')
    } finally {
      if (other.inTransaction) other.exec('rollback')
      other.close()
      await server.db.destroy()
    }
  })

  it('runs the import\'s writer and the refreshers, which hold the lock, beside the serving thread', async () => {
    // The writer holds the write lock a visit waits for and keeps the serving thread's
    // priority (0711). So do the refreshers now (0791): at nice 10 their transactions waited
    // for a core with the lock held, every waiting request behind them; their transactions
    // are bounded instead. Each thread is looked for by its name; the writer is held at its
    // second batch.
    const hold = new SharedArrayBuffer(8)
    const gate = new Int32Array(hold)
    const threads = () =>
      fs.readdirSync('/proc/self/task').map((tid) => {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
        return { tid: Number(tid), name: fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) }
      })
    const commit = commitImportJob(t.db, pii, await queuedImport(1_000, 40_000), { writerThread: true, batchRows: 200, writerHold: hold })
    try {
      await vi.waitFor(() => expect(Atomics.load(gate, 1)).toBe(1), { timeout: 60_000, interval: 10 })
      const writer = threads().filter((thread) => thread.name === 'wanqi writer')
      expect(writer).toHaveLength(1)
      // The thread that started it (the server's, in the app) keeps its priority, and so does the writer.
      const self = Number(fs.readlinkSync('/proc/thread-self').split('/').at(-1))
      const serving = threads().find((thread) => thread.tid === self)!.nice
      expect(writer[0].nice).toBe(serving)
      const refreshers = startRefreshersInThread(t.db, { logLevel: 'warn' })
      try {
        // However this process was started (nice 0 usually, 10 under `nice`): as this thread.
        const refresh = await vi.waitFor(
          () => {
            const found = threads().find((thread) => thread.name === 'wanqi refresh')
            if (!found) throw new Error('no thread named wanqi refresh yet')
            return found
          },
          { timeout: 60_000, interval: 10 },
        )
        expect(refresh.nice).toBe(serving)
      } finally {
        await refreshers.stop()
      }
    } finally {
      Atomics.store(gate, 0, 1)
      Atomics.notify(gate, 0)
    }
    const result = await commit
    expect(result.status).toBe('done')
    expect(result.counts.inserted).toBe(1_000)
  })

  it('lets a write waiting behind the import writer in after the writer\'s transaction under way, however late its thread wakes', async () => {
    // The writer thread commits BATCH rows a transaction. A write of the server's thread that
    // finds the lock taken is counted as waiting; the writer, after its commit, stands aside
    // until it has written. Before, the writer only left a 30 ms gap and went on: a server
    // thread too busy to wake inside it (a loaded machine, simulated here by holding the
    // thread until the writer has moved on) waited batch after batch.
    const ROWS = 8_000
    const BATCH = 200
    const jobId = await queuedImport(ROWS, 10_000)
    // One batch a transaction (0381 lets a transaction go on while nobody waits; the next test covers that).
    const commit = commitImportJob(t.db, pii, jobId, { writerThread: true, batchRows: BATCH, transactionMs: 0 })
    const reader = new SQLite(t.url.slice('file:'.length), { readonly: true })
    // The server's own kind of connection: a write that finds the lock taken is told so at once
    // (no busy_timeout), as on the server's thread. Through the test's connection (SQLite's
    // 10 ms nap per try) a write slept through a writer's transaction shorter than that, on a
    // quiet machine every one of them, and never counted as waiting.
    const server = openDatabase(t.url, SERVING_CONNECTION)
    try {
      const rowsDone = () => (reader.prepare('select rows_done as n from import_jobs where id = ?').get(jobId) as { n: number }).n
      await expect.poll(rowsDone, { timeout: 120_000 }).toBeGreaterThanOrEqual(BATCH)
      // Each write records how far the commit had got when it wrote.
      const write = (n: number) =>
        sql`update org_units set name = ${`等锁${n}:`} || (select rows_done from import_jobs where id = ${jobId}) where id = ${org.outletA1.id}`.execute(server.db)
      const found: { held?: { name: string; before: number } } = {}
      for (let n = 0; !found.held; n++) {
        expect(rowsDone(), 'no write met the writer\'s lock before the commit ended').toBeLessThan(ROWS - 4 * BATCH)
        let written = false
        const pending = write(n).then(() => (written = true))
        const met = await vi.waitFor(
          () => {
            if (written) return false
            if (lockQueue().waiting === 0) throw new Error('the write has not met the lock yet')
            // The write waits. Hold this thread (no turn: it cannot try again) until the
            // writer has committed its transaction and either stands aside or goes on.
            const before = rowsDone()
            while (lockQueue().yielding === 0 && rowsDone() < before + 2 * BATCH && rowsDone() < ROWS) reader.prepare('select 1').get()
            found.held = { name: `等锁${n}:`, before }
            return true
          },
          { timeout: 60_000, interval: 1 },
        )
        await pending
        expect(met || !found.held).toBe(true)
      }
      const { name, before } = found.held
      const unit = await t.db.selectFrom('org_units').select('name').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow()
      expect(unit.name.startsWith(name)).toBe(true)
      const writtenAt = Number(unit.name.slice(name.length))
      // It wrote right after the transaction it met, not one or more later, and long before the end.
      expect(writtenAt).toBeLessThanOrEqual(before + BATCH)
      expect(writtenAt).toBeLessThan(ROWS)
      const result = await commit
      expect(result.status).toBe('done')
      expect(result.counts.inserted).toBe(ROWS)
      expect(lockQueue()).toEqual({ waiting: 0, yielding: 0, background: 0 })
    } finally {
      reader.close()
      await server.db.destroy()
    }
  })

  it('writes its batches in one transaction while no write waits, and ends it after the batch under way when one does', async () => {
    // Each commit writes every page the transaction changed, so the writer keeps its
    // transaction over further batches while nobody waits (0381). Here the time limit is
    // out of reach: only a waiting write can end a transaction before the file's end.
    const ROWS = 6_000
    const BATCH = 200
    const alone: number[] = []
    const quiet = await commitImportJob(t.db, pii, await queuedImport(ROWS, 20_000), {
      writerThread: true,
      batchRows: BATCH,
      transactionMs: 3_600_000,
      onProgress: (done) => alone.push(done),
    })
    expect(quiet.status).toBe('done')
    expect(quiet.counts.inserted).toBe(ROWS)
    // Committed once at the end (and reported once more when the job is done), not 30 times.
    expect(alone).toEqual([ROWS, ROWS])

    const jobId = await queuedImport(ROWS, 30_000)
    const commit = commitImportJob(t.db, pii, jobId, { writerThread: true, batchRows: BATCH, transactionMs: 3_600_000 })
    // Each write records how far the commit had got (committed) when it wrote.
    const write = (n: number) =>
      sql`update org_units set name = ${`长事务${n}:`} || (select rows_done from import_jobs where id = ${jobId}) where id = ${org.outletA1.id}`.execute(t.db)
    let met: string | null = null
    for (let n = 0; met === null; n++) {
      if (await waitedForTheLock(write(n))) met = `长事务${n}:`
      const status = (await t.db.selectFrom('import_jobs').select('status').where('id', '=', jobId).executeTakeFirstOrThrow()).status
      expect(met !== null || status !== 'done', 'no write met the writer\'s transaction before the commit ended').toBe(true)
    }
    const unit = await t.db.selectFrom('org_units').select('name').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow()
    expect(unit.name.startsWith(met)).toBe(true)
    const writtenAt = Number(unit.name.slice(met.length))
    // The writer committed part of the file and stood aside: the write did not wait for the whole file.
    expect(writtenAt).toBeGreaterThan(0)
    expect(writtenAt).toBeLessThan(ROWS)
    const result = await commit
    expect(result.status).toBe('done')
    expect(result.counts.inserted).toBe(ROWS)
    expect(lockQueue()).toEqual({ waiting: 0, yielding: 0, background: 0 })
  })

  it('lets a waiting write in after the slice under way, not after the whole batch', async () => {
    // A batch of 500 rows held the lock most of a second at a million-row commit's cost a row,
    // and a visit waited for all of it. The writer now looks at the lock's queue after each
    // slice of a batch (0741): a write that waited records how far the commit had got, and
    // some of those points fall inside a batch. Before, every one was a batch's end.
    const ROWS = 20_000
    const BATCH = 500
    const jobId = await queuedImport(ROWS, 50_000)
    // The transaction's own time out of reach: only a waiting write ends one before the file's end.
    const commit = commitImportJob(t.db, pii, jobId, { writerThread: true, batchRows: BATCH, transactionMs: 3_600_000 })
    const write = (n: number) =>
      sql`update org_units set name = ${`切片${n}:`} || (select rows_done from import_jobs where id = ${jobId}) where id = ${org.outletA1.id}`.execute(t.db)
    const waitedAt: number[] = []
    for (let n = 0; waitedAt.length < 8; n++) {
      const status = (await t.db.selectFrom('import_jobs').select('status').where('id', '=', jobId).executeTakeFirstOrThrow()).status
      expect(status, `only ${waitedAt.length} writes met the writer's transaction before the commit ended`).not.toBe('done')
      if (!(await waitedForTheLock(write(n)))) continue
      const unit = await t.db.selectFrom('org_units').select('name').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow()
      waitedAt.push(Number(unit.name.slice(`切片${n}:`.length)))
    }
    expect(waitedAt.every((done) => done > 0 && done < ROWS)).toBe(true)
    expect(waitedAt.filter((done) => done % BATCH !== 0), `rows committed when each waiting write got in: ${waitedAt.join(', ')}`).not.toEqual([])
    const result = await commit
    expect(result.status).toBe('done')
    expect(result.counts.inserted).toBe(ROWS)
    expect(lockQueue()).toEqual({ waiting: 0, yielding: 0, background: 0 })
  })

  it('leaves the log\'s checkpoints to the background thread: a request\'s commit never copies the log back', async () => {
    // During a big import the log holds hundreds of megabytes; the server's connection used
    // to checkpoint it after any commit past 1,000 pages, synchronously, on its own thread.
    const file = t.url.slice('file:'.length)
    const server = openDatabase(t.url, { checkpointElsewhere: true })
    const other = new SQLite(file)
    let refreshers: { stop(): Promise<void> } | null = null
    try {
      other.pragma('wal_autocheckpoint = 0')
      other.exec('create table log_filler (x blob)')
      const fill = other.prepare('insert into log_filler (x) values (randomblob(4000))')
      other.transaction(() => {
        for (let i = 0; i < 3_000; i++) fill.run()
      })()
      const before = fs.statSync(file).size
      // A request's small write: its commit finds 3,000 pages of log.
      await server.db.updateTable('org_units').set({ name: '检查点网点' }).where('id', '=', org.outletA1.id).execute()
      expect(fs.statSync(file).size).toBe(before)
      // The background thread copies it back.
      refreshers = startRefreshersInThread(server.db, { logLevel: 'warn', checkpointIntervalMs: 50 })
      await vi.waitFor(() => expect(fs.statSync(file).size).toBeGreaterThan(before + 3_000 * 4_000), { timeout: 30_000, interval: 20 })
      // The thread's connection is shared with the refreshers: inside one of their transactions
      // the checkpoint waits for its next turn rather than failing ("database table is locked").
      server.sqlite!.exec('begin')
      expect(checkpointLog(server.sqlite!)).toBe(false)
      server.sqlite!.exec('rollback')
      expect(checkpointLog(server.sqlite!)).toBe(true)
    } finally {
      await refreshers?.stop()
      other.exec('drop table if exists log_filler')
      other.close()
      await server.db.destroy()
    }
  })
})
