// The worker thread that prepares big imports gives exactly what the in-line path gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertColumnsOf, prepareInWorker, prepareInline, type PrepareOptions, type PreparedRow } from '../../app/services/import/prepare-rows.server'
import { PLAYER_COLUMN_NAMES, newPlayerColumns } from '../../app/services/player-record.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { recogniseHeaders } from '../../app/domain/list-columns'
import { TEST_DATA_KEY } from '../support/test-server'
import { makeTempDir, writeCsv, type TempDir } from '../support/spreadsheets'
import { CHINESE_HEADERS, listRows, taxList } from '../support/lists'

let dir: TempDir
beforeAll(async () => {
  dir = await makeTempDir('wanqi-prepare-')
})
afterAll(() => dir.remove())

async function collect(batches: AsyncGenerator<PreparedRow[]>) {
  const out: PreparedRow[][] = []
  for await (const b of batches) out.push(b)
  return out
}

describe('preparing rows', () => {
  it('in a worker thread, in the same batches, with the same checks and derived columns', async () => {
    const rows = Array.from({ length: 7 }, () => taxList()).flat()
    const file = await writeCsv(dir.path('list.csv'), listRows(rows), { encoding: 'gb18030' })
    const options: PrepareOptions = {
      filePath: file,
      fileName: 'list.csv',
      mapping: recogniseHeaders(CHINESE_HEADERS).columns,
      acceptBadCheck: false,
      today: '2026-11-26',
      resumeAfter: 10,
      batchRows: 20,
      dataKey: TEST_DATA_KEY,
      townshipCentres: [['411622100', { lat: 33.8, lng: 114.5 }]],
      derive: true,
      jobColumns: { org_unit_id: 1, source: 'tax' },
    }
    const inline = await collect(prepareInline(options))
    const worker = await collect(prepareInWorker(options))
    expect(worker.map((b) => b.length)).toEqual([20, 20])
    // Encryption draws random IVs: compare everything else.
    const random = ['phone_enc', 'id_number_enc'].map((c) => insertColumnsOf(options.jobColumns).indexOf(c))
    const stable = (batches: PreparedRow[][]) =>
      batches.flat().map((r) => ({ ...r, values: r.values && r.values.map((v, i) => (random.includes(i) && v ? 'enc' : v)) }))
    expect(stable(worker)).toEqual(stable(inline))
    expect(worker.flat()[0].row).toBe(11)
    expect(worker.flat().filter((r) => !r.result.ok).every((r) => r.cells !== null)).toBe(true)
  })

  it('lists every column a new player gets, so inserts built as value lists lose nothing', () => {
    const columns = newPlayerColumns(
      { uscc: null, name: 'x', kind: 'household', legalRepresentative: null, owner: 'y', idNumber: null, phone: null, industry: null, industryCode: null, employees: null, revenueYuan: null, assetsYuan: null, registeredOn: null, registrationStatus: null, address: 'z', areaCode: null, lat: null, lng: null, taxGrade: null, loanHistory: null, loanCheckedOn: null },
      createPersonalDataCipher(TEST_DATA_KEY),
      () => undefined,
    )
    expect([...PLAYER_COLUMN_NAMES].sort()).toEqual(Object.keys(columns).sort())
  })

  it('reports a file the worker cannot read as the reader’s own error', async () => {
    const file = dir.path('empty.csv')
    await import('node:fs/promises').then((fs) => fs.writeFile(file, ''))
    const options = { filePath: file, fileName: 'empty.csv', mapping: [], acceptBadCheck: false, today: '2026-11-26', resumeAfter: 0, batchRows: 10, dataKey: TEST_DATA_KEY, townshipCentres: [], derive: false, jobColumns: {} }
    await expect(collect(prepareInWorker(options))).rejects.toMatchObject({ code: 'file.empty' })
  })
})
