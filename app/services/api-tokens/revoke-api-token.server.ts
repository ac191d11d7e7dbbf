import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'

export async function revokeApiToken(db: Kysely<Database>, caller: Pick<Caller, 'actor'>, input: { id: number }): Promise<void> {
  const { actor } = caller
  const { id } = input
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).execute()
    await recordAudit(trx, actor, { action: 'api-token.revoked', entityType: 'api_token', entityId: id })
  })
}
