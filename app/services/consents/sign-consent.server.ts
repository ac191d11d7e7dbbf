// The owner (or legal representative) signs the consent on the officer's phone. Everything is
// checked before anything is kept: the player in the officer's scope, the text the signer read
// still the one in force, a real drawn signature (a PNG of a pad's size, with pen strokes), a
// position that is one. Then the signature PNG and the signed form (PDF) go to the storage
// module and the row, with the hash over all it says, is written with its audit entry in one
// transaction; if that fails, both files are removed again. The id is made when the signing
// page opens (or the phone's sheet, offline), so the same form sent twice is stored once. A
// consent signed offline says when it was signed (the phone's time, checked against the
// server's); the server keeps when it arrived beside it (decision 0541).
import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Consent, Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { CONSENT_ID, POSITION_FIXES, SIGNER_ROLES, checkSignature, checkSignedAt, consentExpiry, roundPosition, type ConsentFacts, type PositionFix, type SignerRole } from '../../domain/consent'
import { stripPhotoMetadata } from '../../domain/photo-file'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { scoped } from '../scope.server'
import type { ObjectStorage } from '../storage/storage.server'
import { hashConsent, sha256Hex } from './consent-hash.server'
import { makeSignedFormPdf } from './signed-form-pdf.server'

export interface SignConsentInput {
  consentId: string
  playerId: number
  /** The version of the text the signer was shown. */
  textVersion: number
  signerName: string
  signerRole: SignerRole
  signaturePng: Uint8Array
  /** signature_pad's `toData()`, as sent. */
  strokes: unknown
  lat: number | null
  lng: number | null
  accuracyM: number | null
  /** Whether the position was a live fix or the phone's last known one (null: not said). */
  positionFix?: PositionFix | null
  /** When the signer signed, as the phone's clock said (offline: earlier than now); now when absent. */
  signedAt?: string
  now?: Date
}

export interface ConsentFiles {
  storage: ObjectStorage
  /** The font the signed form's Chinese is drawn in. */
  fontFile: string
}

export async function signConsent(db: Kysely<Database>, caller: Pick<Caller, 'actor' | 'scope'>, files: ConsentFiles, input: SignConsentInput): Promise<{ consent: Consent; created: boolean }> {
  const officerId = caller.actor.id
  if (officerId === null) throw new AppError('forbidden', 'error.forbidden')
  if (!CONSENT_ID.test(input.consentId)) throw new AppError('bad_request', 'consent.badId', { field: '_form' })
  const signerName = input.signerName.trim()
  if (!signerName || signerName.length > 50) throw new AppError('bad_request', signerName ? 'validation.tooLong' : 'validation.required', { field: 'signerName', max: 50 })
  if (!SIGNER_ROLES.includes(input.signerRole)) throw new AppError('bad_request', 'consent.badRole', { field: 'signerRole' })
  const problem = checkSignature(input.signaturePng, input.strokes)
  if (problem) throw new AppError('unprocessable', `consent.${problem}`, { field: 'signature', maxKb: 300 })
  const shown = stripPhotoMetadata(input.signaturePng, 'image/png')
  if (!shown) throw new AppError('unprocessable', 'consent.signature.notPng', { field: 'signature' })
  if ((input.lat === null) !== (input.lng === null) || (input.lat !== null && (Math.abs(input.lat) > 90 || Math.abs(input.lng!) > 180)) || (input.accuracyM !== null && !(input.accuracyM >= 0 && input.accuracyM < 1e6))) {
    throw new AppError('bad_request', 'consent.badPosition', { field: '_form' })
  }
  const positionFix = input.lat === null ? null : (input.positionFix ?? null)
  if (positionFix !== null && !POSITION_FIXES.includes(positionFix)) throw new AppError('bad_request', 'consent.badPosition', { field: 'positionFix' })
  const now = input.now ?? new Date()
  const signedAtMs = input.signedAt === undefined ? now.getTime() : Date.parse(input.signedAt)
  if (Number.isNaN(signedAtMs)) throw new AppError('bad_request', 'validation.dateTime', { field: 'signedAt' })

  // Out of scope reads as missing: nobody learns another outlet's player exists.
  const player = await db.selectFrom('market_players').select(['id', 'name', 'uscc']).where('id', '=', input.playerId).where(scoped(caller.scope)).executeTakeFirst()
  if (!player) throw new AppError('not_found', 'consent.playerNotFound')
  const signatureSha256 = sha256Hex(shown)
  const earlier = await db.selectFrom('consents').selectAll().where('id', '=', input.consentId).executeTakeFirst()
  if (earlier) {
    // The same form sent again (a double tap, a lost answer): stored once.
    if (earlier.player_id === input.playerId && earlier.signature_sha256 === signatureSha256) return { consent: earlier, created: false }
    throw new AppError('conflict', 'consent.idTaken', { field: '_form' })
  }
  // After the resend above: a consent stored once answers the same, however late it is sent again.
  const late = checkSignedAt(new Date(signedAtMs), now)
  if (late) throw new AppError('unprocessable', late.key, { field: 'signedAt', ...('days' in late ? { days: late.days } : {}) })
  const text = await db.selectFrom('consent_texts').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst()
  if (!text || text.version !== input.textVersion) throw new AppError('conflict', 'consent.staleText', { field: '_form', version: text?.version ?? 0 })
  const officer = await db.selectFrom('users').select('name').where('id', '=', officerId).executeTakeFirstOrThrow()

  const signedAt = new Date(signedAtMs).toISOString()
  const facts: ConsentFacts = {
    consentId: input.consentId,
    playerId: player.id,
    playerName: player.name,
    uscc: player.uscc,
    textVersion: text.version,
    textSha256: sha256Hex(text.body),
    signerName,
    signerRole: input.signerRole,
    signedAt,
    ...roundPosition(input),
    officerId,
    officerName: officer.name,
    signatureSha256,
    expiresAt: consentExpiry(signedAt, text.valid_days),
  }
  const sha256 = hashConsent(facts)
  const form = await makeSignedFormPdf({ fontFile: files.fontFile, text: text.body, facts, signaturePng: shown, sha256 })
  const folder = `consents/${signedAt.slice(0, 7).replace('-', '/')}`
  // Each attempt writes files of its own: two sends of one consent at once (a phone's retry
  // reaching a second server) never overwrite the files the other's row names.
  const attempt = crypto.randomBytes(4).toString('hex')
  const signatureKey = `${folder}/${input.consentId}-${attempt}-signature.png`
  const formKey = `${folder}/${input.consentId}-${attempt}-form.pdf`
  await files.storage.put(signatureKey, shown, 'image/png')
  try {
    await files.storage.put(formKey, form, 'application/pdf')
    const consent = await db.transaction().execute(async (trx) => {
      const row: Consent = {
        id: input.consentId,
        player_id: player.id,
        text_version: text.version,
        signer_name: signerName,
        signer_role: input.signerRole,
        signature_key: signatureKey,
        signature_sha256: signatureSha256,
        form_key: formKey,
        form_content_type: 'application/pdf',
        form_sha256: sha256Hex(form),
        signed_at: signedAt,
        lat: facts.lat,
        lng: facts.lng,
        accuracy_m: facts.accuracyM,
        officer_id: officerId,
        expires_at: facts.expiresAt,
        sha256,
        withdrawn_at: null,
        withdrawn_by: null,
        withdrawn_reason: null,
        received_at: now.toISOString(),
        position_fix: positionFix,
      }
      await trx.insertInto('consents').values(row).execute()
      await recordAudit(trx, caller.actor, {
        action: 'consent.signed',
        entityType: 'market_player',
        entityId: player.id,
        detail: { consentId: input.consentId, textVersion: text.version, signerRole: input.signerRole, sha256, expiresAt: facts.expiresAt, signedAt, receivedAt: now.toISOString() },
      })
      return row
    })
    return { consent, created: true }
  } catch (error) {
    await files.storage.delete(signatureKey)
    await files.storage.delete(formKey)
    // The other send of the same consent got in first: it answers as a resend does.
    const stored = await db.selectFrom('consents').selectAll().where('id', '=', input.consentId).executeTakeFirst()
    if (stored && stored.player_id === input.playerId && stored.signature_sha256 === signatureSha256) return { consent: stored, created: false }
    throw error
  }
}
