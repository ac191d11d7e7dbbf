// One batch of prepared rows applied in one transaction with the job's progress: which
// rows make new players, which update known ones, and what is recorded about each row.
// Used on the server's own thread and on a writer thread (commit-workers.server.ts).
import type { Kysely } from 'kysely'
import type { Database, ImportJob, MarketPlayer } from '../../../db/schema'
import { insertRows, withoutIndex } from '../../../db/dialect.server'
import type { ListColumn } from '../../domain/list-columns'
import type { PlayerFields, RowIssue } from '../../domain/market-player'
import type { Message } from '../../i18n/index'
import type { Db } from '../audit.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { maskIdNumber, maskPhone } from '../../domain/masking'
import { insertValues, newPlayerColumns, playerChanges, type TownshipCentre } from '../player-record.server'
import { orgSubtreeIds } from '../scope.server'
import { insertColumnsOf, type PreparedRow, type PrepareOptions } from './prepare-rows.server'

type Mode = 'preview' | 'commit'

/** One problem with one row, as the preview, the download and the CLI show it. */
export interface RowProblem {
  column: string
  message: Message
}

export interface ImportCounts {
  totalRows: number
  inserted: number
  updated: number
  unchanged: number
  rejected: number
  warnings: number
  matches: number
}

/** What a thread needs besides the job to apply its batches: plain data, so that it can
 * be handed to a writer thread. */
export interface BatchSetup {
  headers: string[]
  prepare: PrepareOptions
}

export interface BatchContext {
  db: Kysely<Database>
  pii: PersonalDataCipher
  job: ImportJob
  mode: Mode
  centreOf: (township: string) => TownshipCentre | undefined
  columnHeader: (field: string) => string
  /** Preview only (nothing is written to find them by): the first row of each player in
   * the file, by a hash of its key, so a player named twice counts once. */
  seen: Map<number, number>
  /** Positions of the columns that hold personal data (phone, ID number). */
  personalColumns: number[]
  /** The job's counts so far; each applied batch adds its own. */
  counts: ImportCounts
  mergeHouseholds: boolean
  jobColumns: Record<string, unknown>
  /** The importing unit's path, read at the first batch: what the job may touch. */
  orgPath?: string
}

export function batchContext(db: Kysely<Database>, pii: PersonalDataCipher, job: ImportJob, mode: Mode, setup: BatchSetup, counts: ImportCounts): BatchContext {
  const centres = new Map(setup.prepare.townshipCentres)
  return {
    db,
    pii,
    job,
    mode,
    centreOf: (code) => centres.get(code),
    columnHeader(field) {
      const index = setup.prepare.mapping.indexOf(field as ListColumn)
      if (field.startsWith('@')) return field.slice(1)
      return index >= 0 ? setup.headers[index] : field
    },
    seen: new Map(),
    personalColumns: setup.prepare.mapping.flatMap((column, i) => (column === 'phone' || column === 'idNumber' ? [i] : [])),
    counts,
    mergeHouseholds: job.merge_households === 1,
    jobColumns: setup.prepare.jobColumns,
  }
}


const ISSUE_COLUMNS = ['job_id', 'row', 'severity', 'issues', 'cells', 'cells_enc', 'player_id'] as const

type Issue = { row: number; severity: 'rejected' | 'warning' | 'match'; issues: RowProblem[]; cells: string[] | null; playerId: number | null }

/** Applies one batch of prepared rows in one transaction with the job's progress. */
export async function applyImportBatch(ctx: BatchContext, batch: PreparedRow[]) {
  const counts = await ctx.db.transaction().execute((trx) => applyBatchIn(ctx, trx, batch, ctx.counts))
  // Only a committed batch counts.
  Object.assign(ctx.counts, counts)
}

/**
 * Applies one batch inside a transaction the caller holds (the writer thread may apply
 * several in one, see commit-rows.worker.ts), counting from `before`; returns the counts
 * after it, which count once the transaction commits.
 */
export async function applyBatchIn(ctx: BatchContext, trx: Kysely<Database>, batch: PreparedRow[], before: ImportCounts): Promise<ImportCounts> {
  const { db, job } = ctx
  const keys = batch.map((r) => r.key).filter((k): k is string => k !== null)
  const problems = (list: RowIssue[]): RowProblem[] => list.map((i) => ({ column: ctx.columnHeader(i.field), message: maskedMessage(i) }))
  const counts = { ...before }
  const issues: Issue[] = []

  const now = new Date().toISOString()
  // A write first: on SQLite the transaction then waits its turn for the write lock
  // (busy_timeout) instead of failing on a snapshot another connection moved past.
  await trx.updateTable('import_jobs').set({ heartbeat_at: now }).where('id', '=', job.id).execute()
  ctx.orgPath ??= (await trx.selectFrom('org_units').select('path').where('id', '=', job.org_unit_id).executeTakeFirstOrThrow()).path
  const existing = await findExisting(trx, keys, ctx.orgPath)
  // Leads not known yet, and a player with a code and the same name they may be.
  const leadNames = batch.flatMap((r) => (r.result.ok && r.key?.startsWith('l:') && !existing.has(r.key) ? [r.result.fields.name] : []))
  const codedByName = await findCodedByName(trx, leadNames)
  const leadMatches: { key: string; playerId: number }[] = []
  // New players of this batch, by key: the first row inserts, later rows fill it in.
  const pending = new Map<string, { row: number; fields: PlayerFields; values: unknown[] | null }>()
  const unkeyed: { fields: PlayerFields; values: unknown[] | null }[] = []

  for (const parsed of batch) {
    counts.totalRows++
    const { result } = parsed
    if (!result.ok) {
      counts.rejected++
      issues.push({ row: parsed.row, severity: 'rejected', issues: problems([...result.errors, ...result.warnings]), cells: parsed.cells, playerId: null })
      continue
    }
    const warnings = problems(result.warnings)
    const key = parsed.key
    const keyColumn = ctx.columnHeader(key?.startsWith('u:') ? 'uscc' : 'name')
    let target = key ? existing.get(key) : undefined

    if (target && key!.startsWith('h:') && target.import_job_id !== job.id) {
      counts.matches++
      issues.push({ row: parsed.row, severity: 'match', issues: [{ column: keyColumn, message: { key: 'import.householdMatch', params: { id: target.id } } }], cells: null, playerId: target.id })
      if (!ctx.mergeHouseholds) target = undefined
    }

    if (!target && key?.startsWith('l:')) {
      const coded = codedByName.get(result.fields.name)
      if (coded !== undefined) {
        // Never merged in silence: the lead is kept apart, the likely match named.
        counts.matches++
        issues.push({ row: parsed.row, severity: 'match', issues: [{ column: ctx.columnHeader('name'), message: { key: 'import.leadMatch', params: { id: coded } } }], cells: null, playerId: coded })
        leadMatches.push({ key: key.slice(2), playerId: coded })
      }
    }

    const earlierRow = key ? (ctx.mode === 'preview' ? ctx.seen.get(hashKey(key)) : pending.get(key)?.row) : undefined
    if (earlierRow !== undefined || (target && target.import_job_id === job.id)) {
      warnings.push({ column: keyColumn, message: earlierRow ? { key: 'import.duplicateInFile', params: { row: earlierRow } } : { key: 'import.duplicateInFileEarlier' } })
    }

    if (target) {
      if ('outOfScope' in target) {
        counts.rejected++
        issues.push({ row: parsed.row, severity: 'rejected', issues: [{ column: keyColumn, message: { key: 'import.otherOrgUnit' } }], cells: parsed.cells ?? [], playerId: null })
        continue
      }
      const { changes, said } = playerChanges(target, result.fields, ctx.pii, ctx.centreOf)
      if (Object.keys(said).length === 0) {
        counts.unchanged++
        // A firm on a working group's list (or a platform's) is on it even when nothing
        // changed: record it, so the list's channel and clocks reach it (services/clocks).
        if (ctx.mode === 'commit' && job.channel !== 'own_list') {
          await trx.insertInto('player_sources').values({ player_id: target.id, source: job.source, import_job_id: job.id, row: parsed.row, at: now, said: '{}' }).execute()
        }
      } else {
        counts.updated++
        if (ctx.mode === 'commit') {
          await trx.updateTable('market_players').set({ ...changes, updated_at: now }).where('id', '=', target.id).execute()
          await trx
            .insertInto('player_sources')
            .values({ player_id: target.id, source: job.source, import_job_id: job.id, row: parsed.row, at: now, said: JSON.stringify(said) })
            .execute()
          existing.set(key!, { ...target, ...(changes as Partial<MarketPlayer>) })
        }
      }
    } else if (earlierRow !== undefined) {
      counts.updated++
      const first = pending.get(key!)
      if (first) {
        for (const [k, v] of Object.entries(result.fields)) if (v !== null) (first.fields as unknown as Record<string, unknown>)[k] = v
        first.values = null // derived again from the merged fields below
      }
    } else {
      counts.inserted++
      if (!key) unkeyed.push({ fields: result.fields, values: parsed.values })
      else if (ctx.mode === 'preview') ctx.seen.set(hashKey(key), parsed.row)
      else pending.set(key, { row: parsed.row, fields: result.fields, values: parsed.values })
    }
    if (warnings.length) {
      counts.warnings++
      issues.push({ row: parsed.row, severity: 'warning', issues: warnings, cells: null, playerId: null })
    }
  }

  if (ctx.mode === 'commit') {
    const names = insertColumnsOf(ctx.jobColumns)
    const rows = [...pending.values(), ...unkeyed].map(
      ({ fields, values }) => values ?? insertValues(newPlayerColumns(fields, ctx.pii, ctx.centreOf), ctx.jobColumns, names),
    )
    await insertRows(db, trx, 'market_players', names, rows)
    for (const match of leadMatches) {
      await trx
        .updateTable('market_players')
        .set({ lead_match_id: match.playerId })
        .where('match_key', '=', match.key)
        .where('import_job_id', '=', job.id)
        .where('uscc', 'is', null)
        .execute()
    }
  }
  // Through statements prepared once for a few row counts, like the players: a batch's
  // issues are as many as its rows had, and each count would be a statement of its own.
  await insertRows(
    db,
    trx,
    'import_issues',
    ISSUE_COLUMNS,
    issues.map((issue) => [
      job.id,
      issue.row,
      issue.severity,
      JSON.stringify(issue.issues),
      // The cells as read hold phones and ID numbers: kept encrypted, shown masked.
      issue.cells ? JSON.stringify(maskCells(issue.cells, ctx.personalColumns)) : null,
      issue.cells ? ctx.pii.encrypt(JSON.stringify(issue.cells)) : null,
      issue.playerId,
    ]),
  )
  await trx
    .updateTable('import_jobs')
    .set({
      rows_done: counts.totalRows,
      total_rows: counts.totalRows,
      // Only a commit moves the resume point: a preview writes no player.
      ...(ctx.mode === 'commit' ? { last_row: batch.at(-1)!.row } : {}),
      inserted: counts.inserted,
      updated: counts.updated,
      unchanged: counts.unchanged,
      rejected: counts.rejected,
      warnings: counts.warnings,
      matches: counts.matches,
    })
    .where('id', '=', job.id)
    .execute()
  return counts
}

/** A 53-bit hash of a key (two FNV-1a halves): a million of them fit in a few megabytes. */
function hashKey(key: string): number {
  let a = 0x811c9dc5
  let b = 0x01000193
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193) >>> 0
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0
  }
  return (a & 0x1fffff) * 2 ** 32 + b
}

/** A player the importing unit's subtree does not hold: it is reported, never read or touched. */
interface OutOfScope {
  outOfScope: true
  id: number
  import_job_id: number | null
}

const KEY_COLUMNS = { u: 'uscc', h: 'match_key', l: 'match_key' } as const
const CHUNK = 500
const IN_LIST_SIZES = [4, 16, 64, 128, 256, CHUNK]

/**
 * An IN list padded (with its last value again) to one of a few lengths. A connection keeps
 * its last 500 prepared statements (db/connection.server.ts), and a statement with a
 * 500-value list takes about 80 KB of native memory: with the list as long as each batch's
 * mix of keys made it, every batch prepared new ones, and a large import's writer grew by
 * tens of megabytes it never gave back (0241).
 */
export function padded<T>(values: T[]): T[] {
  const size = IN_LIST_SIZES.find((n) => n >= values.length) ?? values.length
  if (values.length === 0 || size === values.length) return values
  return [...values, ...Array<T>(size - values.length).fill(values.at(-1)!)]
}

/**
 * The players the keys name, within the importing unit's subtree (the scope helper, in the
 * query); for keys it does not hold, whether a player elsewhere has them, by id alone, so the
 * row is reported and nothing of that player is loaded. Households and leads have no code:
 * the first by id without one.
 */
async function findExisting(db: Db, keys: string[], orgPath: string): Promise<Map<string, MarketPlayer | OutOfScope>> {
  const found = new Map<string, MarketPlayer | OutOfScope>()
  for (const kind of ['l', 'u', 'h'] as const) {
    const column = KEY_COLUMNS[kind]
    const values = keys.filter((k) => k.startsWith(`${kind}:`)).map((k) => k.slice(2))
    const keyOf = (p: { uscc: string | null; match_key: string | null }) => (kind === 'u' ? p.uscc : p.uscc === null ? p.match_key : null)
    for (let i = 0; i < values.length; i += CHUNK) {
      const chunk = padded(values.slice(i, i + CHUNK))
      // Filtered here, not in SQL: `uscc is null` would tempt the planner onto the USCC index.
      for (const p of await existingInScope(db, column, chunk, orgPath).execute()) {
        const key = keyOf(p)
        if (key !== null && !found.has(`${kind}:${key}`)) found.set(`${kind}:${key}`, p)
      }
      const missing = chunk.filter((v) => !found.has(`${kind}:${v}`))
      if (missing.length === 0) continue
      const elsewhere = await db.selectFrom('market_players').select(['id', 'uscc', 'match_key', 'import_job_id']).where(column, 'in', padded(missing)).orderBy('id').execute()
      for (const p of elsewhere) {
        const key = keyOf(p)
        if (key !== null && !found.has(`${kind}:${key}`)) found.set(`${kind}:${key}`, { outOfScope: true, id: p.id, import_job_id: p.import_job_id })
      }
    }
  }
  return found
}

/**
 * The players of the importing unit's subtree with one of `values` in `column`. The unit
 * column is kept off its index: given 500 keys and no statistics (a fresh import), SQLite's
 * planner chose market_players_org and read every player of the unit for each chunk, so
 * each batch took longer than the last (0241).
 */
export function existingInScope(db: Db, column: 'uscc' | 'match_key', values: string[], orgPath: string) {
  return db
    .selectFrom('market_players')
    .selectAll()
    .where(column, 'in', values)
    .where((eb) => eb(withoutIndex(db, 'market_players.org_unit_id'), 'in', orgSubtreeIds(eb, orgPath)))
    .orderBy('id')
}

/** Players with a code whose name is exactly one of `names` (the first by id for each). */
async function findCodedByName(db: Db, names: string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>()
  const unique = [...new Set(names)]
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.selectFrom('market_players').select(['id', 'name', 'uscc']).where('name', 'in', padded(unique.slice(i, i + 500))).orderBy('id').execute()
    for (const p of rows) if (p.uscc !== null && !found.has(p.name)) found.set(p.name, p.id)
  }
  return found
}

/** A phone or ID number named in a message is shown as the players' are: masked. */
function maskedMessage(issue: RowIssue): Message {
  const value = issue.message.params?.value
  if ((issue.field !== 'phone' && issue.field !== 'idNumber') || typeof value !== 'string') return issue.message
  const masked = issue.field === 'phone' ? maskPhone(value) : maskIdNumber(value)
  return { ...issue.message, params: { ...issue.message.params, value: masked } } as Message
}

function maskCells(cells: string[], personal: number[]): string[] {
  if (personal.length === 0) return cells
  return cells.map((cell, i) => (personal.includes(i) && cell.trim() !== '' ? maskIdNumber(cell.trim()) : cell))
}
