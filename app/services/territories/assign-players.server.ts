// Assigns players directly to an officer (or to no one): picked one by one, by a lasso
// drawn on the map, or by a list filter. Only players the scope holds are touched. One
// transaction with its audit entry.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit, type Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { scoped } from '../scope.server'
import { checkOfficer } from './check-territory.server'
import { playersInLasso } from './preview-lasso.server'
import { placePlayers } from './place-players.server'
import { setOfficer } from './set-officer.server'

export type AssignTarget = { playerIds: number[] } | { lasso: unknown } | { matching: (db: Db) => Promise<number[]> }

export async function assignPlayers(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  input: AssignTarget & { officerId: number | null; reason: string },
) {
  const { actor, scope } = caller
  const { officerId, reason } = input
  return db.transaction().execute(async (trx) => {
    if (scope.kind === 'own') throw new AppError('forbidden', 'error.forbidden')
    if (officerId) await checkOfficer(trx, officerId, scope.kind === 'org' ? scope.orgPath : '/')
    let ids: number[]
    if ('playerIds' in input) {
      const rows = await trx
        .selectFrom('market_players')
        .select('id')
        .where('id', 'in', input.playerIds.length ? input.playerIds : [-1])
        .where(scoped(scope))
        .execute()
      ids = rows.map((r) => r.id)
    } else if ('lasso' in input) {
      ids = await playersInLasso(trx, scope, input.lasso)
    } else {
      ids = await input.matching(trx)
    }
    if (ids.length > 200_000) throw new AppError('bad_request', 'territory.tooMany', { max: 200_000 })
    // Unassigning directly hands the players back to their territory's officer, if any.
    if (officerId === null) {
      await setOfficer(trx, caller, { playerIds: ids, officerId: null, source: null, reason })
      await placePlayers(trx, caller, { orgPath: scope.kind === 'org' ? scope.orgPath : '/', only: ids, reason })
    } else {
      await setOfficer(trx, caller, { playerIds: ids, officerId, source: 'direct', reason })
    }
    await recordAudit(trx, actor, { action: 'players.assign', entityType: 'user', entityId: officerId, detail: { players: ids.length, reason } })
    return { moved: ids.length }
  })
}
