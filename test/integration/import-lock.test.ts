// Issue 22: a big import's commit never makes a visit fail (decision 0581). On SQLite one
// connection at a time holds the write lock; the import's writer thread, a connection of its
// own, kept its transaction open while it waited for its next batch from the prepare threads,
// which on a busy machine took seconds, and a visit posted meanwhile waited behind it until its
// 20 s ran out: 500 "database is locked". Background connections also competed with a waiting
// request for the lock once it came free. Over real HTTP, on a SQLite file.
import fs from 'node:fs'
import SQLite from 'better-sqlite3'
import { CompiledQuery, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lockQueue, openDatabase } from '../../db/connection.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { scopeOf } from '../../app/domain/scope'
import { existingInScope } from '../../app/services/import/apply-batch.server'
import { commitImportJob, createImportJob } from '../../app/services/import/import-jobs.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { addUser, buildOrg, PASSWORD, playerFields } from '../support/fixtures'
import { makeUscc } from '../support/lists'
import { makeTempDir, type TempDir } from '../support/spreadsheets'
import { Client, startTestServer, type TestServer } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let dir: TempDir
let server: TestServer
let org: Awaited<ReturnType<typeof buildOrg>>
let playerId: number

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  const managerId = await addUser(t.db, 'mgr.lock', 'manager', org.outletA1.id)
  const officerId = await addUser(t.db, 'off.lock', 'officer', org.outletA1.id)
  const orgPath = (await t.db.selectFrom('org_units').select('path').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow()).path
  playerId = await createPlayer(t.db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields('锁测试企业'), orgUnitId: org.outletA1.id })
  await assignPlayers(t.db, { actor: { id: managerId, username: 'mgr.lock', ip: null }, scope: scopeOf({ id: managerId, role: 'manager', orgPath }) }, { playerIds: [playerId], officerId, reason: 'test' })
  dir = await makeTempDir('wanqi-import-lock-')
  server = await startTestServer(t)
})
afterAll(async () => {
  await server?.close()
  await t?.destroy()
  await dir?.remove()
})

async function queuedImport(count: number, first: number) {
  const file = dir.path(`list-${first}-${count}.csv`)
  const lines = ['统一社会信用代码,企业名称,法定代表人,注册日期,营业收入（万元）,地址']
  for (let i = first; i < first + count; i++) lines.push(`${makeUscc(700_000 + i)},某某市第${i}号锁测商贸有限公司,李${i % 89},2023-02-01,${(i % 5000) + 0.5},某某省某某市某某街${i}号`)
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n')
  const jobId = await createImportJob(t.db, { ...SYSTEM_ACTOR, username: 'test' }, { source: 'tax', fileName: 'list.csv', filePath: file, fileBytes: fs.statSync(file).size, orgUnitId: org.outletA1.id })
  await t.db.updateTable('import_jobs').set({ status: 'queued', merge_households: 1 }).where('id', '=', jobId).execute()
  return jobId
}

describe('a visit beside a big import on SQLite', () => {
  it('is stored (201) while the writer waits for its next batch with its transaction open: the writer commits the batch under way and stands aside', async () => {
    const officer = new Client(server.url)
    expect((await officer.signIn('off.lock', PASSWORD)).status).toBe(302)
    const ROWS = 600
    const BATCH = 200
    const jobId = await queuedImport(ROWS, 1)
    // [0] the test opens it, [1] the writer says it holds its second batch (commit-rows.worker.ts).
    const hold = new SharedArrayBuffer(8)
    const gate = new Int32Array(hold)
    // The transaction's own time out of reach: only a waiting request may end it early.
    const commit = commitImportJob(t.db, pii, jobId, { writerThread: true, batchRows: BATCH, transactionMs: 3_600_000, writerHold: hold })
    const reader = new SQLite(t.url.slice('file:'.length), { readonly: true })
    try {
      const rowsDone = () => (reader.prepare('select rows_done as n from import_jobs where id = ?').get(jobId) as { n: number }).n
      // The writer applied its first batch in a transaction it keeps open, and waits for the
      // next one (held here as a prepare thread far behind it would hold it).
      await expect.poll(() => Atomics.load(gate, 1), { timeout: 120_000 }).toBe(1)
      expect(rowsDone()).toBe(0)

      const visitId = `lock-visit-${Date.now().toString(36)}`
      const answer = await officer.request('/api/v1/visits', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: visitId, playerId, channel: 'phone', hasNeed: false }),
      })
      expect(answer.status, await answer.clone().text()).toBe(201)
      // Stored while the writer still waits for its second batch: the visit waited for the
      // batch under way (committed for it), not for the file's next rows.
      expect(Atomics.load(gate, 0)).toBe(0)
      expect(rowsDone()).toBe(BATCH)
      const stored = await t.db.selectFrom('visits').select('id').where('id', '=', visitId).execute()
      expect(stored).toHaveLength(1)

      Atomics.store(gate, 0, 1)
      Atomics.notify(gate, 0)
      const result = await commit
      expect(result.status).toBe('done')
      expect(result.counts.inserted).toBe(ROWS)
      expect(lockQueue()).toMatchObject({ waiting: 0, yielding: 0, background: 0 })
    } finally {
      Atomics.store(gate, 0, 1)
      Atomics.notify(gate, 0)
      await commit.catch(() => undefined)
      reader.close()
    }
  })

  it('keeps the planner\'s figures up with the players\' table as the commit fills it, on every connection', async () => {
    // A server starting analyzes a table that was never analyzed: beside a handful of players,
    // the planner then believed the table tiny for as long as a connection lived, and read it
    // whole for each batch's key lookups (an IN list ordered by id costs no sort that way),
    // so a million-row commit's batches each cost more than the last (0741).
    const own = await createTestDatabase()
    const reader = new SQLite(own.url.slice('file:'.length), { readonly: true })
    const hold = new SharedArrayBuffer(8)
    const gate = new Int32Array(hold)
    let commit: ReturnType<typeof commitImportJob> | null = null
    try {
      const unit = (await buildOrg(own.db)).outletA1.id
      // As the import bench's server starts: 50 players with no code, then the figures.
      for (let i = 0; i < 50; i++) await createPlayer(own.db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields(`统计测试企业${i}`), orgUnitId: unit })
      await sql`analyze market_players`.execute(own.db)
      const analyzed = () => Number((reader.prepare("select stat from sqlite_stat1 where tbl = 'market_players' limit 1").get() as { stat: string }).stat.split(' ')[0])
      expect(analyzed()).toBe(50)
      const file = dir.path('statistics.csv')
      const lines = ['统一社会信用代码,企业名称,法定代表人,注册日期,营业收入（万元）,地址']
      for (let i = 1; i <= 1_000; i++) lines.push(`${makeUscc(800_000 + i)},某某市第${i}号统计商贸有限公司,王${i % 83},2023-02-01,${i + 0.5},某某省某某市某某巷${i}号`)
      fs.writeFileSync(file, lines.join('\r\n') + '\r\n')
      const jobId = await createImportJob(own.db, { ...SYSTEM_ACTOR, username: 'test' }, { source: 'tax', fileName: 'list.csv', filePath: file, fileBytes: fs.statSync(file).size, orgUnitId: unit })
      await own.db.updateTable('import_jobs').set({ status: 'queued', merge_households: 1 }).where('id', '=', jobId).execute()
      // Each batch committed at once; the second one held until the test has looked.
      commit = commitImportJob(own.db, pii, jobId, { writerThread: true, batchRows: 500, transactionMs: 0, writerHold: hold })
      await expect.poll(() => Atomics.load(gate, 1), { timeout: 120_000 }).toBe(1)
      // The writer analyzed the table once its first batch (committed a slice at a time) had
      // more than doubled it.
      expect(analyzed()).toBeGreaterThan(2 * 50)
      expect(analyzed()).toBeLessThanOrEqual(550)
      // And this connection, which had read the old figures, plans with the new ones.
      await own.db.selectFrom('market_players').select('id').limit(1).execute()
      const usccs = Array.from({ length: 16 }, (_, i) => makeUscc(800_001 + i))
      const orgPath = (await own.db.selectFrom('org_units').select('path').where('id', '=', unit).executeTakeFirstOrThrow()).path
      const lookup = existingInScope(own.db, 'uscc', usccs, orgPath).compile()
      const plan = await own.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${lookup.sql}`, [...lookup.parameters]))
      expect(plan.rows.map((r) => r.detail).join('; ')).toMatch(/SEARCH market_players USING INDEX/)
      Atomics.store(gate, 0, 1)
      Atomics.notify(gate, 0)
      const result = await commit
      expect(result.status).toBe('done')
      expect(result.counts.inserted).toBe(1_000)
    } finally {
      Atomics.store(gate, 0, 1)
      Atomics.notify(gate, 0)
      await commit?.catch(() => undefined)
      reader.close()
      await own.destroy()
    }
  })

  it('gives the lock, once free, to a waiting request before a background connection asking for it', async () => {
    // Another process (a CLI import, say) holds the lock and a request's write waits for it.
    // The moment it comes free a background connection of this process (the refreshers', the
    // map's, the import's writer) asks for it too: it stands aside until the request has
    // written. Before, it took the free lock at once, the request's next try being a nap away,
    // and on a busy server the request lost it again and again.
    const other = new SQLite(t.url.slice('file:'.length))
    const background = openDatabase(t.url, { yieldAfterCommit: true })
    const order: string[] = []
    try {
      other.exec('begin immediate')
      const request = t.db.updateTable('org_units').set({ name: '请求写' }).where('id', '=', org.outletA1.id).execute().then(() => order.push('request'))
      await expect.poll(() => lockQueue().waiting).toBe(1)
      other.exec('commit')
      const backgroundWrite = background.db.updateTable('org_units').set({ name: '后台写' }).where('id', '=', org.outletB1.id).execute().then(() => order.push('background'))
      await Promise.all([request, backgroundWrite])
      expect(order).toEqual(['request', 'background'])
      expect(lockQueue()).toMatchObject({ waiting: 0, yielding: 0, background: 0 })
    } finally {
      if (other.inTransaction) other.exec('rollback')
      other.close()
      await background.db.destroy()
    }
  })
})
