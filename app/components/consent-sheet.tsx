// The credit report consent signed on the officer's list, with or without a signal: the text
// kept on the phone with the list, who signs, a signature drawn with a finger and the position
// (live or the last known fix, as a visit's check-in). Signing puts the consent into the
// outbox with the id made here and the time in China time; the outbox sends it in order with
// the visits (POST /api/v1/consents) and keeps it with the server's reason when refused.
import { useState } from 'react'
import { chinaIsoTime } from '../domain/china-time'
import { SIGNER_ROLES, type SignerRole } from '../domain/consent'
import type { FieldErrors } from '../forms/fields'
import { useT } from '../i18n/use-t'
import { enqueueConsent, flushOutbox } from '../offline/outbox'
import { ErrorList, Field, SelectField } from './field'
import { SignaturePad } from './signature-pad'
import { useCheckIn } from './visit-form'

export interface ConsentSheetText {
  version: number
  body: string
  validDays: number
}

export function ConsentSheet({
  player,
  text,
  consentId,
  onQueued,
}: {
  player: { id: number; name: string }
  /** The text in force when the list was last loaded; null: none on this phone. */
  text: ConsentSheetText | null
  /** Made once per sheet, so a double tap is one consent. */
  consentId: string
  onQueued: (id: string) => void
}) {
  const t = useT()
  const [fix, locateAgain] = useCheckIn(true)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [saving, setSaving] = useState(false)
  if (!text) return <p className="notice warning">{t('my.consent.noText')}</p>

  async function sign(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (saving || !text) return
    const form = new FormData(event.currentTarget)
    const signerName = String(form.get('signerName') ?? '').trim()
    const signature = String(form.get('signature') ?? '')
    const strokes = String(form.get('strokes') ?? '')
    const found: FieldErrors = {}
    if (!signerName) found.signerName = [{ key: 'validation.required' }]
    if (!signature || !strokes) found.signature = [{ key: 'consent.signature.empty' }]
    setErrors(found)
    if (Object.keys(found).length) return
    setSaving(true)
    try {
      const position = fix.state === 'ok' ? { lat: fix.lat, lng: fix.lng, accuracy: fix.accuracy, positionFix: fix.live ? 'live' : 'cached' } : { lat: null, lng: null, accuracy: null, positionFix: null }
      await enqueueConsent(
        {
          id: consentId,
          playerId: player.id,
          textVersion: text.version,
          signerName,
          signerRole: String(form.get('signerRole')),
          signature,
          strokes: JSON.parse(strokes) as unknown,
          ...position,
          signedAt: chinaIsoTime(Date.now()),
        },
        player.name,
      )
      void flushOutbox({ force: true }).catch(() => undefined)
      onQueued(consentId)
    } finally {
      setSaving(false)
    }
  }

  return (
    <form className="stack consent-sheet" onSubmit={sign} noValidate aria-label={t('my.consent.title', { name: player.name })}>
      <p className="muted small">{t('my.consent.offlineText')}</p>
      <section aria-labelledby="consent-sheet-text">
        <h3 id="consent-sheet-text">{t('consent.textVersion', { version: text.version })}</h3>
        <pre className="consent-text" data-testid="consent-sheet-text">
          {text.body}
        </pre>
      </section>
      <Field label={t('consent.signerName')} name="signerName" required maxLength={50} defaultValue="" errors={errors.signerName} />
      <SelectField label={t('consent.signerRole')} name="signerRole" defaultValue={'legal_representative' satisfies SignerRole} options={SIGNER_ROLES.map((r) => ({ value: r, label: t(`consent.role.${r}`) }))} />
      <SignaturePad label={t('consent.signature')} errorId={errors.signature ? 'consent-sheet-signature-error' : undefined} />
      <ErrorList id="consent-sheet-signature-error" errors={errors.signature} />
      <p className="muted small" data-testid="consent-sheet-position" role="status">
        {fix.state === 'locating'
          ? t('visit.checkIn.locating')
          : fix.state === 'none'
            ? t(fix.reason === 'denied' ? 'visit.checkIn.denied' : 'visit.checkIn.unavailable')
            : `${t('visit.checkIn.fix', { accuracy: fix.accuracy })} · ${t(fix.live ? 'visit.checkIn.live' : 'visit.checkIn.cached')}`}{' '}
        {fix.state !== 'locating' ? (
          <button type="button" className="link-button" onClick={locateAgain}>
            {t('visit.checkIn.again')}
          </button>
        ) : null}
      </p>
      <button type="submit" className="primary big" disabled={saving}>
        {t('consent.submit')}
      </button>
    </form>
  )
}
