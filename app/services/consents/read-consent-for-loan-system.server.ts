// What the loan system fetches with its token when a hand-off carried a consent: the facts
// the hash covers, the text signed, the signature and the signed form (base64), the hash, and
// the consent's standing now, and beside the hashed facts when Wanqi received it (later than
// it was signed when it waited on an offline phone) and whether its position was a live fix
// (decision 0541). Only a consent some referral carried is given out (the token
// is the loan system's, not a key to every consent); each fetch is audited.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { consentStanding, type ConsentFacts } from '../../domain/consent'
import { recordAudit } from '../audit.server'
import type { ObjectStorage } from '../storage/storage.server'
import { sha256Hex } from './consent-hash.server'

export async function readConsentForLoanSystem(db: Kysely<Database>, token: { id: number; name: string }, storage: ObjectStorage, input: { consentId: string; now?: Date }) {
  const row = await db
    .selectFrom('consents')
    .innerJoin('market_players', 'market_players.id', 'consents.player_id')
    .innerJoin('users', 'users.id', 'consents.officer_id')
    .innerJoin('consent_texts', 'consent_texts.version', 'consents.text_version')
    .selectAll('consents')
    .select(['market_players.name as player_name', 'market_players.uscc', 'users.name as officer_name', 'consent_texts.body as text'])
    .where('consents.id', '=', input.consentId)
    .where((eb) => eb.exists(eb.selectFrom('referrals').select('referrals.id').whereRef('referrals.consent_id', '=', 'consents.id')))
    .executeTakeFirst()
  if (!row) throw new AppError('not_found', 'consent.notFound')
  const [signature, form] = await Promise.all([storage.get(row.signature_key), storage.get(row.form_key)])
  if (!signature || !form) throw new Error(`consent ${row.id}: a file is missing from storage`)
  const facts: ConsentFacts = {
    consentId: row.id,
    playerId: row.player_id,
    playerName: row.player_name,
    uscc: row.uscc,
    textVersion: row.text_version,
    textSha256: sha256Hex(row.text),
    signerName: row.signer_name,
    signerRole: row.signer_role,
    signedAt: row.signed_at,
    lat: row.lat,
    lng: row.lng,
    accuracyM: row.accuracy_m,
    officerId: row.officer_id,
    officerName: row.officer_name,
    signatureSha256: row.signature_sha256,
    expiresAt: row.expires_at,
  }
  await recordAudit(db, { id: null, username: `token:${token.name}`, ip: null }, { action: 'consent.fetched', entityType: 'market_player', entityId: row.player_id, detail: { consentId: row.id, tokenId: token.id } })
  return {
    consent: facts,
    sha256: row.sha256,
    standing: consentStanding(row, input.now ?? new Date()),
    withdrawnAt: row.withdrawn_at,
    receivedAt: row.received_at,
    positionFix: row.position_fix,
    text: row.text,
    signaturePng: signature.toString('base64'),
    form: { contentType: row.form_content_type, sha256: row.form_sha256, base64: form.toString('base64') },
  }
}
