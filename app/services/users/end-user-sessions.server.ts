import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { endSessionsOfUser } from '../sessions.server'

/** An admin signs a user out everywhere (a lost phone, a shared password): audited with how many. */
export async function endUserSessions(db: Kysely<Database>, caller: Pick<Caller, 'actor'>, input: { id: number }): Promise<number> {
  const { actor } = caller
  const { id } = input
  return db.transaction().execute(async (trx) => {
    const ended = await endSessionsOfUser(trx, id)
    await recordAudit(trx, actor, { action: 'user.end_sessions', entityType: 'user', entityId: id, detail: { sessions: ended } })
    return ended
  })
}
