import { randomBytes } from 'node:crypto'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { en } from '../../app/i18n/en'
import { zhCN } from '../../app/i18n/zh-CN'
import {
  openTable,
  TABLE_ERROR_CODES,
  TableError,
  type OpenedTable,
  type TableErrorCode,
  type TableLimits,
} from '../../app/services/import/read-table.server'
import {
  compoundFileBytes,
  makeTempDir,
  type TempDir,
  writeCsv,
  writeText,
  writeXlsx,
  xlsxParts,
  zipBytes,
} from '../support/spreadsheets'

let temp: TempDir
beforeAll(async () => {
  temp = await makeTempDir()
})
afterAll(async () => {
  await temp.remove()
})

const CHINESE_HEADERS = ['统一社会信用代码', '企业名称', '法定代表人', '注册日期', '营业收入（万元）']
const CHINESE_ROW = ['91110000600037341L', '北京某某科技有限公司', '张三', '2023-02-01', '1234.5']

async function readAll(table: OpenedTable) {
  const rows: Array<{ row: number; cells: string[] }> = []
  for await (const row of table.rows) rows.push(row)
  return rows
}

/** Opens and reads the whole file, returning the TableError it fails with. */
async function failure(path: string, options: { fileName?: string; limits?: Partial<TableLimits> } = {}): Promise<TableError> {
  try {
    const table = await openTable(path, options)
    await readAll(table)
  } catch (error) {
    if (error instanceof TableError) return error
    throw error
  }
  throw new Error(`${path} was read without an error`)
}

async function expectFailure(path: string, code: TableErrorCode, params?: Record<string, string | number>, options = {}) {
  const error = await failure(path, options)
  expect(error.code).toBe(code)
  if (params) expect(error.params).toEqual(params)
}

describe('CSV encodings', () => {
  it('reads UTF-8 without a BOM, numbering rows as Excel does', async () => {
    const path = await writeCsv(temp.path('plain.csv'), [
      CHINESE_HEADERS,
      CHINESE_ROW,
      ['92340602MA2PBMEM24', '李记小吃店', '', '2023/2/1', '12'],
    ])
    const table = await openTable(path)
    expect(table).toMatchObject({ format: 'csv', encoding: 'utf-8', headers: CHINESE_HEADERS, headerRow: 1 })
    expect(await readAll(table)).toEqual([
      { row: 2, cells: CHINESE_ROW },
      { row: 3, cells: ['92340602MA2PBMEM24', '李记小吃店', '', '2023/2/1', '12'] },
    ])
  })

  it('strips a UTF-8 BOM from the first header', async () => {
    const path = await writeCsv(temp.path('bom.csv'), [CHINESE_HEADERS, CHINESE_ROW], { encoding: 'utf-8-bom' })
    const table = await openTable(path)
    expect(table.encoding).toBe('utf-8')
    expect(table.headers[0]).toBe('统一社会信用代码')
    expect((await readAll(table))[0].cells).toEqual(CHINESE_ROW)
  })

  it('reads GB18030 (what Excel on Chinese Windows saves) with Chinese headers', async () => {
    const path = await writeCsv(
      temp.path('gbk.csv'),
      [CHINESE_HEADERS, CHINESE_ROW, ['91110000600037341L', '㐀字号（扩展区）商行', '欧阳娜娜', '2023年2月1日', '0']],
      {
        encoding: 'gb18030',
      },
    )
    const table = await openTable(path)
    expect(table.encoding).toBe('gb18030')
    expect(table.headers).toEqual(CHINESE_HEADERS)
    expect((await readAll(table)).map((r) => r.cells[1])).toEqual(['北京某某科技有限公司', '㐀字号（扩展区）商行'])
  })

  it('takes a character cut by the 1 MB sniffing window for UTF-8, not for an error', async () => {
    let text = 'name,note\n'
    while (text.length < 1024 * 1024 - 200) text += `x,${'a'.repeat(60)}\n`
    // '企' is 3 bytes in UTF-8: pad so that it straddles byte 1,048,576.
    text += `y,${'b'.repeat(1024 * 1024 - Buffer.byteLength(text) - 3)}企业\n`
    expect(Buffer.from(text).indexOf(Buffer.from('企'))).toBe(1024 * 1024 - 1)
    const table = await openTable(await writeText(temp.path('boundary.csv'), text))
    expect(table.encoding).toBe('utf-8')
    expect((await readAll(table)).at(-1)?.cells[1]).toMatch(/^b+企业$/)
  })

  it('looks past a pure ASCII first megabyte before deciding on UTF-8', async () => {
    const rows = [['uscc', 'name']]
    for (let i = 0; i < 40_000; i++) rows.push(['91110000600037341L', `company ${i}`])
    rows.push(['91110000600037341L', '北京某某科技有限公司'])
    const path = await writeCsv(temp.path('late-chinese.csv'), rows, { encoding: 'gb18030' })
    const table = await openTable(path)
    expect(table.encoding).toBe('gb18030')
    const read = await readAll(table)
    expect(read.at(-1)).toEqual({ row: 40_002, cells: ['91110000600037341L', '北京某某科技有限公司'] })
  })

  it('reads UTF-16 with a BOM, tab-separated (Excel\'s "Unicode text")', async () => {
    for (const encoding of ['utf-16le', 'utf-16be'] as const) {
      const path = await writeCsv(temp.path(`unicode-${encoding}.txt`), [CHINESE_HEADERS, CHINESE_ROW], { encoding, delimiter: '\t' })
      const table = await openTable(path)
      expect(table).toMatchObject({ format: 'csv', encoding, headers: CHINESE_HEADERS })
      expect(await readAll(table)).toEqual([{ row: 2, cells: CHINESE_ROW }])
    }
  })
})

describe('CSV structure', () => {
  it('detects semicolons and tabs from the header line', async () => {
    const semi = await openTable(
      await writeCsv(
        temp.path('semi.csv'),
        [
          ['name', 'revenue'],
          ['A, B & Co', '1,5'],
        ],
        { delimiter: ';' },
      ),
    )
    expect(semi.headers).toEqual(['name', 'revenue'])
    expect((await readAll(semi))[0].cells).toEqual(['A, B & Co', '1,5'])
    const tabs = await openTable(
      await writeCsv(
        temp.path('tabs.csv'),
        [
          ['name', 'revenue'],
          ['A, B', '2'],
        ],
        { delimiter: '\t' },
      ),
    )
    expect((await readAll(tabs))[0].cells).toEqual(['A, B', '2'])
  })

  it("follows Excel's sep= line and does not count it as a row", async () => {
    const table = await openTable(await writeText(temp.path('sep.csv'), 'sep=;\r\nname;revenue\r\nA,B;3\r\n'))
    expect(table.headers).toEqual(['name', 'revenue'])
    expect(table.headerRow).toBe(1)
    expect(await readAll(table)).toEqual([{ row: 2, cells: ['A,B', '3'] }])
  })

  it('keeps commas, quotes and line breaks inside quoted cells, and the rows after them numbered as in Excel', async () => {
    const path = await writeText(
      temp.path('quoted.csv'),
      'name,address,note\r\n"Acme, Ltd","Line 1\r\nLine 2\r\nLine 3","say ""hi"""\r\nplain,"one\nline","x"\r\nlast,here,1\r\n',
    )
    expect(await readAll(await openTable(path))).toEqual([
      { row: 2, cells: ['Acme, Ltd', 'Line 1\r\nLine 2\r\nLine 3', 'say "hi"'] },
      { row: 3, cells: ['plain', 'one\nline', 'x'] },
      { row: 4, cells: ['last', 'here', '1'] },
    ])
  })

  it('accepts a stray quote inside an unquoted cell', async () => {
    const table = await openTable(await writeText(temp.path('stray.csv'), 'name,n\nThe "Best" Shop,1\n'))
    expect((await readAll(table))[0].cells).toEqual(['The "Best" Shop', '1'])
  })

  it('skips empty lines, before and after the header, keeping the true row numbers', async () => {
    const path = await writeText(temp.path('gaps.csv'), '\r\n , \r\nname,n\r\n\r\nA,1\r\n,,\r\n\r\nB,2\r\n\r\n\r\n')
    const table = await openTable(path)
    expect(table.headerRow).toBe(3)
    expect(await readAll(table)).toEqual([
      { row: 5, cells: ['A', '1'] },
      { row: 8, cells: ['B', '2'] },
    ])
  })

  it('pads short rows, keeps long ones, and drops trailing empty cells', async () => {
    const path = await writeText(temp.path('ragged.csv'), 'a,b,c,,\nonly\n1,2,3,4,5\n1,2,3,,,,,,\n')
    const table = await openTable(path)
    expect(table.headers).toEqual(['a', 'b', 'c'])
    expect((await readAll(table)).map((r) => r.cells)).toEqual([
      ['only', '', ''],
      ['1', '2', '3', '4', '5'],
      ['1', '2', '3'],
    ])
  })

  it('keeps duplicate and blank headers for the caller to judge, and trims them', async () => {
    const table = await openTable(await writeText(temp.path('dupes.csv'), ' 名称 ,,名称\nA,B,C\n'))
    expect(table.headers).toEqual(['名称', '', '名称'])
  })

  it('unwraps ="…" cells, the way systems keep long digit strings intact for Excel', async () => {
    const table = await openTable(await writeText(temp.path('formula-text.csv'), 'id,n\n="110105194912310020",="007"\n'))
    expect((await readAll(table))[0].cells).toEqual(['110105194912310020', '007'])
  })

  it('reads tab-separated text that a system exported under an .xls name', async () => {
    const path = await writeCsv(temp.path('export-text.xls'), [CHINESE_HEADERS, CHINESE_ROW], { encoding: 'gb18030', delimiter: '\t' })
    const table = await openTable(path, { fileName: '企业名单.xls' })
    expect(table).toMatchObject({ format: 'csv', encoding: 'gb18030', headers: CHINESE_HEADERS })
    expect(await readAll(table)).toEqual([{ row: 2, cells: CHINESE_ROW }])
  })

  it('is no error when there is a header and no data', async () => {
    const table = await openTable(await writeText(temp.path('header-only.csv'), 'name,uscc\r\n\r\n'))
    expect(table.headers).toEqual(['name', 'uscc'])
    expect(await readAll(table)).toEqual([])
  })

  it('lets rows be read once, and close be called again afterwards', async () => {
    const table = await openTable(await writeCsv(temp.path('once.csv'), [['a'], ['1'], ['2']]))
    for await (const row of table.rows) {
      expect(row.row).toBe(2)
      break
    }
    expect(() => table.rows[Symbol.asyncIterator]()).toThrow(/once/)
    await table.close()
    await table.close()
  })
})

describe('XLSX', () => {
  it("reads strings, numbers, dates, formulas, booleans, links and rich text as Excel shows them, with the sheet's row numbers", async () => {
    const path = await writeXlsx(temp.path('list.xlsx'), (sheet) => {
      sheet.getRow(1).values = ['统一社会信用代码', '企业名称', '营业收入（万元）', '注册日期', '合计', '身份证号', '备注']
      sheet.getRow(2).values = [
        '91110000600037341L',
        '北京某某科技有限公司',
        123.45,
        new Date(Date.UTC(2023, 1, 1)),
        { formula: 'C2*2', result: 246.9 },
        '110105194912310020',
        true,
      ]
      sheet.getCell('D2').numFmt = 'yyyy-mm-dd'
      // Row 3 left empty: row 4 stays row 4.
      sheet.getRow(4).values = [
        '92340602MA2PBMEM24',
        { richText: [{ text: '李记' }, { text: '小吃店', font: { bold: true } }] },
        0.1 + 0.2,
        new Date(Date.UTC(2023, 1, 1, 9, 30)),
        { formula: 'D4+1', result: 44959.5 },
        110105194912310020,
        { text: '官网', hyperlink: 'https://example.com' },
      ]
      sheet.getCell('D4').numFmt = 'yyyy-mm-dd hh:mm'
      sheet.getCell('E4').numFmt = 'yyyy"年"m"月"d"日"'
      sheet.getRow(5).values = [
        '91110000600037341L',
        { formula: 'UPPER("acme")', result: 'ACME' },
        1e-7,
        -0,
        1234567890123,
        'two\nlines',
        '',
      ]
    })
    const table = await openTable(path, { fileName: 'list.xlsx' })
    expect(table).toMatchObject({ format: 'xlsx', encoding: null, headerRow: 1 })
    expect(table.headers).toEqual(['统一社会信用代码', '企业名称', '营业收入（万元）', '注册日期', '合计', '身份证号', '备注'])
    expect(await readAll(table)).toEqual([
      { row: 2, cells: ['91110000600037341L', '北京某某科技有限公司', '123.45', '2023-02-01', '246.9', '110105194912310020', 'TRUE'] },
      {
        row: 4,
        cells: ['92340602MA2PBMEM24', '李记小吃店', '0.3', '2023-02-01T09:30:00', '2023-02-02T12:00:00', '110105194912310000', '官网'],
      },
      { row: 5, cells: ['91110000600037341L', 'ACME', '1e-7', '0', '1234567890123', 'two\nlines', ''] },
    ])
  })

  it('reads the first visible worksheet in tab order, whatever the ZIP order; inline strings; Chinese built-in date formats', async () => {
    const styles = `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="31" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`
    const bytes = zipBytes(
      xlsxParts({
        sheets: [
          {
            name: '说明',
            file: 'sheet1.xml',
            state: 'hidden',
            sheetData: '<row r="1"><c r="A1" t="inlineStr"><is><t>hidden</t></is></c></row>',
          },
          {
            name: '名单',
            file: 'sheet2.xml',
            sheetData:
              '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c></row>' +
              '<row r="3"><c r="A3" t="inlineStr"><is><t>北京某某_x000D_\n科技有限公司</t></is></c><c r="B3" s="1"><v>44958</v></c><c r="C3" s="2"><v>44959</v></c></row>' +
              '<row r="7"><c r="C7" t="n"><v>123.45000000000002</v></c></row>',
          },
          { name: 'Sheet3', file: 'sheet3.xml', sheetData: '<row r="1"><c r="A1" t="inlineStr"><is><t>third</t></is></c></row>' },
        ],
        styles,
        sharedStrings: ['企业名称', '注册日期', '核准日期'],
      }),
    )
    await writeFile(temp.path('tabs.xlsx'), bytes)
    const table = await openTable(temp.path('tabs.xlsx'))
    expect(table.headers).toEqual(['企业名称', '注册日期', '核准日期'])
    expect(table.headerRow).toBe(2)
    expect(await readAll(table)).toEqual([
      { row: 3, cells: ['北京某某\r\n科技有限公司', '2023-02-01', '2023-02-02'] },
      { row: 7, cells: ['', '', '123.45'] },
    ])
  })

  it('reads prefixed SpreadsheetML (as the OpenXML SDK writes it) and rows and cells without references', async () => {
    const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
    const parts = xlsxParts({ sheets: [{ name: 'a', file: 'sheet1.xml', sheetData: '' }], sharedStrings: ['企业名称'] })
    const sheet = parts.find((p) => p.name === 'xl/worksheets/sheet1.xml')!
    sheet.data =
      `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="${ns}"><x:sheetData>` +
      '<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:t>地址</x:t></x:is></x:c></x:row>' +
      '<x:row r="3"><x:c><x:v>1</x:v></x:c><x:c r="C3"><x:v>3</x:v></x:c><x:c><x:v>4</x:v></x:c></x:row>' +
      '<x:row><x:c r="B4" t="inlineStr"><x:is><x:t>b4</x:t></x:is></x:c></x:row>' +
      '</x:sheetData></x:worksheet>'
    await writeFile(temp.path('prefixed.xlsx'), zipBytes(parts))
    const table = await openTable(temp.path('prefixed.xlsx'))
    expect(table.headers).toEqual(['企业名称', '地址'])
    expect(await readAll(table)).toEqual([
      { row: 3, cells: ['1', '', '3', '4'] },
      { row: 4, cells: ['', 'b4'] },
    ])
  })

  it('reads what the sheet pass must decode: entities, rich inline runs without their phonetic guide, errors, empty and self-closed cells', async () => {
    const parts = xlsxParts({
      sheets: [
        {
          name: 'a',
          file: 'sheet1.xml',
          sheetData:
            '<row r="1"><c r="A1" t="inlineStr"><is><t>企业名称</t></is></c><c r="B1" t="inlineStr"><is><t>备注</t></is></c><c r="C1" t="inlineStr"><is><t>合计</t></is></c></row>' +
            '<row r="2" spans="1:3"><c r="A2" t="inlineStr"><is><r><t>李记</t></r><r><rPr><b/></rPr><t xml:space="preserve">小吃店 </t></r><rPh sb="0" eb="2"><t>リキ</t></rPh></is></c>' +
            '<c r="B2" t="str"><f>A1&amp;"x"</f><v>A &amp; B &lt;C&gt; &#x4E2D;&#22269;</v></c><c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>' +
            '<row r="3"><c r="A3" s="0"/><c r="B3"><v></v></c><c r="C3" t="inlineStr"><is><t/></is></c><c r="D3"><v>7</v></c></row>',
        },
      ],
    })
    await writeFile(temp.path('decode.xlsx'), zipBytes(parts))
    const table = await openTable(temp.path('decode.xlsx'))
    expect(table.headers).toEqual(['企业名称', '备注', '合计'])
    expect(await readAll(table)).toEqual([
      { row: 2, cells: ['李记小吃店 ', 'A & B <C> 中国', '#DIV/0!'] },
      { row: 3, cells: ['', '', '', '7'] },
    ])
  })

  it('treats a workbook whose sheet is empty as an empty file', async () => {
    const path = await writeXlsx(temp.path('blank.xlsx'), () => {})
    await expectFailure(path, 'file.empty')
  })
})

describe('files that are not a readable spreadsheet', () => {
  it('refuses random bytes, whatever the name says', async () => {
    const bytes = randomBytes(64 * 1024)
    await writeFile(temp.path('random.csv'), bytes)
    await writeFile(temp.path('random.xlsx'), bytes)
    await expectFailure(temp.path('random.csv'), 'file.notSpreadsheet', {}, { fileName: '名单.csv' })
    await expectFailure(temp.path('random.xlsx'), 'file.notSpreadsheet', {}, { fileName: '名单.xlsx' })
  })

  it('refuses a PDF, an image and a Word document in a ZIP', async () => {
    await writeFile(temp.path('doc.pdf'), '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n')
    await expectFailure(temp.path('doc.pdf'), 'file.notSpreadsheet')
    await writeFile(
      temp.path('photo.csv'),
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(100)]),
    )
    await expectFailure(temp.path('photo.csv'), 'file.notSpreadsheet')
    await writeFile(temp.path('letter.xlsx'), zipBytes([{ name: 'word/document.xml', data: '<w:document/>' }]))
    await expectFailure(temp.path('letter.xlsx'), 'file.notSpreadsheet')
  })

  it('calls an .xls without a readable workbook damaged, and names a password-protected workbook', async () => {
    // .xls is read now (read-table-real-lists.test.ts); this one has a Workbook stream but no sheet in it.
    await writeFile(temp.path('old.xls'), compoundFileBytes(['Workbook', '\u0005SummaryInformation']))
    await expectFailure(temp.path('old.xls'), 'file.corrupt')
    const encrypted = [
      '\u0006DataSpaces',
      'DataSpaceMap',
      'DataSpaceInfo',
      'StrongEncryptionDataSpace',
      'TransformInfo',
      'EncryptionInfo',
      'EncryptedPackage',
    ]
    await writeFile(temp.path('locked.xlsx'), compoundFileBytes(encrypted))
    await expectFailure(temp.path('locked.xlsx'), 'file.encrypted')
  })

  it('names a web page or XML export saved under a spreadsheet name', async () => {
    await writeText(
      temp.path('export.xls'),
      '<html><head><meta charset="utf-8"></head><body><table><tr><td>企业名称</td></tr></table></body></html>',
    )
    await expectFailure(temp.path('export.xls'), 'file.htmlOrXml')
  })

  it('calls an empty file, a BOM alone or blank lines empty', async () => {
    await writeFile(temp.path('zero.csv'), '')
    await expectFailure(temp.path('zero.csv'), 'file.empty')
    await writeFile(temp.path('bom-only.csv'), Buffer.from([0xef, 0xbb, 0xbf]))
    await expectFailure(temp.path('bom-only.csv'), 'file.empty')
    await writeText(temp.path('blank.csv'), '\r\n  \r\n,,,\r\n\t\r\n', 'utf-16le')
    await expectFailure(temp.path('blank.csv'), 'file.empty')
  })

  it('calls a truncated XLSX damaged', async () => {
    const path = await writeXlsx(temp.path('whole.xlsx'), (sheet) => {
      sheet.addRow(['a'])
      sheet.addRow(['b'])
    })
    const bytes = await readFile(path)
    await writeFile(temp.path('cut.xlsx'), bytes.subarray(0, Math.floor(bytes.length / 2)))
    await expectFailure(temp.path('cut.xlsx'), 'file.corrupt')
  })
})

describe('limits', () => {
  it('refuses a file over the size limit, saying the limit in MB', async () => {
    const path = await writeCsv(temp.path('big.csv'), [['name'], ...Array.from({ length: 200 }, (_, i) => [`company ${i}`])])
    expect((await stat(path)).size).toBe(2496)
    await expectFailure(path, 'file.tooLarge', { maxMb: 0.00195, sizeMb: 0.00238 }, { limits: { maxBytes: 2048 } })
    expect(await readAll(await openTable(path, { limits: { maxBytes: 2496 } }))).toHaveLength(200)
  })

  it('refuses a row with too many columns, in CSV and XLSX', async () => {
    const wide = Array.from({ length: 6 }, (_, i) => `c${i}`)
    await writeCsv(temp.path('wide.csv'), [['a', 'b'], ['1', '2'], wide])
    await expectFailure(temp.path('wide.csv'), 'file.tooManyColumns', { row: 3, max: 5 }, { limits: { maxColumns: 5 } })
    await writeXlsx(temp.path('wide.xlsx'), (sheet) => {
      sheet.addRow(['a', 'b'])
      sheet.getRow(4).values = wide
    })
    await expectFailure(temp.path('wide.xlsx'), 'file.tooManyColumns', { row: 4, max: 5 }, { limits: { maxColumns: 5 } })
  })

  it('refuses a cell that is too long, naming row and column', async () => {
    await writeCsv(temp.path('long-cell.csv'), [
      ['a', 'b', 'c'],
      ['1', '2', '3'],
      ['1', '2', 'x'.repeat(101)],
    ])
    await expectFailure(
      temp.path('long-cell.csv'),
      'file.cellTooLarge',
      { row: 3, column: 3, columnLetter: 'C', max: 100 },
      { limits: { maxCellChars: 100 } },
    )
  })

  it('refuses more data rows than the limit, and accepts exactly the limit', async () => {
    const rows = [['name'], ...Array.from({ length: 5 }, (_, i) => [`company ${i}`])]
    const path = await writeCsv(temp.path('rows.csv'), rows)
    await expectFailure(path, 'file.tooManyRows', { max: 4 }, { limits: { maxRows: 4 } })
    expect(await readAll(await openTable(path, { limits: { maxRows: 5 } }))).toHaveLength(5)
  })

  it('names the row of a quote that is never closed, at the end of the file or long before it', async () => {
    await writeText(temp.path('open-quote.csv'), 'name,n\r\nA,1\r\n"B,2\r\nC,3\r\n')
    await expectFailure(temp.path('open-quote.csv'), 'file.csvQuoteNotClosed', { row: 3 })
    const runaway = `name,n\r\nA,1\r\n"B,2\r\n${'C,3\r\n'.repeat(20_000)}`
    await writeText(temp.path('runaway-quote.csv'), runaway)
    await expectFailure(
      temp.path('runaway-quote.csv'),
      'file.csvQuoteNotClosed',
      { row: 3 },
      { limits: { maxColumns: 5, maxCellChars: 1000 } },
    )
  })

  it('refuses a line no row could fill (a wrong line break or delimiter)', async () => {
    await writeText(temp.path('one-line.csv'), `name,n\n${','.repeat(50_000)}\n`)
    await expectFailure(
      temp.path('one-line.csv'),
      'file.lineTooLong',
      { line: 2, max: 10 * (2 * 100 + 3) },
      { limits: { maxColumns: 10, maxCellChars: 100 } },
    )
  })
})

describe('zip bombs', () => {
  const sheetXml = (body: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${body}</sheetData></worksheet>`

  it('refuses a ZIP whose directory declares a huge uncompressed size, before inflating anything', async () => {
    const parts = xlsxParts({
      sheets: [{ name: 'a', file: 'sheet1.xml', sheetData: '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' }],
    })
    parts.push({ name: 'xl/media/image1.png', data: randomBytes(1000), stored: true, declaredSize: 0xfffffff0 })
    await writeFile(temp.path('declared.xlsx'), zipBytes(parts))
    await expectFailure(temp.path('declared.xlsx'), 'file.zipBomb')
  })

  it('refuses a real, highly compressible entry', async () => {
    const rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' + ' '.repeat(20 * 1024 * 1024)
    const parts = xlsxParts({ sheets: [{ name: 'a', file: 'sheet1.xml', sheetData: rows }] })
    await writeFile(temp.path('ratio.xlsx'), zipBytes(parts))
    await expectFailure(temp.path('ratio.xlsx'), 'file.zipBomb')
  })

  it('stops an entry that inflates to more than its directory declared', async () => {
    const parts = xlsxParts({ sheets: [{ name: 'a', file: 'sheet1.xml', sheetData: '' }] })
    const sheet = parts.find((p) => p.name === 'xl/worksheets/sheet1.xml')!
    const rows = Array.from(
      { length: 20_000 },
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>row ${i}</t></is></c></row>`,
    )
    sheet.data = sheetXml(rows.join(''))
    sheet.declaredSize = 2000
    await writeFile(temp.path('liar.xlsx'), zipBytes(parts))
    await expectFailure(temp.path('liar.xlsx'), 'file.zipBomb')
  })
})

describe('error messages', () => {
  it('has a message for every error code in Chinese and English, filling the parameters it is given', () => {
    for (const code of TABLE_ERROR_CODES) {
      expect(zhCN[code], code).toBeTruthy()
      expect(en[code], code).toBeTruthy()
    }
    expect(
      zhCN['file.cellTooLarge'].replace(/\{(\w+)\}/g, (_, name: string) =>
        String({ row: 3, column: 3, columnLetter: 'C', max: 100 }[name]),
      ),
    ).toBe('第 3 行 C 列（第 3 列）的内容超过 100 个字符。')
  })
})
