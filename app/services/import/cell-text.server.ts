// Cell values as the text Excel shows, shared by the XLSX and XLS readers.

export function cellText(value: unknown, numFmt: string | undefined, date1904: boolean): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return excelUnescape(value)
  if (typeof value === 'number') return numberText(value)
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return dateText(value.getTime(), date1904)
  if (typeof value !== 'object') return String(value)
  const v = value as Record<string, unknown>
  if ('formula' in v || 'sharedFormula' in v || 'result' in v) {
    // A formula's cached result; exceljs leaves a date-formatted result a serial number.
    const result = v.result
    if (typeof result === 'number' && isDateFormat(numFmt)) return dateText(serialToTime(result, date1904), date1904)
    return cellText(result, undefined, date1904)
  }
  if (Array.isArray(v.richText)) return excelUnescape(v.richText.map((run: { text?: unknown }) => String(run?.text ?? '')).join(''))
  if ('text' in v) return cellText(v.text, numFmt, date1904) // a hyperlink
  if ('error' in v) return String(v.error)
  return ''
}

/** A shared string as stored (escapes are undone when a cell reads it): text or rich text. */
export function sharedStringText(value: unknown): string {
  if (typeof value === 'string') return value
  const runs = (value as { richText?: unknown } | null)?.richText
  return Array.isArray(runs) ? runs.map((run: { text?: unknown }) => String(run?.text ?? '')).join('') : ''
}

/** As Excel shows a number: at most 15 significant digits, so no binary float noise. */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) return ''
  if (Number.isSafeInteger(n)) return String(n)
  return String(Number(n.toPrecision(15)))
}

const DAY_MS = 86_400_000
const EPOCH_1900 = Date.UTC(1899, 11, 30)
const EPOCH_1904 = Date.UTC(1904, 0, 1)

export function serialToTime(serial: number, date1904: boolean): number {
  return (date1904 ? EPOCH_1904 : EPOCH_1900) + serial * DAY_MS
}

/** YYYY-MM-DD, YYYY-MM-DDTHH:mm:ss when there is a time, HH:mm:ss for a time alone. */
export function dateText(time: number, date1904: boolean): string {
  if (!Number.isFinite(time)) return ''
  const rounded = Math.round(time / 1000) * 1000
  const iso = new Date(rounded).toISOString()
  const epoch = date1904 ? EPOCH_1904 : EPOCH_1900
  if (rounded >= epoch && rounded < epoch + DAY_MS) return iso.slice(11, 19)
  return rounded % DAY_MS === 0 ? iso.slice(0, 10) : iso.slice(0, 19)
}

export function isDateFormat(format: string | undefined): boolean {
  if (!format) return false
  const bare = format.replace(/\[[^\]]*]|"[^"]*"|\\.|_.|\*./g, '')
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim())
}

/** Excel writes characters XML cannot hold as _xHHHH_ (a line break as _x000D_). */
export function excelUnescape(text: string): string {
  return text.includes('_x') ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text
}

