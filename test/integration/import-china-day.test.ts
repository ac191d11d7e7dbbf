// An import takes "today" as the hand form does, in China time: between 00:00 and 08:00
// China time the UTC date is still yesterday, and a list registering a player today must
// not be refused for a date in the future (it was, when the import took the UTC date).
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createImportJob, listImportIssues, previewImportJob } from '../../app/services/import/import-jobs.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { buildOrg } from '../support/fixtures'
import { makeTempDir, writeCsv, type TempDir } from '../support/spreadsheets'
import { listRows, makeUscc } from '../support/lists'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let dir: TempDir

beforeAll(async () => {
  t = await createTestDatabase()
  dir = await makeTempDir('wanqi-import-day-')
})
afterAll(async () => {
  vi.useRealTimers()
  await t.destroy()
  await dir.remove()
})

describe('an import at 02:30 China time (18:30 UTC the day before)', () => {
  it("accepts today's China date as a registration date, and still refuses tomorrow's (the row kept, the date blanked)", async () => {
    const org = await buildOrg(t.db)
    const file = await writeCsv(
      dir.path('night.csv'),
      listRows([
        { uscc: makeUscc(11), name: '今日登记有限公司', kind: '企业', registeredOn: '2026-12-04', status: '存续' },
        { uscc: makeUscc(12), name: '明日登记有限公司', kind: '企业', registeredOn: '2026-12-05', status: '存续' },
      ]),
      { encoding: 'utf-8' },
    )
    const jobId = await createImportJob(t.db, SYSTEM_ACTOR, { source: 'tax', fileName: path.basename(file), filePath: file, fileBytes: 1, orgUnitId: org.outletA1.id })
    // Only the clock's date is faked: timers, and so the database drivers, run as usual.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-03T18:30:00Z'))
    const preview = await previewImportJob(t.db, pii, jobId)
    vi.useRealTimers()
    expect(preview.status).toBe('previewed')
    // Only identity refuses a row: a date in the future is left blank with a warning.
    expect(preview.counts).toMatchObject({ totalRows: 2, inserted: 2, rejected: 0 })
    const warnings = await listImportIssues(t.db, jobId, 'warning')
    expect(warnings.map((r) => ({ row: r.row, problems: r.problems.map((p) => [p.column, p.message.key]) }))).toEqual([
      { row: 3, problems: [[expect.any(String), 'date.future']] },
    ])
  })
})
