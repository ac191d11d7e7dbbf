// Targets per org unit and period (domain/targets.ts): set, replaced or removed by hq or an
// admin, each change in the audit log with what it was before.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import type { Period } from '../domain/figures'
import { isTargetFigure, type TargetFigure } from '../domain/targets'
import { recordAudit, type Actor, type Db } from './audit.server'

export interface Target {
  figure: TargetFigure
  value: number
  setAt: string
  setBy: string | null
}

/** The targets of an org unit for exactly this period. */
export async function listTargets(db: Db, orgUnitId: number, period: Period): Promise<Target[]> {
  const rows = await db
    .selectFrom('figure_targets')
    .leftJoin('users', 'users.id', 'figure_targets.set_by')
    .select(['figure_targets.figure', 'figure_targets.value', 'figure_targets.set_at as setAt', 'users.name as setBy'])
    .where('figure_targets.org_unit_id', '=', orgUnitId)
    .where('figure_targets.period_from', '=', period.from)
    .where('figure_targets.period_to', '=', period.to)
    .orderBy('figure_targets.id')
    .execute()
  return rows.flatMap((r) => (isTargetFigure(r.figure) ? [{ figure: r.figure, value: Number(r.value), setAt: r.setAt, setBy: r.setBy }] : []))
}

/** Sets (or, with a null value, removes) one target; audited. */
export async function setTarget(db: Kysely<Database>, actor: Actor, target: { orgUnitId: number; period: Period; figure: TargetFigure; value: number | null }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const key = (q: any) =>
      q.where('org_unit_id', '=', target.orgUnitId).where('period_from', '=', target.period.from).where('period_to', '=', target.period.to).where('figure', '=', target.figure)
    const before = await key(trx.selectFrom('figure_targets').select(['id', 'value'])).executeTakeFirst() as { id: number; value: number } | undefined
    if (target.value === null) {
      if (before) await trx.deleteFrom('figure_targets').where('id', '=', before.id).execute()
    } else if (before) {
      await trx.updateTable('figure_targets').set({ value: target.value, set_by: actor.id, set_at: new Date().toISOString() }).where('id', '=', before.id).execute()
    } else {
      await trx
        .insertInto('figure_targets')
        .values({ org_unit_id: target.orgUnitId, period_from: target.period.from, period_to: target.period.to, figure: target.figure, value: target.value, set_by: actor.id, set_at: new Date().toISOString() })
        .execute()
    }
    await recordAudit(trx, actor, {
      action: target.value === null ? 'target.removed' : 'target.set',
      entityType: 'org_unit',
      entityId: target.orgUnitId,
      detail: { period: target.period, figure: target.figure, value: target.value, before: before ? Number(before.value) : null },
    })
  })
}
