// The working-day calendar and clock settings as an app server holds them: read from the
// database once, then kept in process until `clock_config.version` moves (one indexed read
// per use), so an admin's edit on one server reaches every other server at its next clock.
import type { Kysely, Transaction } from 'kysely'
import { runCompiled } from '../../../db/compiled-query.server'
import type { Database } from '../../../db/schema'
import { DEFAULT_CLOCK_SETTINGS, type Clock, type ClockContext, type ClockSettings, type ClockSubject } from '../../domain/clocks'
import type { WorkingCalendar } from '../../domain/working-days'

type Db = Kysely<Database> | Transaction<Database>

const cache = new WeakMap<object, { version: number; context: ClockContext }>()

/** The calendar and settings now in force. */
export async function loadClockContext(db: Db): Promise<ClockContext> {
  // Built once per database (db/compiled-query.server.ts): every clock opened reads it.
  const [row] = await runCompiled(db, 'clocks.configVersion', configVersion, [])
  const version = row?.version ?? 0
  // Held per database handle, its transactions included (they share the handle's adapter): a
  // clock opened inside a transaction (a loan QR lead) does not read the calendar again.
  const key = db.getExecutor().adapter
  const held = cache.get(key)
  if (held && held.version === version) return held.context
  const context = await readClockContext(db)
  cache.set(key, { version, context })
  return context
}

const configVersion = (db: Db) => db.selectFrom('clock_config').select('version').where('id', '=', 1)

async function readClockContext(db: Db): Promise<ClockContext> {
  const days = await db.selectFrom('working_calendar_days').select(['day', 'kind']).execute()
  const calendar: WorkingCalendar = {
    holidays: new Set(days.filter((d) => d.kind === 'off').map((d) => d.day)),
    workdays: new Set(days.filter((d) => d.kind === 'work').map((d) => d.day)),
  }
  const settings: ClockSettings = structuredClone(DEFAULT_CLOCK_SETTINGS)
  for (const s of Object.values(settings)) for (const clock of Object.keys(s)) delete s[clock as Clock]
  const rows = await db.selectFrom('clock_settings').select(['channel', 'clock', 'days', 'unit']).execute()
  for (const r of rows) {
    const subject = settings[r.channel as ClockSubject]
    if (subject) subject[r.clock] = { days: Number(r.days), unit: r.unit }
  }
  return { calendar, settings }
}

/** Raises the version in the edit's transaction: every server's cache then reads again. */
export async function bumpClockConfig(trx: Transaction<Database>): Promise<void> {
  await trx.updateTable('clock_config').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', 1).execute()
}
