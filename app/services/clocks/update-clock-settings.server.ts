// The admin changes how many days a channel's clock allows (PRODUCT.md: "an admin may change
// the numbers"). New clocks take the new numbers; clocks already running keep theirs.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { Clock, ClockRule, ClockSubject } from '../../domain/clocks'
import { recordAudit, type Actor } from '../audit.server'
import { bumpClockConfig } from './clock-context.server'

export async function updateClockSetting(db: Kysely<Database>, actor: Actor, input: { subject: ClockSubject; clock: Clock } & ClockRule): Promise<void> {
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > 365) throw new AppError('bad_request', 'clockSettings.badDays', { field: 'days' })
  await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('clock_settings').select(['days', 'unit']).where('channel', '=', input.subject).where('clock', '=', input.clock).executeTakeFirst()
    if (!before) throw new AppError('not_found', 'clockSettings.notFound')
    await trx
      .updateTable('clock_settings')
      .set({ days: input.days, unit: input.unit, updated_at: new Date().toISOString(), updated_by: actor.id })
      .where('channel', '=', input.subject)
      .where('clock', '=', input.clock)
      .execute()
    await bumpClockConfig(trx)
    await recordAudit(trx, actor, { action: 'clock_settings.updated', entityType: 'clock_setting', entityId: `${input.subject}.${input.clock}`, detail: { before, after: { days: input.days, unit: input.unit } } })
  })
}

/** The stored settings, for the admin page. */
export async function listClockSettings(db: Kysely<Database>) {
  return db.selectFrom('clock_settings').select(['channel', 'clock', 'days', 'unit', 'updated_at']).orderBy('channel').orderBy('clock').execute()
}
