// How much memory reading a large list takes: a 60 MB CSV and a 50,000-row workbook are
// streamed with the live heap (after a full collection) and the RSS sampled as they go.
// A project of their own, not the unit tests': they write large files and force collections.
import v8 from 'node:v8'
import vm from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTable } from '../../app/services/import/read-table.server'
import { makeTempDir, type TempDir, writeLargeCsv, writeLargeXlsx } from '../support/spreadsheets'

let temp: TempDir
beforeAll(async () => {
  temp = await makeTempDir()
})
afterAll(async () => {
  await temp.remove()
})

describe('memory', () => {
  it('streams a 60 MB CSV without holding it in memory', async () => {
    // Live memory, not garbage V8 has yet to collect: a full collection before each sample.
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const path = temp.path('large.csv')
    const written = await writeLargeCsv(path, 60 * 1024 * 1024)
    gc()
    const before = process.memoryUsage()
    let peakHeap = 0
    let peakRss = 0
    let rows = 0
    let lastRow = 0
    for await (const { row } of (await openTable(path)).rows) {
      rows++
      lastRow = row
      if (rows % 25_000 === 0) {
        gc()
        const now = process.memoryUsage()
        peakHeap = Math.max(peakHeap, now.heapUsed - before.heapUsed)
        peakRss = Math.max(peakRss, now.rss - before.rss)
      }
    }
    expect(rows).toBe(written.rows)
    expect(lastRow).toBe(written.rows + 1)
    expect(peakHeap).toBeLessThan(written.bytes / 10)
    expect(peakRss).toBeLessThan(written.bytes / 3)
  })
})

describe('memory, XLSX', () => {
  // The live heap after a full collection, and the RSS: its growth from the first tenth of
  // the rows to the last. Reading the sheet holds nothing per row (the shared strings are
  // read first and kept off the JS heap), so neither grows with the rows.
  it.each(['shared', 'inline'] as const)('streams a 50,000-row workbook (%s strings) with flat memory', async (strings) => {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const path = await writeLargeXlsx(temp.path(`large-${strings}.xlsx`), 50_000, strings)
    gc()
    const before = process.memoryUsage().heapUsed
    let peakHeap = 0
    let rows = 0
    const rss: number[] = []
    let last: { row: number; cells: string[] } | undefined
    for await (const row of (await openTable(path)).rows) {
      last = row
      if (++rows % 5_000 === 0) {
        gc()
        const now = process.memoryUsage()
        peakHeap = Math.max(peakHeap, now.heapUsed - before)
        rss.push(now.rss)
      }
    }
    expect(rows).toBe(50_000)
    expect(last).toEqual({
      row: 50_001,
      cells: ['911100006000050000', '某某市第50000号商贸有限公司', '张45', '2023-08-20', '0.5', '某某省某某市某某区某某路50000号'],
    })
    // 150,000 distinct strings take about 15 MB as JS strings.
    expect(peakHeap).toBeLessThan(10 * 1024 * 1024)
    // A workbook's rows held anywhere (exceljs's row objects, inflated XML, the strings'
    // chunks) would add tens of megabytes between the first tenth and the last.
    expect(Math.max(...rss.slice(5)) - Math.min(...rss.slice(0, 5))).toBeLessThan(24 * 1024 * 1024)
  })
})
