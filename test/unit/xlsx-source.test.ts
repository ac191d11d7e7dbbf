// The contract between xlsx-source.server.ts and exceljs's internals: the streaming reader's
// part parsers it calls by name. exceljs is pinned exactly; an upgrade that moves these
// fails here first, not on a manager's upload.
import { createRequire } from 'node:module'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)

describe('exceljs internals used by the XLSX reader', () => {
  it('is the pinned version, in package.json and installed', () => {
    const manifest = require('../../package.json') as { dependencies: Record<string, string> }
    expect(manifest.dependencies.exceljs).toBe('4.4.0')
    expect((require('exceljs/package.json') as { version: string }).version).toBe('4.4.0')
  })

  it('offers the part parsers the reader calls', () => {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader('unused.xlsx', { worksheets: 'emit', sharedStrings: 'emit', styles: 'cache' }) as unknown as Record<string, unknown>
    for (const method of ['_parseWorkbook', '_parseRels', '_parseStyles', '_parseSharedStrings']) {
      expect(typeof reader[method], method).toBe('function')
    }
    expect(reader.styles).toBeDefined()
    // A cell's number format comes from the parsed styles by style index.
    expect(typeof (reader.styles as Record<string, unknown>).getStyleModel).toBe('function')
  })
})
