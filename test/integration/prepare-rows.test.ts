// The worker thread that prepares big imports gives exactly what the in-line path gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertColumnsOf, prepareInWorker, prepareInWorkers, prepareInline, type PrepareOptions, type PreparedRow } from '../../app/services/import/prepare-rows.server'
import { PLAYER_COLUMN_NAMES, newPlayerColumns } from '../../app/services/player-record.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { recogniseHeaders } from '../../app/domain/list-columns'
import { TEST_DATA_KEY } from '../support/test-constants'
import { makeTempDir, writeCsv, type TempDir } from '../support/spreadsheets'
import { CHINESE_HEADERS, listRows, taxList } from '../support/lists'

let dir: TempDir
beforeAll(async () => {
  dir = await makeTempDir('wanqi-prepare-')
})
afterAll(() => dir.remove())

/** Options for the tax list fixture's Chinese headers; `more` sets the rest. */
function optionsFor(file: string, more: Partial<PrepareOptions>): PrepareOptions {
  return {
    filePath: file,
    fileName: file.split('/').pop()!,
    mapping: recogniseHeaders(CHINESE_HEADERS).columns,
    acceptBadCheck: false,
    today: '2026-11-26',
    resumeAfter: 0,
    batchRows: 10,
    dataKey: TEST_DATA_KEY,
    townshipCentres: [],
    derive: false,
    jobColumns: {},
    ...more,
  }
}

async function collect(batches: AsyncGenerator<PreparedRow[]>) {
  const out: PreparedRow[][] = []
  for await (const b of batches) out.push(b)
  return out
}

describe('preparing rows', () => {
  it('in a worker thread, in the same batches, with the same checks and derived columns', async () => {
    const rows = Array.from({ length: 7 }, () => taxList()).flat()
    const file = await writeCsv(dir.path('list.csv'), listRows(rows), { encoding: 'gb18030' })
    const options = optionsFor(file, {
      resumeAfter: 10,
      batchRows: 20,
      townshipCentres: [['411622100', { lat: 33.8, lng: 114.5 }]],
      derive: true,
      jobColumns: { org_unit_id: 1, source: 'tax' },
    })
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

  it('in two worker threads sharing the file: every batch once, in file order, as in-line', async () => {
    const rows = Array.from({ length: 9 }, () => taxList()).flat()
    const file = await writeCsv(dir.path('shared.csv'), listRows(rows), { encoding: 'utf-8' })
    const options = optionsFor(file, { resumeAfter: 4, batchRows: 6, derive: true, jobColumns: { org_unit_id: 1, source: 'tax' } })
    const inline = await collect(prepareInline(options))
    const shared = await collect(prepareInWorkers(options, 2))
    // 63 rows, the first 3 skipped: ten batches of six, taken by the two threads in turn.
    expect(shared.map((b) => b.length)).toEqual(inline.map((b) => b.length))
    expect(shared.length).toBeGreaterThan(5)
    const random = ['phone_enc', 'id_number_enc'].map((c) => insertColumnsOf(options.jobColumns).indexOf(c))
    const stable = (batches: PreparedRow[][]) =>
      batches.flat().map((r) => ({ ...r, values: r.values && r.values.map((v, i) => (random.includes(i) && v ? 'enc' : v)) }))
    expect(stable(shared)).toEqual(stable(inline))
  })

  it('in two worker threads, a file that breaks half way gives batches from the start in file order, then its error', async () => {
    const good = listRows(Array.from({ length: 4 }, () => taxList()).flat())
    const file = dir.path('broken.csv')
    const text = good.map((cells) => cells.join(',')).join('\r\n') + '\r\n"unclosed,quote\r\n'
    await import('node:fs/promises').then((fs) => fs.writeFile(file, text))
    const options = optionsFor(file, { batchRows: 5 })
    const read = async (batches: AsyncGenerator<PreparedRow[]>) => {
      const rows: number[][] = []
      const error = await (async () => {
        for await (const b of batches) rows.push(b.map((r) => r.row))
      })().catch((e: unknown) => e)
      return { rows, error }
    }
    const inline = await read(prepareInline(options))
    const shared = await read(prepareInWorkers(options, 2))
    expect(inline.error).toMatchObject({ code: 'file.csvQuoteNotClosed' })
    expect(shared.error).toMatchObject({ code: 'file.csvQuoteNotClosed' })
    // The reader may stop at the error before a thread that was waiting has taken its last
    // rows: what comes is always whole batches from the start, in order, and never more.
    expect(shared.rows.length).toBeGreaterThan(0)
    expect(shared.rows).toEqual(inline.rows.slice(0, shared.rows.length))
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
    const options = optionsFor(file, { mapping: [] })
    await expect(collect(prepareInWorker(options))).rejects.toMatchObject({ code: 'file.empty' })
  })
})
