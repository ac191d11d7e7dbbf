// Lists as they arrive (issue 21): line endings mixed, title rows, merged headers, XLS and
// WPS files, GB18030. The real files are in ../shared/real-lists/ (see its README).
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import * as XLSX from '@e965/xlsx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isKnownHeader } from '../../app/domain/list-columns'
import { translator } from '../../app/i18n/index'
import { openTable, TableError, type OpenedTable } from '../../app/services/import/read-table.server'
import { realList } from '../support/real-lists'
import { makeTempDir, writeText, writeXlsx, type TempDir } from '../support/spreadsheets'

const known = { isHeaderCell: isKnownHeader }

let temp: TempDir
beforeAll(async () => {
  temp = await makeTempDir()
})
afterAll(async () => {
  await temp.remove()
})

async function readAll(table: OpenedTable) {
  const rows: Array<{ row: number; cells: string[] }> = []
  for await (const row of table.rows) rows.push(row)
  return rows
}

function xlsBytes(rows: unknown[][], bookType: 'biff8' | 'xlsx' = 'biff8'): Buffer {
  const book = XLSX.utils.book_new()
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Sheet1')
  return XLSX.write(book, { type: 'buffer', bookType }) as Buffer
}

describe('line endings', () => {
  it('reads a CRLF header above LF rows as separate rows, not one', async () => {
    const file = await writeText(temp.path('mixed.csv'), '企业名称,统一社会信用代码,地址\r\nA公司,91110000600037341L,甲地\nB公司,92340602MA2PBMEM24,乙地\nC公司,,丙地\n')
    const rows = await readAll(await openTable(file))
    expect(rows.map((r) => r.cells[0])).toEqual(['A公司', 'B公司', 'C公司'])
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4])
  })

  it('reads old Mac CR line endings and LF-then-CRLF files', async () => {
    const cr = await writeText(temp.path('cr.csv'), 'name,n\rA,1\rB,2\r')
    expect((await readAll(await openTable(cr))).map((r) => r.cells)).toEqual([['A', '1'], ['B', '2']])
    const lfFirst = await writeText(temp.path('lf-first.csv'), 'name,n\nA,1\r\nB,2\r\n')
    expect((await readAll(await openTable(lfFirst))).map((r) => r.cells)).toEqual([['A', '1'], ['B', '2']])
  })
})

describe('header detection', () => {
  it('skips the title row of a real list and combines its merged two-level header (XLSX)', async () => {
    const table = await openTable(realList('q1_title_merged.xlsx'), known)
    expect(table.format).toBe('xlsx')
    expect(table.headerRow).toBe(2)
    expect(table.headerEndRow).toBe(3)
    expect(table.skippedRows.map((r) => r.cells[0])).toEqual(['XX县小微企业名单（2026年）'])
    expect(table.headers).toEqual(['序号', '企业名称', '统一社会信用代码', '法人代表', '注册日期', '注册资金', '注册地址', '企业类型'])
    const rows = await readAll(table)
    expect(rows[0].row).toBe(4)
    expect(rows[0].cells.slice(1, 5)).toEqual(['郑州倾城之帘装饰材料有限公司', '91410100589720210N', '吴两两', '2012-01-14'])
  })

  it('skips a title row in a CSV too, and combines 联系方式 over 电话 and 手机', async () => {
    const file = await writeText(
      temp.path('title.csv'),
      'XX县小微企业名单（2026年）,,,\r\n企业名称,统一社会信用代码,联系方式,\r\n,,电话,手机\r\nA公司,91110000600037341L,0572-6029388,13812345678\r\n',
    )
    const table = await openTable(file, known)
    expect(table).toMatchObject({ headerRow: 2, headerEndRow: 3, headers: ['企业名称', '统一社会信用代码', '电话', '手机'] })
    expect(await readAll(table)).toEqual([{ row: 4, cells: ['A公司', '91110000600037341L', '0572-6029388', '13812345678'] }])
  })

  it('does not take a data row for a second header', async () => {
    const file = await writeText(temp.path('plain-known.csv'), '企业名称,电话\r\nA公司,0572-6029388\r\n')
    const table = await openTable(file, known)
    expect(table.headerEndRow).toBe(1)
    expect((await readAll(table)).map((r) => r.cells)).toEqual([['A公司', '0572-6029388']])
  })
})

describe('XLS, WPS and GB18030', () => {
  it('reads a real Excel 97–2003 list', async () => {
    const table = await openTable(realList('q2_xls.xls'), known)
    expect(table.format).toBe('xls')
    expect(table.headers.slice(0, 3)).toEqual(['序号', '企业名称', '统一社会信用代码'])
    const rows = await readAll(table)
    expect(rows[0]).toEqual({ row: 2, cells: ['1', '襄城县绿如蓝园林有限公司', '9141102558971630X7', '李备战', '2012-01-18', '300(万元)', '襄城县颍阳镇洪村寺村', 'N/A'] })
  })

  it('reads numbers and dates of an XLS as Excel shows them, and a WPS .et by its bytes', async () => {
    const bytes = xlsBytes([
      ['企业名称', '从业人数', '成立日期', '统一社会信用代码'],
      ['A公司', 12, new Date(Date.UTC(2023, 1, 1)), 914101815897281408],
    ])
    await writeFile(temp.path('wps.et'), bytes)
    const table = await openTable(temp.path('wps.et'), known)
    expect(table.format).toBe('xls')
    // The code was stored as a number: its last digits are gone, as Excel shows them.
    expect(await readAll(table)).toEqual([{ row: 2, cells: ['A公司', '12', '2023-02-01', '914101815897281000'] }])
    await writeFile(temp.path('xlsx-inside.et'), xlsBytes([['企业名称'], ['B公司']], 'xlsx'))
    const inside = await openTable(temp.path('xlsx-inside.et'), known)
    expect(inside.format).toBe('xlsx')
    expect((await readAll(inside)).map((r) => r.cells)).toEqual([['B公司']])
  })

  it('refuses an .xls over 32 MB before reading it, naming the formats that stream', async () => {
    // SheetJS holds a workbook whole (about 17 times the file): a real list padded to 33 MB is
    // still a workbook by its bytes, and is refused with the way out rather than parsed.
    const real = await readFile(realList('q2_xls.xls'))
    await writeFile(temp.path('big.xls'), Buffer.concat([real, Buffer.alloc(33 * 1024 * 1024 - real.length)]))
    const error = await openTable(temp.path('big.xls'), known).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TableError)
    const { code, params } = error as TableError
    expect({ code, params }).toEqual({ code: 'file.xlsTooLarge', params: { sizeMb: 33, maxMb: 32, streamMb: 200 } })
    expect(translator('zh-CN')(code, params)).toBe('这个 Excel 97–2003（.xls）文件有 33 MB；此格式须整个读入内存，最大 32 MB：请另存为 .xlsx 或 .csv（边读边导入，最大 200 MB），或拆分成几个文件。')
  })

  it('reads a real GB18030 CSV saved by LibreOffice', async () => {
    await copyFile(realList('q4_gb18030.csv'), temp.path('q4.csv'))
    const table = await openTable(temp.path('q4.csv'), known)
    expect(table.encoding).toBe('gb18030')
    expect(table.headers).toContain('企业名称')
    const rows = await readAll(table)
    expect(rows[0].cells[1]).toBe('河南荣申化工有限公司')
  })

  it('reads an XLSX written by exceljs with a title row (the XLSX reader keeps its contract)', async () => {
    const file = await writeXlsx(temp.path('title.xlsx'), (sheet) => {
      sheet.addRow(['小微企业名单'])
      sheet.addRow(['企业名称', '统一社会信用代码'])
      sheet.addRow(['A公司', '91110000600037341L'])
    })
    const table = await openTable(file, known)
    expect(table.headerRow).toBe(2)
    expect(await readAll(table)).toEqual([{ row: 3, cells: ['A公司', '91110000600037341L'] }])
  })
})
