// The dashboard's view as a file: XLSX (sheets for the figures, the league and the players
// in scope) or CSV (the players). Both stream: the players are read in keyset batches, org
// unit by org unit, and written as they come, so memory stays flat however many there are.
// Personal data leaves masked unless the exporter may unmask and asked to; every export is
// in the audit log.
import { PassThrough, Readable } from 'node:stream'
import type ExcelJS from 'exceljs'
import { loadExcelJs } from './heavy-packages.server'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { chinaDay } from '../domain/china-time'
import { csvCell } from '../domain/csv'
import type { Figures, Period } from '../domain/figures'
import type { Translate } from '../i18n/index'
import { recordAudit, type Actor } from './audit.server'
import type { FigureScope } from './figures.server'
import type { PersonalDataCipher } from './personal-data.server'
import { scoped } from './scope.server'
import { orgUnitIdsOf } from './scope.server'

const BATCH = 2_000

export interface ExportView {
  scope: FigureScope
  scopeName: string
  period: Period
  figures: Figures
  previous: Figures
  /** The period `previous` counts: as many days of the one before (comparablePeriod). */
  before: Period
  league: { name: string; figures: Figures }[]
}

const COLUMNS = ['id', 'name', 'uscc', 'kind', 'township', 'officer', 'candidate', 'qualification', 'campaign', 'lastVisit', 'phone'] as const

/**
 * The players in scope, a batch at a time: org unit by org unit, each in id order, so that a
 * batch is one stretch of the (org_unit_id, id) index. In the whole scope's id order, SQLite
 * would gather and sort every remaining player of a branch for each batch.
 */
async function* playersOf(db: Kysely<Database>, scope: FigureScope, pii: PersonalDataCipher, unmask: boolean, t: Translate) {
  const units = await orgUnitIdsOf(db, scope.scopes)
  for (const unit of units ?? [null]) yield* playersOfUnit(db, scope, unit, pii, unmask, t)
}

/** The players of one org unit of the scope (or, `null`, of the whole scope), a batch at a time in id order. */
async function* playersOfUnit(db: Kysely<Database>, scope: FigureScope, unit: number | null, pii: PersonalDataCipher, unmask: boolean, t: Translate) {
  let after = 0
  for (;;) {
    let q = db
      .selectFrom('market_players')
      .leftJoin('users', 'users.id', 'market_players.assigned_officer_id')
      .leftJoin('areas', 'areas.code', 'market_players.township_code')
      .select([
        'market_players.id',
        'market_players.name',
        'market_players.uscc',
        'market_players.kind',
        'areas.name as township',
        'users.name as officer',
        'market_players.candidate_status',
        'market_players.qualification',
        'market_players.campaign_status',
        'market_players.last_visited_at',
        'market_players.phone_masked',
        'market_players.phone_enc',
      ])
      .where('market_players.id', '>', after)
    if (unit !== null) q = q.where('market_players.org_unit_id', '=', unit)
    // The org scopes are in the unit; the others (an officer's own) still filter.
    for (const s of scope.scopes) if (unit === null || s.kind !== 'org') q = q.where(scoped(s))
    if (scope.territoryId !== undefined) q = q.where('market_players.territory_id', '=', scope.territoryId)
    if (scope.township !== undefined) q = q.where('market_players.township_code', '=', scope.township)
    const rows = await q.orderBy('market_players.id').limit(BATCH).execute()
    if (rows.length === 0) return
    after = rows[rows.length - 1].id
    yield rows.map((r) => [
      r.id,
      r.name,
      r.uscc ?? '',
      t(`kind.${r.kind as 'enterprise'}`),
      r.township ?? '',
      r.officer ?? '',
      t(`candidateStatus.${r.candidate_status as 'candidate'}`),
      t(`qualification.${r.qualification as 'qualifies'}`),
      t(`campaignStatus.${r.campaign_status as 'visited'}`),
      r.last_visited_at ? chinaDay(r.last_visited_at) : '',
      unmask && r.phone_enc ? pii.decrypt(r.phone_enc) : (r.phone_masked ?? ''),
    ])
  }
}

function columnLabels(t: Translate): string[] {
  const keys = {
    id: 'export.column.id',
    name: 'column.name',
    uscc: 'column.uscc',
    kind: 'column.kind',
    township: 'export.column.township',
    officer: 'visits.officer',
    candidate: 'player.candidate',
    qualification: 'player.qualification',
    campaign: 'export.column.campaign',
    lastVisit: 'export.column.lastVisit',
    phone: 'column.phone',
  } as const
  return COLUMNS.map((c) => t(keys[c]))
}

/** A value as a CSV cell, defused as every export's are (domain/csv.ts). */
const cellText = (v: unknown) => csvCell(String(v ?? ''))

export interface ExportRequest {
  db: Kysely<Database>
  actor: Actor
  pii: PersonalDataCipher
  t: Translate
  view: ExportView
  format: 'xlsx' | 'csv'
  unmask: boolean
}

/** Writes the export's audit entry, then returns the file as a stream. */
export async function exportView(request: ExportRequest): Promise<ReadableStream<Uint8Array>> {
  const { db, actor, pii, t, view, format, unmask } = request
  await recordAudit(db, actor, {
    action: 'figures.exported',
    entityType: 'export',
    entityId: null,
    detail: { format, scope: view.scopeName, from: view.period.from, to: view.period.to, unmasked: unmask },
  })
  const out = new PassThrough()
  const rows = playersOf(db, view.scope, pii, unmask, t)
  const fail = (error: unknown) => out.destroy(error as Error)
  if (format === 'csv') {
    void (async () => {
      // A byte-order mark, so Excel reads the Chinese as UTF-8.
      out.write('\ufeff' + columnLabels(t).map(cellText).join(',') + '\r\n')
      for await (const batch of rows) {
        const ok = out.write(batch.map((r) => r.map(cellText).join(',')).join('\r\n') + '\r\n')
        if (!ok) await new Promise((resolve) => out.once('drain', resolve))
      }
      out.end()
    })().catch(fail)
  } else {
    void (async () => {
      const { stream } = await loadExcelJs()
      const workbook = new stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true })
      const keys = Object.keys(view.figures) as (keyof Figures)[]
      const figures = workbook.addWorksheet(t('export.sheet.figures'), { views: [{ state: 'frozen', ySplit: 5 }] })
      figures.columns = [{ width: 36 }, { width: 16 }, { width: 16 }]
      figures.addRow([t('export.scope'), view.scopeName]).commit()
      figures.addRow([t('export.period'), `${view.period.from} – ${view.period.to}`]).commit()
      figures.addRow([t('export.previousPeriod'), `${view.before.from} – ${view.before.to}`]).commit()
      figures.addRow([]).commit()
      headerRow(figures, [t('export.figure'), t('export.value'), t('export.previous')])
      for (const key of keys) {
        for (const [label, part] of figureParts(t, key)) {
          const row = figures.addRow([label, part(view.figures), part(view.previous)])
          row.getCell(2).numFmt = row.getCell(3).numFmt = numberFormat(key)
          row.commit()
        }
      }
      figures.commit()
      // The league as the page lists it (its order is the dashboard's), a column per figure.
      const leagueColumns = keys.flatMap((key) => figureParts(t, key).map(([label, part]) => ({ label, part, format: numberFormat(key) })))
      const league = workbook.addWorksheet(t('export.sheet.league'), { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] })
      league.columns = [{ width: 24 }, ...leagueColumns.map((c) => ({ width: Math.max(12, Math.min(30, c.label.length * 2 + 2)) }))]
      headerRow(league, [t('table.name'), ...leagueColumns.map((c) => c.label)])
      for (const unit of view.league) {
        const row = league.addRow([unit.name, ...leagueColumns.map((c) => c.part(unit.figures))])
        leagueColumns.forEach((c, i) => (row.getCell(i + 2).numFmt = c.format))
        row.commit()
      }
      league.commit()
      const players = workbook.addWorksheet(t('export.sheet.players'), { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] })
      players.columns = PLAYER_WIDTHS.map((width) => ({ width }))
      headerRow(players, columnLabels(t))
      const lastVisit = COLUMNS.indexOf('lastVisit') + 1
      for await (const batch of rows)
        for (const r of batch) {
          const day = r[lastVisit - 1]
          const row = players.addRow(typeof day === 'string' && day ? [...r.slice(0, lastVisit - 1), new Date(`${day}T00:00:00Z`), ...r.slice(lastVisit)] : r)
          row.getCell(lastVisit).numFmt = 'yyyy-mm-dd'
          row.commit()
        }
      players.commit()
      await workbook.commit()
    })().catch(fail)
  }
  return Readable.toWeb(out) as ReadableStream<Uint8Array>
}

/** A sheet's header row: bold, on a pale ground, frozen by the sheet's view. */
function headerRow(sheet: ExcelJS.Worksheet, labels: string[]) {
  const row = sheet.addRow(labels)
  row.font = { bold: true }
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF4F6F8' } }
  row.commit()
}

/** The players' column widths, in characters (COLUMNS' order). */
const PLAYER_WIDTHS = [8, 30, 22, 10, 14, 12, 12, 14, 12, 12, 16]

const RATIOS: readonly (keyof Figures)[] = ['coverage', 'needRate', 'firstLenderRatio', 'creditLoanShareByCount', 'creditLoanShareByAmount', 'acceptedOnTime']

/** How a figure reads in a cell: ratios as per cent, lead times in days to a tenth, counts grouped. */
function numberFormat(key: keyof Figures): string {
  if (RATIOS.includes(key)) return '0.0%'
  if (key.startsWith('leadTime')) return '0.0'
  return '#,##0'
}

type Part = (figures: Figures) => number | null

/** A figure's cells: one for a count or a ratio, two (median, 90th percentile) for a lead time, each a number. */
function figureParts(t: Translate, key: keyof Figures): [string, Part][] {
  const name = t(`figure.${key}` as 'figure.listed')
  if (key === 'leadTimeVisitToDisbursementDays' || key === 'leadTimeReferralToDisbursementDays') {
    return [
      [`${name} · ${t('export.median')}`, (f) => f[key].median],
      [`${name} · ${t('export.p90')}`, (f) => f[key].p90],
    ]
  }
  return [[name, (f) => f[key] as number | null]]
}
