// The admin keeps the working-day calendar: a day off or a 调休 workday with its note, added,
// changed or removed; each edit audited and the clock version raised in one transaction.
// Clocks already opened keep their due times (they were set by the calendar then in force).
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { isRealDate } from '../../domain/identifiers'
import { recordAudit, type Actor } from '../audit.server'
import { bumpClockConfig } from './clock-context.server'

export type CalendarEdit = { day: string; kind: 'off' | 'work'; note: string } | { day: string; kind: 'remove' }

export async function editCalendarDay(db: Kysely<Database>, actor: Actor, edit: CalendarEdit): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(edit.day) || !isRealDate(edit.day)) throw new AppError('bad_request', 'calendar.badDay', { field: 'day' })
  if (edit.kind !== 'remove' && !edit.note.trim()) throw new AppError('bad_request', 'calendar.noteRequired', { field: 'note' })
  const now = new Date().toISOString()
  await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('working_calendar_days').select(['kind', 'note']).where('day', '=', edit.day).executeTakeFirst()
    if (edit.kind === 'remove') {
      if (!before) throw new AppError('not_found', 'calendar.notFound', { field: 'day' })
      await trx.deleteFrom('working_calendar_days').where('day', '=', edit.day).execute()
    } else {
      const values = { kind: edit.kind, note: edit.note.trim().slice(0, 100), updated_at: now, updated_by: actor.id }
      await trx.insertInto('working_calendar_days').values({ day: edit.day, ...values }).onConflict((oc) => oc.column('day').doUpdateSet(values)).execute()
    }
    await bumpClockConfig(trx)
    await recordAudit(trx, actor, { action: 'calendar.edited', entityType: 'working_calendar_day', entityId: edit.day, detail: { before: before ?? null, after: edit } })
  })
}

export interface CalendarYear {
  year: number
  days: { day: string; kind: 'off' | 'work'; note: string }[]
}

/** The years the calendar holds, with their days, and the years a clock needs that hold none. */
export async function listCalendar(db: Kysely<Database>, today: string): Promise<{ years: CalendarYear[]; missingYears: number[] }> {
  const days = await db.selectFrom('working_calendar_days').select(['day', 'kind', 'note']).orderBy('day').execute()
  const years = new Map<number, CalendarYear>()
  for (const d of days) {
    const year = Number(d.day.slice(0, 4))
    if (!years.has(year)) years.set(year, { year, days: [] })
    years.get(year)!.days.push(d)
  }
  // This year always; next year once its notice is due (the State Council publishes it in
  // November or December), since a 30-day clock started then runs into it.
  const thisYear = Number(today.slice(0, 4))
  const needed = today.slice(5) >= '11-01' ? [thisYear, thisYear + 1] : [thisYear]
  return { years: [...years.values()], missingYears: needed.filter((y) => !years.has(y)) }
}
