// POST /api/v1/consents: a consent signed on the officer's phone, as its outbox sends it when
// the signal is back (JSON, the id the phone made; app/forms/consent.ts). 201 with the stored
// consent the first time; the same id again 200 with the consent as stored, nothing new kept.
// Refusals store nothing and say why in the caller's language, per field: 400 a body that
// fails the schema; 422 a signature that is not a whole PNG, too large or not drawn, or a
// signing time ahead of the clock or too old; 404 a player out of the officer's scope; 409 a
// text version no longer in force (the signer read something else) or an id taken by
// another consent. A session only (the phone's), of someone who logs visits (decision 0541).
import type { ActionFunctionArgs } from '@remix-run/node'
import { consentStanding } from '../domain/consent'
import { can } from '../domain/roles'
import { consentPayloadSchema } from '../forms/consent'
import { parseValues, type FieldErrors } from '../forms/fields'
import { callerOf, getTranslate, requireApiUser } from '../http/guards.server'
import { appErrorAnswer, jsonObjectOf, NO_STORE } from '../http/json-api.server'
import type { Translate } from '../i18n/index'
import { signConsent } from '../services/consents/sign-consent.server'
import { createStorage } from '../services/storage/storage.server'

export async function loader() {
  return Response.json({ error: 'method_not_allowed', message: 'POST a consent as JSON' }, { status: 405, headers: { Allow: 'POST' } })
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== 'POST') return loader()
  const user = await requireApiUser(request, context)
  const t = await getTranslate(request)
  if (!can(user.role, 'visits:log')) return Response.json({ error: 'forbidden', message: t('error.forbidden') }, { status: 403, headers: NO_STORE })
  const body = await jsonObjectOf(request, 'the consent')
  if (body instanceof Response) return body
  const parsed = parseValues(body, consentPayloadSchema)
  if (!parsed.ok) return invalid(t, parsed.errors)
  const input = parsed.data
  try {
    const { consent, created } = await signConsent(context.db, callerOf(user, context), { storage: createStorage(context.config.storage), fontFile: context.config.consentFontFile }, {
      consentId: input.id,
      playerId: input.playerId,
      textVersion: input.textVersion,
      signerName: input.signerName,
      signerRole: input.signerRole,
      signaturePng: new Uint8Array(Buffer.from(input.signature.slice(input.signature.indexOf(',') + 1), 'base64')),
      strokes: input.strokes,
      lat: input.lat,
      lng: input.lng,
      accuracyM: input.accuracy,
      positionFix: input.positionFix,
      signedAt: input.signedAt,
    })
    return Response.json(
      {
        consent: {
          id: consent.id,
          playerId: consent.player_id,
          textVersion: consent.text_version,
          signerName: consent.signer_name,
          signerRole: consent.signer_role,
          signedAt: consent.signed_at,
          receivedAt: consent.received_at,
          positionFix: consent.position_fix,
          expiresAt: consent.expires_at,
          standing: consentStanding(consent, new Date()),
          sha256: consent.sha256,
        },
      },
      { status: created ? 201 : 200, headers: NO_STORE },
    )
  } catch (error) {
    return appErrorAnswer(t, error)
  }
}

function invalid(t: Translate, errors: FieldErrors) {
  const fields = Object.fromEntries(Object.entries(errors).map(([field, messages]) => [field, messages.map((m) => t(m.key, m.params))]))
  // The outbox shows the message as it is: it says what is wrong, not only where.
  return Response.json({ error: 'invalid', message: t('consent.invalid', { fields: Object.values(fields).map((m) => m[0]).join(' ') }), fields }, { status: 400, headers: NO_STORE })
}
