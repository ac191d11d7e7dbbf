// The server's heaviest packages, loaded on first use instead of with the build: exceljs,
// ECharts, pdf-lib and its fontkit cost ~1.25 CPU-s to load together, most of the ~1.8 s that
// loading the build takes, and a server start or a command-line tool pays it before its
// first request, though only an XLSX, a dashboard chart or a consent form needs one
// (decision 0702). Each is loaded once per thread; the first use waits for it.
import type ExcelJSModule from 'exceljs'
import type * as EChartsModule from 'echarts'
import type * as PdfLibModule from 'pdf-lib'
import type FontkitModule from '@pdf-lib/fontkit'

/** A CommonJS package's exports, whether Node hands them over as `default` or as the namespace. */
function exportsOf<T>(module: unknown): T {
  return ((module as { default?: T }).default ?? module) as T
}

let excelJs: Promise<typeof ExcelJSModule> | null = null
export function loadExcelJs(): Promise<typeof ExcelJSModule> {
  excelJs ??= import('exceljs').then((m) => exportsOf<typeof ExcelJSModule>(m))
  return excelJs
}

let echarts: Promise<typeof EChartsModule> | null = null
export function loadECharts(): Promise<typeof EChartsModule> {
  echarts ??= import('echarts')
  return echarts
}

let pdfLib: Promise<{ pdfLib: typeof PdfLibModule; fontkit: typeof FontkitModule }> | null = null
export function loadPdfLib(): Promise<{ pdfLib: typeof PdfLibModule; fontkit: typeof FontkitModule }> {
  pdfLib ??= Promise.all([import('pdf-lib'), import('@pdf-lib/fontkit')]).then(([lib, kit]) => ({ pdfLib: lib, fontkit: exportsOf<typeof FontkitModule>(kit) }))
  return pdfLib
}
