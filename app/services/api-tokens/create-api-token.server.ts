// A new token, shown once: only its SHA-256 is kept. An integration token acts for one active user.
import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { TokenPurpose } from '../../domain/api-tokens'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { tokenHash } from './find-live-token.server'

export async function createApiToken(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor'>,
  options: { name: string; purpose?: TokenPurpose; orgUnitId?: number | null; actsFor?: string | null; platform?: string | null },
): Promise<{ id: number; token: string }> {
  const { actor } = caller
  const { name } = options
  const purpose = options.purpose ?? 'loan_events'
  const orgUnitId = purpose === 'figures_read' || purpose === 'platform_feedback' ? (options.orgUnitId ?? null) : null
  // A platform's token answers for that platform only: the name its lists are imported under.
  const platform = purpose === 'platform_feedback' ? options.platform?.trim() || null : null
  if (purpose === 'platform_feedback' && platform === null) throw new AppError('bad_request', 'token.platformNeeded', { field: 'platform' })
  const token = `wq_${crypto.randomBytes(24).toString('base64url')}`
  return db.transaction().execute(async (trx) => {
    let userId: number | null = null
    if (purpose === 'integration') {
      const user = options.actsFor ? await trx.selectFrom('users').select('id').where('username', '=', options.actsFor.trim().toLowerCase()).where('active', '=', 1).executeTakeFirst() : undefined
      if (!user) throw new AppError('bad_request', 'token.userNeeded', { field: 'actsFor' })
      userId = user.id
    }
    const { id } = await trx
      .insertInto('api_tokens')
      .values({ name, token_hash: tokenHash(token), created_by: actor.id, created_at: new Date().toISOString(), revoked_at: null, last_used_at: null, purpose, org_unit_id: orgUnitId, user_id: userId, channel_group: platform })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, actor, { action: 'api-token.created', entityType: 'api_token', entityId: id, detail: { name, purpose, orgUnitId, ...(userId ? { userId } : {}), ...(platform ? { platform } : {}) } })
    return { id, token }
  })
}
