// The signed form (PDF) or the signature image of a consent, for someone who may see its
// player (scope in the query: another outlet's is not found). Every opening is audited, as a
// view of personal data is: the signer's name, signature and position are on it.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { scoped } from '../scope.server'
import type { ObjectStorage } from '../storage/storage.server'

export async function readSignedForm(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  storage: ObjectStorage,
  input: { consentId: string; part: 'form' | 'signature' },
): Promise<{ bytes: Buffer; contentType: string; sha256: string }> {
  const consent = await db
    .selectFrom('consents')
    .innerJoin('market_players', 'market_players.id', 'consents.player_id')
    .select(['consents.id', 'consents.player_id', 'consents.form_key', 'consents.form_content_type', 'consents.form_sha256', 'consents.signature_key', 'consents.signature_sha256'])
    .where('consents.id', '=', input.consentId)
    .where(scoped(caller.scope))
    .executeTakeFirst()
  if (!consent) throw new AppError('not_found', 'consent.notFound')
  const key = input.part === 'form' ? consent.form_key : consent.signature_key
  const bytes = await storage.get(key)
  // The row without its file is a fault of the store, not the user's: a plain 500 and a log.
  if (!bytes) throw new Error(`consent ${consent.id}: nothing in storage under ${key}`)
  await recordAudit(db, caller.actor, { action: 'consent.viewed', entityType: 'market_player', entityId: consent.player_id, detail: { consentId: consent.id, part: input.part } })
  return input.part === 'form' ? { bytes, contentType: consent.form_content_type, sha256: consent.form_sha256 } : { bytes, contentType: 'image/png', sha256: consent.signature_sha256 }
}
