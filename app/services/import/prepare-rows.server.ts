// The CPU-heavy half of an import: reading the file, checking each row, and deriving the
// columns a new player would get. It runs in a worker thread for large files (so the main
// thread only writes to the database, and the server stays responsive) and in-line for
// small ones; both ways yield the same batches.
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import type { ListColumn } from '../../domain/list-columns'
import type { RowIssue, RowResult } from '../../domain/market-player'
import { parsePlayerRow } from '../../domain/player-row'
import { createAreaPlacer, withPlacedArea, type PlacementDivisions } from '../../domain/area-placement'
import { createPersonalDataCipher } from '../personal-data.server'
import { leadKey, matchKey } from '../../domain/name-search'
import { PLAYER_COLUMN_NAMES, insertValues, newPlayerColumns, type TownshipCentre } from '../player-record.server'
import { columnLetter, openTable, type TableLimits, type TableRow } from './read-table.server'
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

/** One row checked and, for a commit, derived: what every way of reading a file shares. */
export function rowPreparer(options: PrepareOptions): (row: number, cells: string[]) => PreparedRow {
  const pii = createPersonalDataCipher(options.dataKey)
  const centres = new Map(options.townshipCentres)
  const centreOf = (code: string) => centres.get(code)
  const placeArea = createAreaPlacer(options.divisions ?? { townships: [], counties: [] })
  const names = insertColumnsOf(options.jobColumns)
  const mapped = options.mapping.flatMap((column, i) => (column ? [[column, i] as const] : []))
  return (row, cells) => {
    const byColumn: Partial<Record<ListColumn, string>> = {}
    for (const [column, i] of mapped) byColumn[column] = cells[i] ?? ''
    const result = withPlacedArea(parsePlayerRow(byColumn, { acceptBadCheck: options.acceptBadCheck, today: options.today }), placeArea)
    if (cells.length > options.mapping.length) result.warnings.push(extraCells(cells, options.mapping.length))
    return {
      row,
      result,
      values: result.ok && options.derive ? insertValues(newPlayerColumns(result.fields, pii, centreOf), options.jobColumns, names) : null,
      key: rowKey(result),
      cells: result.ok ? null : cells,
    }
  }
}

/** The file's data rows (after the header, after `resumeAfter`), as read, in batches. */
export async function* readBatches(options: PrepareOptions): AsyncGenerator<TableRow[]> {
  const table = await openTable(options.filePath, { fileName: options.fileName, limits: options.limits })
  try {
    let batch: TableRow[] = []
    for await (const tableRow of table.rows) {
      if (tableRow.row <= options.resumeAfter) continue
      batch.push(tableRow)
      if (batch.length >= options.batchRows) {
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
  } finally {
    await table.close()
  }
}

/** Prepares the rows of a file in-line, in batches. */
export async function* prepareInline(options: PrepareOptions): AsyncGenerator<PreparedRow[]> {
  const prepare = rowPreparer(options)
  for await (const batch of readBatches(options)) yield batch.map(({ row, cells }) => prepare(row, cells))
}

const WORKER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'prepare-rows.worker.mjs')
const READER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'read-rows.worker.mjs')

/** What a reader thread sends a preparing thread on their port, and what it hears back. */
export type ReaderMessage = { rows: TableRow[] } | { done: true } | { error: SerialisedError }
export type PreparerMessage = { credit: number }

/**
 * Prepares the rows in a worker thread, at most two batches ahead of the consumer (one when
 * the rows come from a reader thread: it reads ahead). The worker reads the file itself, or
 * takes its batches of cells from `input`, a port of a reader thread (prepareInWorkers). The
 * worker starts at once, not at the first read. Errors in the worker (a file that turns
 * out unreadable half way) surface here as thrown.
 */
export function prepareInWorker(options: PrepareOptions, input?: MessagePort): AsyncGenerator<PreparedRow[]> {
  const worker = new Worker(WORKER_FILE, { workerData: { options, input }, transferList: input ? [input] : [], execArgv: [] })
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
  worker.postMessage({ credit: input ? 1 : 2 })
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
 * Prepares the rows in `threads` workers fed by one reader thread, which reads and parses
 * the file once and hands batch k of cells to worker k mod threads (0381: each worker used
 * to read the whole file itself and skip the others' rows, the same parse paid twice), and
 * yields the prepared batches in file order. An error in the file surfaces at its place:
 * the batches before it come first. `onRead` hears, once the reader is done, how many rows
 * it read (a test's witness that the file is read once).
 */
export async function* prepareInWorkers(options: PrepareOptions, threads: number, onRead?: (rows: number) => void): AsyncGenerator<PreparedRow[]> {
  const channels = Array.from({ length: threads }, () => new MessageChannel())
  const ports = channels.map((channel) => channel.port1)
  const reader = new Worker(READER_FILE, { workerData: { options, ports }, transferList: ports, execArgv: [] })
  // The reader sends its own file errors down the ports; a crash of the thread comes here.
  let readerFailed: (error: unknown) => void = () => {}
  const readerFailure = new Promise<never>((_, reject) => (readerFailed = reject))
  readerFailure.catch(() => {})
  reader.on('message', (message: { read?: number }) => {
    if (message.read !== undefined) onRead?.(message.read)
  })
  reader.on('error', (error) => readerFailed(error))
  reader.on('exit', (code) => {
    if (code !== 0) readerFailed(new Error(`import reader thread exited (code ${code})`))
  })
  const sources = channels.map((channel) => prepareInWorker(options, channel.port2))
  try {
    for (let turn = 0; ; turn = (turn + 1) % threads) {
      const next = await Promise.race([sources[turn].next(), readerFailure])
      if (next.done) return
      yield next.value
    }
  } finally {
    await Promise.all(sources.map((source) => source.return(undefined)))
    await reader.terminate()
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
