// The consent to query the credit report (征信查询授权) on the officer's phone: the text in
// force to read, who signs (owner or legal representative), a signature drawn with a finger,
// and the phone's position; below, the player's consents with their standing, the signed
// form (opening it is audited) and the withdrawal. Scope applies: another outlet's player is 404.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { ActionResult, ErrorList, Field, SelectField } from '../components/field'
import { SignaturePad } from '../components/signature-pad'
import { chinaTimeText } from '../domain/china-time'
import { SIGNER_ROLES } from '../domain/consent'
import { can } from '../domain/roles'
import { signConsentSchema, withdrawConsentSchema } from '../forms/consent'
import { parseForm, type FieldErrors } from '../forms/fields'
import { callerOf, notFound, requirePermission, requireUser } from '../http/guards.server'
import { idParam, toFieldOrFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { findCurrentConsentText } from '../services/consents/find-consent-text.server'
import { findPlayerConsents } from '../services/consents/find-player-consents.server'
import { signConsent } from '../services/consents/sign-consent.server'
import { withdrawConsent } from '../services/consents/withdraw-consent.server'
import { getPlayer } from '../services/players/get-player.server'
import { createStorage } from '../services/storage/storage.server'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const caller = callerOf(user, context)
  const player = await getPlayer(context.db, caller, { id: idParam(params.id) })
  if (!player) throw notFound()
  const [text, consents] = await Promise.all([findCurrentConsentText(context.db), findPlayerConsents(context.db, caller, { playerId: player.id })])
  return {
    player: { id: player.id, name: player.name, owner: player.owner, legalRepresentative: player.legal_representative, kind: player.kind },
    text: text && { version: text.version, body: text.body, validDays: text.valid_days },
    consents,
    canSign: can(user.role, 'visits:log'),
    // Made here, so the same form sent twice is one consent.
    consentId: globalThis.crypto.randomUUID(),
  }
}

type ActionData = { errors?: FieldErrors; formError?: Message; done?: Message; values?: Record<string, string>; withdrawing?: string }

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'visits:log')
  const playerId = idParam(params.id)
  const form = await request.formData()
  const caller = callerOf(user, context)
  if (form.get('intent') === 'withdraw') {
    const parsed = parseForm(form, withdrawConsentSchema)
    if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, withdrawing: String(form.get('consentId') ?? '') }, { status: 400 })
    try {
      await withdrawConsent(context.db, caller, { consentId: parsed.data.consentId, reason: parsed.data.reason })
      return { done: { key: 'consent.withdrawnDone' } } satisfies ActionData
    } catch (error) {
      const { status, errors, formError } = toFieldOrFormError(error)
      if (status === 404) throw notFound()
      return data<ActionData>({ errors, formError: formError ?? errors?._form?.[0], withdrawing: parsed.data.consentId }, { status })
    }
  }
  const parsed = parseForm(form, signConsentSchema)
  // The drawing is not sent back: the signer signs again.
  const kept = (values: Record<string, string>) => ({ ...values, signature: '', strokes: '' })
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: kept(parsed.values) }, { status: 400 })
  const input = parsed.data
  try {
    const { consent } = await signConsent(context.db, caller, { storage: createStorage(context.config.storage), fontFile: context.config.consentFontFile }, {
      consentId: input.consentId,
      playerId,
      textVersion: input.textVersion,
      signerName: input.signerName,
      signerRole: input.signerRole,
      signaturePng: new Uint8Array(Buffer.from(input.signature.slice(input.signature.indexOf(',') + 1), 'base64')),
      strokes: parseStrokes(input.strokes),
      lat: input.lat,
      lng: input.lng,
      accuracyM: input.accuracy,
    })
    return redirect(`/players/${playerId}/consent?signed=${encodeURIComponent(consent.id)}`)
  } catch (error) {
    const { status, errors, formError } = toFieldOrFormError(error)
    if (status === 404) throw notFound()
    return data<ActionData>({ errors, formError: formError ?? errors?._form?.[0], values: kept(Object.fromEntries(Object.entries(input).map(([k, v]) => [k, v === null ? '' : String(v)]))) }, { status })
  }
}

function parseStrokes(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

export default function ConsentPage() {
  const t = useT()
  const { player, text, consents, canSign, consentId } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const [search] = useSearchParams()
  const busy = useNavigation().state === 'submitting'
  const [position, setPosition] = useState<{ lat: number; lng: number; accuracy: number } | null | 'locating'>('locating')
  useEffect(() => {
    if (!('geolocation' in navigator)) return setPosition(null)
    navigator.geolocation.getCurrentPosition(
      (p) => setPosition({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => setPosition(null),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    )
  }, [])
  const values = result?.values
  const signedNow = search.get('signed')
  const errorsOf = (field: string) => (result?.withdrawing ? undefined : result?.errors?.[field])
  return (
    <div className="stack">
      <p>
        <Link to={`/players/${player.id}`}>← {player.name}</Link>
      </p>
      <h1>{t('consent.signFor', { player: player.name })}</h1>
      <ActionResult done={result?.done ?? (signedNow ? { key: 'consent.signed' } : undefined)} formError={result?.formError} />
      {text ? (
        <section className="card" aria-labelledby="consent-text">
          <h2 id="consent-text">{t('consent.textVersion', { version: text.version })}</h2>
          <pre className="consent-text" data-testid="consent-text">
            {text.body}
          </pre>
        </section>
      ) : null}
      {canSign && text ? (
        <Form method="post" className="stack card" aria-label={t('consent.title')}>
          <input type="hidden" name="intent" value="sign" />
          <input type="hidden" name="consentId" value={consentId} />
          <input type="hidden" name="textVersion" value={text.version} />
          <input type="hidden" name="lat" value={position && position !== 'locating' ? position.lat : ''} />
          <input type="hidden" name="lng" value={position && position !== 'locating' ? position.lng : ''} />
          <input type="hidden" name="accuracy" value={position && position !== 'locating' ? position.accuracy : ''} />
          <Field label={t('consent.signerName')} name="signerName" required maxLength={50} defaultValue={values?.signerName ?? player.legalRepresentative ?? player.owner ?? ''} errors={errorsOf('signerName')} />
          <SelectField
            label={t('consent.signerRole')}
            name="signerRole"
            defaultValue={values?.signerRole ?? (player.kind === 'household' ? 'owner' : 'legal_representative')}
            options={SIGNER_ROLES.map((r) => ({ value: r, label: t(`consent.role.${r}`) }))}
            errors={errorsOf('signerRole')}
          />
          <noscript>
            <p className="muted">{t('consent.needsJs')}</p>
          </noscript>
          <SignaturePad label={t('consent.signature')} errorId={errorsOf('signature') ? 'signature-error' : undefined} />
          <ErrorList id="signature-error" errors={errorsOf('signature') ?? errorsOf('strokes')} />
          <p className="muted small" data-testid="consent-position">
            {t('consent.position', {
              position:
                position === 'locating' ? t('consent.locating') : position ? `${position.lat.toFixed(5)}, ${position.lng.toFixed(5)} ±${Math.round(position.accuracy)} m` : t('consent.noPosition'),
            })}
          </p>
          <button type="submit" className="primary" disabled={busy}>
            {t('consent.submit')}
          </button>
        </Form>
      ) : null}
      <section className="card" aria-labelledby="consents">
        <h2 id="consents">{t('consent.title')}</h2>
        {consents.length ? (
          <ul className="consents">
            {consents.map((c) => (
              <li key={c.id} data-consent={c.id} data-standing={c.standing}>
                <span className={`badge${c.standing === 'valid' ? ' candidate-candidate' : ''}`}>{t(`consent.standing.${c.standing}`)}</span>{' '}
                {t('consent.signedBy', { signer: c.signerName, role: t(`consent.role.${c.signerRole}`), at: chinaTimeText(c.signedAt), officer: c.officerName })}
                {/* Signed offline: it reached Wanqi later (decision 0541). */}
                {Date.parse(c.receivedAt) - Date.parse(c.signedAt) >= 60_000 ? <span data-testid="consent-received"> · {t('consent.receivedAt', { at: chinaTimeText(c.receivedAt) })}</span> : null}
                <br />
                <span className="muted small">
                  {c.withdrawnAt ? t('consent.withdrawnAt', { at: chinaTimeText(c.withdrawnAt), reason: c.withdrawnReason ?? '' }) : t('consent.expiresAt', { at: chinaTimeText(c.expiresAt) })} · v{c.textVersion}
                </span>
                <br />
                <a href={`/consents/${c.id}/form`} target="_blank" rel="noreferrer">
                  {t('consent.viewForm')}
                </a>
                {canSign && c.standing === 'valid' ? (
                  <details>
                    <summary>{t('consent.withdraw')}</summary>
                    <Form method="post" className="form-grid">
                      <input type="hidden" name="intent" value="withdraw" />
                      <input type="hidden" name="consentId" value={c.id} />
                      <Field label={t('consent.withdrawReason')} name="reason" required maxLength={200} errors={result?.withdrawing === c.id ? result.errors?.reason : undefined} />
                      <button type="submit">{t('consent.withdraw')}</button>
                    </Form>
                  </details>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('consent.none')}</p>
        )}
      </section>
    </div>
  )
}
