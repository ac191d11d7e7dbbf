// The CPU-heavy half of an import: reading the file, checking each row, and deriving the
// columns a new player would get. It runs in a worker thread for large files (so the main
// thread only writes to the database, and the server stays responsive) and in-line for
// small ones; both ways yield the same batches.
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { ListColumn } from '../../domain/list-columns'
import type { RowIssue, RowResult } from '../../domain/market-player'
import { parsePlayerRow } from '../../domain/player-row'
import { createAreaPlacer, withPlacedArea, type AreaPlacer, type PlacementDivisions } from '../../domain/area-placement'
import { createPersonalDataCipher } from '../personal-data.server'
import { leadKey, matchKey } from '../../domain/name-search'
import { PLAYER_COLUMN_NAMES, insertValues, newPlayerColumns, type TownshipCentre } from '../player-record.server'
import { columnLetter, openTable, type TableLimits } from './read-table.server'
import { reviveError, type SerialisedError } from './thread-errors.server'

export interface PreparedRow {
  row: number
  result: RowResult
  /** The row's values for an insert (INSERT_COLUMNS order) if it makes a new player:
   * derived ahead, used or not. */
  values: unknown[] | null
  /** How the row finds its player: `u:<uscc>` or `h:<name|owner|address>`. */
  key: string | null
  /** The cells as read, kept only for rejected rows (for the download). */
  cells: string[] | null
}

export interface PrepareOptions {
  filePath: string
  fileName: string
  limits?: Partial<TableLimits>
  /** The list column at each position of the header row (null: ignored). */
  mapping: (ListColumn | null)[]
  acceptBadCheck: boolean
  today: string
  /** Rows at or before this spreadsheet row are skipped (a resumed job). */
  resumeAfter: number
  batchRows: number
  dataKey: string
  townshipCentres: [string, TownshipCentre][]
  /** The divisions the bank serves, to place rows that come without an area code. */
  divisions?: PlacementDivisions
  /** Whether to derive new-player columns (a commit needs them, a preview does not). */
  derive: boolean
  /** The columns every new player of the job gets (org unit, source, job, times). */
  jobColumns: Record<string, unknown>
  /** Only every `of`-th batch, starting with batch `index` (0-based), when several
   * threads share a file: the other batches' rows are read past, not checked. */
  share?: { index: number; of: number }
}

/** The columns of an import's inserts, in order: the player's, then the job's. */
export function insertColumnsOf(jobColumns: Record<string, unknown>): string[] {
  return [...PLAYER_COLUMN_NAMES, ...Object.keys(jobColumns)]
}

/** Cells beyond the last header are not read, and never in silence. */
function extraCells(cells: string[], width: number): RowIssue {
  const extra = cells.slice(width)
  const first = columnLetter(width + 1)
  const last = columnLetter(cells.length)
  const values = extra.map((c) => c.trim()).filter(Boolean).join(' | ')
  return {
    field: first === last ? `@${first}` : `@${first}–${last}`,
    message: { key: 'row.extraCells', params: { count: extra.length, values: values.length > 80 ? `${values.slice(0, 80)}…` : values } },
  }
}

/**
 * One list row as the import reads it, in the preview as in the commit: its cells by the
 * header's mapping, the row's rules, its area placed when the list gives none, and cells
 * beyond the header as a warning.
 */
export function readListRow(cells: string[], mapping: (ListColumn | null)[], parse: { acceptBadCheck: boolean; today: string }, placeArea: AreaPlacer): RowResult {
  const byColumn: Partial<Record<ListColumn, string>> = {}
  mapping.forEach((column, i) => {
    if (column) byColumn[column] = cells[i] ?? ''
  })
  const result = withPlacedArea(parsePlayerRow(byColumn, parse), placeArea)
  if (cells.length > mapping.length) result.warnings.push(extraCells(cells, mapping.length))
  return result
}

/** How a row finds its player: its USCC; for a household without one, name + owner +
 * address; for an enterprise without one (a lead to verify), name + address. */
export function rowKey(result: RowResult): string | null {
  if (!result.ok) return null
  const fields = result.fields
  if (fields.uscc) return `u:${fields.uscc}`
  if (fields.kind === 'enterprise') return `l:${leadKey(fields)}`
  if (fields.kind === 'household') {
    const key = matchKey(fields)
    return key ? `h:${key}` : null
  }
  return null
}

/** Prepares the rows of a file in-line, in batches. */
export async function* prepareInline(options: PrepareOptions): AsyncGenerator<PreparedRow[]> {
  const pii = createPersonalDataCipher(options.dataKey)
  const centres = new Map(options.townshipCentres)
  const centreOf = (code: string) => centres.get(code)
  const placeArea = createAreaPlacer(options.divisions ?? { townships: [], counties: [] })
  const names = insertColumnsOf(options.jobColumns)
  const table = await openTable(options.filePath, { fileName: options.fileName, limits: options.limits })
  const share = options.share ?? { index: 0, of: 1 }
  try {
    let batch: PreparedRow[] = []
    let batchNumber = 0
    let skipped = 0
    for await (const { row, cells } of table.rows) {
      if (row <= options.resumeAfter) continue
      if (batchNumber % share.of !== share.index) {
        if (++skipped === options.batchRows) {
          skipped = 0
          batchNumber++
        }
        continue
      }
      const result = readListRow(cells, options.mapping, { acceptBadCheck: options.acceptBadCheck, today: options.today }, placeArea)
      batch.push({
        row,
        result,
        values: result.ok && options.derive ? insertValues(newPlayerColumns(result.fields, pii, centreOf), options.jobColumns, names) : null,
        key: rowKey(result),
        cells: result.ok ? null : cells,
      })
      if (batch.length >= options.batchRows) {
        yield batch
        batch = []
        batchNumber++
      }
    }
    if (batch.length > 0) yield batch
  } finally {
    await table.close()
  }
}

const WORKER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'prepare-rows.worker.mjs')

/**
 * Prepares the rows in a worker thread, at most two batches ahead of the consumer (one when
 * it shares the file with other workers). The
 * worker starts at once, not at the first read. Errors in the worker (a file that turns
 * out unreadable half way) surface here as thrown.
 */
export function prepareInWorker(options: PrepareOptions): AsyncGenerator<PreparedRow[]> {
  const worker = new Worker(WORKER_FILE, { workerData: options, execArgv: [] })
  const queue: PreparedRow[][] = []
  let done = false
  let failure: unknown = null
  let wake: (() => void) | null = null
  const notify = () => {
    wake?.()
    wake = null
  }
  worker.on('message', (message: { batch?: PreparedRow[]; done?: true; error?: SerialisedError }) => {
    if (message.batch) queue.push(message.batch)
    if (message.done) done = true
    if (message.error) {
      failure = reviveError(message.error, 'import reader thread')
      done = true
    }
    notify()
  })
  worker.on('error', (error) => {
    failure = error
    done = true
    notify()
  })
  worker.on('exit', () => {
    done = true
    notify()
  })
  // Two batches ahead keeps a lone worker busy; one ahead each is enough when several share the file.
  worker.postMessage({ credit: options.share && options.share.of > 1 ? 1 : 2 })
  return (async function* () {
    try {
      for (;;) {
        if (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve))
        if (queue.length > 0) {
          worker.postMessage({ credit: 1 })
          yield queue.shift()!
          continue
        }
        if (failure) throw failure
        if (done) return
      }
    } finally {
      await worker.terminate()
    }
  })()
}

/**
 * Prepares the rows in `threads` workers, each taking every threads-th batch (and reading
 * past the others' rows), and yields the batches in file order. An error in the file
 * surfaces at its place: the batches before it come first.
 */
export async function* prepareInWorkers(options: PrepareOptions, threads: number): AsyncGenerator<PreparedRow[]> {
  const sources = Array.from({ length: threads }, (_, index) => prepareInWorker({ ...options, share: { index, of: threads } }))
  try {
    for (let turn = 0; ; turn = (turn + 1) % threads) {
      const next = await sources[turn].next()
      if (next.done) return
      yield next.value
    }
  } finally {
    await Promise.all(sources.map((source) => source.return(undefined)))
  }
}

/**
 * Workers pay off above a few megabytes and with a second core to run on. Two of them:
 * checking and deriving rows costs more than writing them, so one alone would keep the
 * writer waiting.
 */
export function prepareRows(options: PrepareOptions, fileBytes: number): AsyncGenerator<PreparedRow[]> {
  return fileBytes > 4 * 1024 * 1024 && os.availableParallelism() > 1 ? prepareInWorkers(options, 2) : prepareInline(options)
}
