// What a large import's writer keeps between batches. The benchmark saw the process grow by
// 135–227 MB between the first and second half of a 100,000-row CSV, with every thread's
// heap flat after a full collection: the growth was native. A connection keeps its last 500
// prepared statements (db/connection.server.ts), and the import's lookups used IN lists as
// long as each batch's mix of keys made them (a 500-value one takes about 80 KB of native
// memory), and its issues went in as one insert per count: every batch prepared statements
// of its own, until 500 of them were kept. Here: the distinct statements a commit prepares
// stay a handful however many batches it takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { commitImportJob, createImportJob } from '../../app/services/import/import-jobs.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { buildOrg } from '../support/fixtures'
import { listRows, makeUscc, type ListRow } from '../support/lists'
import { csvText, makeTempDir, type TempDir, writeText } from '../support/spreadsheets'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let temp: TempDir

beforeAll(async () => {
  t = await createTestDatabase()
  temp = await makeTempDir()
})
afterAll(async () => {
  await t?.destroy()
  await temp?.remove()
})

const BATCH_ROWS = 400

/** Enterprises with a code, households and leads without, in a mix that differs from batch to batch; some rows with a warning. */
function mixedList(count: number): ListRow[] {
  return Array.from({ length: count }, (_, i) => {
    const batch = Math.floor(i / BATCH_ROWS)
    const household = (i * 7) % 29 < 3 + batch
    const lead = !household && (i * 3) % 31 < 1 + (batch % 5)
    return {
      uscc: household || lead ? undefined : makeUscc(10_000 + i),
      name: household ? `第${i}号小吃店` : `第${i}号商贸有限公司`,
      kind: household ? '个体工商户' : '企业',
      owner: household ? `店主${i}` : undefined,
      address: `某某路${i}号`,
      phone: (i * 5) % 17 < 3 ? '12' : undefined,
    }
  })
}

describe('memory, import writer', () => {
  it('prepares a bounded set of statements however many batches a commit takes', async () => {
    if (t.dialect !== 'sqlite') throw new Error('the memory project runs on SQLite')
    const org = await buildOrg(t.db)
    const file = await writeText(temp.path('mixed.csv'), csvText(listRows(mixedList(8_000))))
    const jobId = await createImportJob(t.db, SYSTEM_ACTOR, { source: 'market', fileName: 'mixed.csv', filePath: file, fileBytes: 1, orgUnitId: org.outletA1.id })
    await t.db.updateTable('import_jobs').set({ status: 'running' }).where('id', '=', jobId).execute()

    const sqlite = t.sqlite!
    const prepare = sqlite.prepare.bind(sqlite)
    const prepared = new Set<string>()
    sqlite.prepare = ((text: string) => {
      prepared.add(text)
      return prepare(text)
    }) as typeof sqlite.prepare
    try {
      const result = await commitImportJob(t.db, pii, jobId, { writerThread: false, batchRows: BATCH_ROWS })
      expect(result.status).toBe('done')
      expect(result.counts.totalRows).toBe(8_000)
      expect(result.counts.warnings).toBeGreaterThan(100)
    } finally {
      sqlite.prepare = prepare
    }
    // 20 batches: 35 statements; before, each batch prepared its own lookups and issue inserts (149).
    expect(prepared.size).toBeLessThan(50)
  })
})
