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

const WRITER = `
const SQLite = require('better-sqlite3')
const { parentPort, workerData } = require('node:worker_threads')
const db = new SQLite(workerData.file)
db.pragma('busy_timeout = 5000')
const insert = db.prepare('insert into other (x) values (?)')
const end = Date.now() + workerData.ms
let n = 0
while (Date.now() < end) insert.run(n++)
parentPort.postMessage(n)
`

it('a transaction that reads, waits, then writes succeeds while another connection commits, and loses no update', async () => {
  const file = path.join(dir, 'tx.sqlite')
  const { db } = openDatabase(`file:${file}`)
  try {
    await sql`create table counter (id integer primary key, n integer not null)`.execute(db)
    await sql`create table other (x integer)`.execute(db)
    await sql`insert into counter (id, n) values (1, 0)`.execute(db)
    const writer = new Worker(WRITER, { eval: true, workerData: { file, ms: 1_500 } })
    let running = true
    const written = new Promise<number>((resolve, reject) => {
      writer.once('message', (n: number) => ((running = false), resolve(n)))
      writer.once('error', reject)
    })
    let committed = 0
    const failures: string[] = []
    while (running) {
      try {
        await db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ n: number }>`select n from counter where id = 1`.execute(trx)
          await new Promise((resolve) => setTimeout(resolve, 2))
          await sql`update counter set n = ${rows[0].n + 1} where id = 1`.execute(trx)
        })
        committed++
      } catch (error) {
        failures.push((error as Error).message)
      }
    }
    expect(await written).toBeGreaterThan(0)
    expect(failures).toEqual([])
    expect(committed).toBeGreaterThan(20)
    const { rows } = await sql<{ n: number }>`select n from counter where id = 1`.execute(db)
    expect(rows[0].n).toBe(committed)
  } finally {
    await db.destroy()
  }
})
