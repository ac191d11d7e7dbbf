// SQLite's transactions as openDatabase makes them, against a second connection writing in
// a thread of its own (as the map's rebuild and an import's workers do): a transaction
// that reads, gives way to other work, then writes must neither fail ("database is locked")
// nor lose an update. Begun DEFERRED, Kysely's default, some of them fail at once.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { sql } from 'kysely'
import { afterAll, expect, it } from 'vitest'
import { openDatabase } from '../../db/connection.server'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-sqlite-tx-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

// Commits one row a millisecond until told to stop (a flag shared with this thread).
const WRITER = `
const SQLite = require('better-sqlite3')
const { parentPort, workerData } = require('node:worker_threads')
const db = new SQLite(workerData.file)
db.pragma('busy_timeout = 5000')
const insert = db.prepare('insert into other (x) values (?)')
const stop = new Int32Array(workerData.stop)
let n = 0
while (Atomics.load(stop, 0) === 0) {
  insert.run(n++)
  Atomics.wait(stop, 0, 0, 1)
}
parentPort.postMessage(n)
`

const TRANSACTIONS = 100

it('a transaction that reads, waits, then writes succeeds while another connection commits, and loses no update', async () => {
  const file = path.join(dir, 'tx.sqlite')
  const { db } = openDatabase(`file:${file}`)
  try {
    await sql`create table counter (id integer primary key, n integer not null)`.execute(db)
    await sql`create table other (x integer)`.execute(db)
    await sql`insert into counter (id, n) values (1, 0)`.execute(db)
    const stop = new SharedArrayBuffer(4)
    const writer = new Worker(WRITER, { eval: true, workerData: { file, stop } })
    const written = new Promise<number>((resolve, reject) => {
      writer.once('message', resolve)
      writer.once('error', reject)
    })
    const rows = async () => Number((await sql<{ n: number }>`select count(*) as n from other`.execute(db)).rows[0].n)
    // The writer is under way before the first transaction.
    await expect.poll(rows, { interval: 1 }).toBeGreaterThan(0)
    const before = await rows()
    const failures: string[] = []
    for (let i = 0; i < TRANSACTIONS; i++) {
      try {
        await db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ n: number }>`select n from counter where id = 1`.execute(trx)
          await new Promise((resolve) => setTimeout(resolve, 2))
          await sql`update counter set n = ${rows[0].n + 1} where id = 1`.execute(trx)
        })
      } catch (error) {
        failures.push((error as Error).message)
      }
      // Other work between two transactions, as between two requests.
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    const during = await rows()
    Atomics.store(new Int32Array(stop), 0, 1)
    expect(await written).toBeGreaterThanOrEqual(during)
    // The other connection went on committing in between.
    expect(during).toBeGreaterThan(before)
    expect(failures).toEqual([])
    const { rows: counter } = await sql<{ n: number }>`select n from counter where id = 1`.execute(db)
    expect(counter[0].n).toBe(TRANSACTIONS)
  } finally {
    await db.destroy()
  }
}, 30_000)
