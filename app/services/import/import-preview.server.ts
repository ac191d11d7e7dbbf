// What a preview shows besides its counts: every column with the field it fills, how that
// was decided (a known header, this unit's remembered choice, or not known: not read) and
// sample values; and the first rows as they will be stored (fields, derived kind, size
// class, area and its basis, flags). Personal data is masked here, before it is stored.
import type { HeaderRecognition, ListColumn, RememberedHeaders } from '../../domain/list-columns'
import { normaliseHeader } from '../../domain/list-columns'
import { maskIdNumber, maskPhone } from '../../domain/masking'
import type { Message } from '../../i18n/index'
import { createAreaPlacer, type PlacementDivisions } from '../../domain/area-placement'
import type { PersonalDataCipher } from '../personal-data.server'
import { newPlayerColumns, type TownshipCentre } from '../player-record.server'
import { readListRow } from './prepare-rows.server'
import { columnLetter, type OpenedTable, type TableRow } from './read-table.server'

export interface PreviewColumn {
  index: number
  /** Its letter in the spreadsheet. */
  column: string
  header: string
  field: ListColumn | null
  how: 'known' | 'remembered' | 'ignored' | 'unknown' | 'blank'
  samples: string[]
}

export interface PreviewRow {
  row: number
  ok: boolean
  /** Stored columns worth showing, personal data masked; null when the row is refused. */
  stored: Record<string, string | number | null> | null
  problems: { field: string; message: Message }[]
}

export interface ImportPreview {
  columns: PreviewColumn[]
  rows: PreviewRow[]
}

const SAMPLE_ROWS = 10
/** What a manager checks at a glance; `area_basis` only once area placement fills it. */
const SHOWN = ['name', 'uscc', 'kind', 'legal_representative', 'phone_masked', 'registration_status', 'address', 'area_code', 'area_basis', 'size_class', 'tax_grade', 'candidate_status', 'lead_to_verify']

/** Reads the first rows of an opened table (it is then closed by the caller) and describes them. */
export async function buildImportPreview(
  table: OpenedTable,
  recognised: HeaderRecognition,
  remembered: RememberedHeaders,
  options: { acceptBadCheck: boolean; today: string; pii: PersonalDataCipher; centreOf: (township: string) => TownshipCentre | undefined; divisions?: PlacementDivisions },
): Promise<ImportPreview> {
  const rows: TableRow[] = []
  for await (const row of table.rows) {
    rows.push(row)
    if (rows.length >= SAMPLE_ROWS) break
  }
  const rememberedKeys = new Set(Object.keys(remembered).map(normaliseHeader))
  const columns: PreviewColumn[] = table.headers.map((header, index) => {
    const field = recognised.columns[index]
    const key = normaliseHeader(header)
    const how: PreviewColumn['how'] =
      key === '' ? 'blank' : rememberedKeys.has(key) ? (field ? 'remembered' : 'ignored') : field ? 'known' : recognised.unknown.some((u) => u.index === index) ? 'unknown' : 'ignored'
    const samples = rows
      .map((r) => (r.cells[index] ?? '').trim())
      .filter(Boolean)
      .slice(0, 3)
      .map((value) => maskSample(value, field))
    return { index, column: columnLetter(index + 1), header, field, how, samples }
  })
  // Read as the commit reads them (area placed, extra cells warned), so what is shown is what is stored.
  const placeArea = createAreaPlacer(options.divisions ?? { townships: [], counties: [] })
  const previewRows = rows.map(({ row, cells }) => {
    const result = readListRow(cells, recognised.columns, { acceptBadCheck: options.acceptBadCheck, today: options.today }, placeArea)
    const problems = [...(result.ok ? [] : result.errors), ...result.warnings].map((p) => ({ field: p.field, message: p.message }))
    if (!result.ok) return { row, ok: false, stored: null, problems }
    const columnsOf = newPlayerColumns(result.fields, options.pii, options.centreOf) as Record<string, unknown>
    const stored: Record<string, string | number | null> = {}
    for (const name of SHOWN) if (name in columnsOf) stored[name] = (columnsOf[name] as string | number | null) ?? null
    return { row, ok: true, stored, problems }
  })
  return { columns, rows: previewRows }
}

/** Phones and ID numbers masked; in a column not read, any long run of digits too. */
function maskSample(value: string, field: ListColumn | null): string {
  if (field === 'phone') return maskPhone(value)
  if (field === 'idNumber') return maskIdNumber(value)
  if (field === null) return value.replace(/\d{7,}[\dXx]?/g, (digits) => maskIdNumber(digits))
  return value
}
