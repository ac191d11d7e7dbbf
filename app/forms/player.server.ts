// Entering a player by hand goes through the same row rules as an import: the form's field
// names are the list columns.
import type { ListColumn } from '../domain/list-columns'
import { LIST_COLUMNS } from '../domain/list-columns'
import type { PlayerField, PlayerFields } from '../domain/market-player'
import { todayInChina } from '../domain/china-time'
import { parsePlayerRow } from '../domain/player-row'
import type { FieldErrors } from './fields'

const COLUMN_OF_FIELD: Partial<Record<PlayerField, ListColumn>> = {
  revenueYuan: 'revenue',
  assetsYuan: 'assets',
  industryCode: 'industry',
}

export function columnOfField(field: PlayerField): ListColumn {
  return COLUMN_OF_FIELD[field] ?? (field as ListColumn)
}

export type PlayerFormResult =
  | { ok: true; fields: PlayerFields; values: Record<string, string> }
  | { ok: false; errors: FieldErrors; values: Record<string, string> }

export function parsePlayerForm(form: FormData): PlayerFormResult {
  const cells: Partial<Record<ListColumn, string>> = {}
  const values: Record<string, string> = {}
  for (const column of LIST_COLUMNS) {
    const value = form.get(column)
    if (typeof value === 'string') {
      cells[column] = value
      values[column] = value
    }
  }
  const result = parsePlayerRow(cells, { acceptBadCheck: form.get('acceptBadCheck') === '1', today: todayInChina(), strict: true })
  if (result.ok) return { ok: true, fields: result.fields, values }
  const errors: FieldErrors = {}
  for (const issue of result.errors) if (!issue.field.startsWith('@')) (errors[columnOfField(issue.field as keyof PlayerFields)] ??= []).push(issue.message)
  return { ok: false, errors, values }
}
