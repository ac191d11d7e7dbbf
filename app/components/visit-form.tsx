// The visit form. Before JavaScript loads it is a plain form post (the oldest phones);
// once it has, it takes the check-in from the browser, checks the form with the server's
// own schema, and puts the visit into the device's outbox, which sends it when it can.
import { Form, useRouteLoaderData } from '@remix-run/react'
import { useEffect, useId, useState, type ReactNode } from 'react'
import { addDays, todayInChina } from '../domain/china-time'
import {
  assessCheckIn,
  LIVE_FIX_MAX_AGE_MS,
  NEED_PRODUCTS,
  NEED_PURPOSES,
  OBSTACLES,
  VISIT_CHANNELS,
  VISIT_OUTCOMES,
  type VisitChannel,
} from '../domain/visit'
import type { FieldErrors } from '../forms/fields'
import { visitFormValues } from '../forms/visit-values'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { enqueueVisit, flushOutbox, type QueuedPhoto } from '../offline/outbox'
import { shrinkAndStamp } from '../offline/photo-stamp'
import { watermarkLines } from '../domain/photo-watermark'
import { DateField } from './date-field'
import { ErrorList } from './field'
import { FormErrorSummary } from './form-error-summary'

export interface VisitFormPlayer {
  id: number
  name: string
  lat: number | null
  lng: number | null
  approximate: boolean
}

export type Fix = { state: 'locating' } | { state: 'none'; reason: 'denied' | 'unavailable' } | { state: 'ok'; lat: number; lng: number; accuracy: number; live: boolean }

/** The browser's position, asked for once when the form opens (and again on request). */
export function useCheckIn(enabled: boolean): [Fix, () => void] {
  const [fix, setFix] = useState<Fix>({ state: 'locating' })
  const [asked, setAsked] = useState(0)
  useEffect(() => {
    if (!enabled) return
    if (!('geolocation' in navigator)) return setFix({ state: 'none', reason: 'unavailable' })
    setFix({ state: 'locating' })
    const found = (p: GeolocationPosition) =>
      setFix({
        state: 'ok',
        lat: p.coords.latitude,
        lng: p.coords.longitude,
        accuracy: Math.round(p.coords.accuracy),
        live: Date.now() - p.timestamp <= LIVE_FIX_MAX_AGE_MS,
      })
    const failed = (e: GeolocationPositionError) => setFix({ state: 'none', reason: e.code === e.PERMISSION_DENIED ? 'denied' : 'unavailable' })
    // A fresh fix first: the check-in is where the officer is now. Without one (indoors, a
    // weak GPS) the last known position will do, marked cached when it is old.
    navigator.geolocation.getCurrentPosition(
      found,
      (e) =>
        e.code === e.PERMISSION_DENIED
          ? failed(e)
          : navigator.geolocation.getCurrentPosition(found, failed, { enableHighAccuracy: false, maximumAge: Infinity, timeout: 5_000 }),
      { enableHighAccuracy: true, maximumAge: 0, timeout: 15_000 },
    )
  }, [enabled, asked])
  return [fix, () => setAsked((n) => n + 1)]
}

/** The shared visit schema, loaded apart: zod is the largest piece the officer's pages need. */
export function loadVisitChecks() {
  return import('../forms/visit')
}

export function VisitForm({
  player,
  visitId,
  radiusMetres,
  values = {},
  errors: serverErrors,
  formError,
  onQueued,
}: {
  player: VisitFormPlayer
  /** The id this visit will be stored under: made once per form, so a double tap is one visit. */
  visitId: string
  radiusMetres: number
  values?: Record<string, string>
  errors?: FieldErrors
  formError?: Message | null
  /** Called once the visit is in the outbox (JavaScript only). */
  onQueued?: (id: string) => void
}) {
  const t = useT()
  const officerName = useRouteLoaderData<{ user: { name: string } | null }>('root')?.user?.name ?? ''
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => {
    setHydrated(true)
    // The form's checks (and zod) load after the page works; fetched now, they are on the phone offline.
    void loadVisitChecks().catch(() => undefined)
  }, [])
  const [channel, setChannel] = useState<VisitChannel>((values.channel as VisitChannel) || 'on_site')
  const [hasNeed, setHasNeed] = useState(values.hasNeed === '1')
  const [outcome, setOutcome] = useState(values.outcome ?? '')
  const [followUp, setFollowUp] = useState(values.nextFollowUpOn ?? '')
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null)
  const [saving, setSaving] = useState(false)
  const [fix, locateAgain] = useCheckIn(hydrated && channel === 'on_site')
  const errors = clientErrors ?? serverErrors ?? {}

  const checkIn = fix.state === 'ok' ? { lat: fix.lat, lng: fix.lng } : null
  const assessed = assessCheckIn({ channel, checkIn, player, radiusMetres })

  async function queue(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (saving) return
    const form = event.currentTarget
    const values = visitFormValues(new FormData(form))
    // Offline before the checks ever arrived: the visit is queued unchecked, and the server's
    // reasons, if it refuses it, keep it in the outbox to correct (offline/outbox.ts).
    const checks = await loadVisitChecks().catch(() => null)
    const parsed = checks ? checks.parseVisit(values) : ({ ok: true } as const)
    const found: FieldErrors = parsed.ok ? {} : { ...parsed.errors }
    if (assessed.needsReason && !(values.farReason ?? '').trim()) {
      found.farReason = [{ key: 'visit.farReasonNeeded', params: { distance: assessed.distance ?? 0, radius: radiusMetres } }]
    }
    if (Object.keys(found).length) {
      // The summary by the button scrolls to and focuses the first field in error.
      setClientErrors(found)
      return
    }
    if (values.setPosition === '1' && !confirm(t('visit.setPositionConfirm', { name: player.name }))) return
    setSaving(true)
    try {
      const visitedAt = new Date().toISOString()
      const files = new FormData(form).getAll('photos').filter((f): f is File => f instanceof File && f.size > 0)
      const position = fix.state === 'ok' ? { lat: fix.lat, lng: fix.lng, accuracyMetres: fix.accuracy, live: fix.live } : null
      const lines = watermarkLines(
        { takenAt: visitedAt, position, playerName: player.name, officerName },
        { live: t('visit.checkIn.live'), cached: t('visit.checkIn.cached'), noPosition: t('photo.noPosition') },
      )
      // One at a time: a phone holds one full-size camera image in memory, not six.
      const photos: QueuedPhoto[] = []
      for (const file of files) photos.push({ id: crypto.randomUUID(), ...(await shrinkAndStamp(file, lines)) })
      await enqueueVisit(visitId, { ...values, visitedAt }, player.name, photos)
      void flushOutbox({ force: true }).catch(() => undefined)
      onQueued?.(visitId)
    } finally {
      setSaving(false)
    }
  }

  const show = (name: string) => errors[name]
  return (
    // Multipart, so before JavaScript loads the camera's photos go with the form (players.$id.visit.tsx).
    <Form method="post" encType="multipart/form-data" action={`/players/${player.id}/visit`} className="visit-form stack" noValidate onSubmit={hydrated ? queue : undefined} aria-label={t('visit.formTitle', { name: player.name })}>
      <input type="hidden" name="id" value={visitId} />
      <input type="hidden" name="playerId" value={player.id} />
      <ErrorList errors={formError ? [formError] : errors._form} />

      <Group label={t('visit.channel')} errors={show('channel')}>
        <div className="choice-row">
          {VISIT_CHANNELS.map((c) => (
            <label key={c} className="choice">
              <input type="radio" name="channel" value={c} checked={channel === c} onChange={() => setChannel(c)} /> {t(`visit.channel.${c}`)}
            </label>
          ))}
        </div>
      </Group>

      {channel === 'on_site' ? (
        <div className="check-in" data-testid="check-in" role="status">
          {!hydrated ? (
            <p className="muted small">{t('visit.checkIn.noScript')}</p>
          ) : fix.state === 'locating' ? (
            <p>{t('visit.checkIn.locating')}</p>
          ) : fix.state === 'none' ? (
            <p>
              {t(fix.reason === 'denied' ? 'visit.checkIn.denied' : 'visit.checkIn.unavailable')}{' '}
              <button type="button" className="link-button" onClick={locateAgain}>
                {t('visit.checkIn.again')}
              </button>
            </p>
          ) : (
            <>
              <input type="hidden" name="checkInLat" value={fix.lat} />
              <input type="hidden" name="checkInLng" value={fix.lng} />
              <input type="hidden" name="checkInAccuracy" value={fix.accuracy} />
              <input type="hidden" name="checkInFix" value={fix.live ? 'live' : 'cached'} />
              <p>
                {t('visit.checkIn.fix', { accuracy: fix.accuracy })} · {t(fix.live ? 'visit.checkIn.live' : 'visit.checkIn.cached')}
                {assessed.distance !== null ? ` · ${t('visit.checkIn.distance', { distance: formatDistance(assessed.distance) })}` : ` · ${t('visit.checkIn.noPlayerPosition')}`}{' '}
                <button type="button" className="link-button" onClick={locateAgain}>
                  {t('visit.checkIn.again')}
                </button>
              </p>
              {player.approximate ? <p className="muted small">{t('visit.checkIn.approximate')}</p> : null}
            </>
          )}
          {assessed.needsReason ? (
            <div className="notice warning" data-testid="far-warning">
              {t('visit.checkIn.far', { distance: formatDistance(assessed.distance ?? 0), radius: radiusMetres })}
            </div>
          ) : null}
          {assessed.needsReason || !hydrated || show('farReason') ? (
            <TextField name="farReason" label={t('visit.farReason')} defaultValue={values.farReason} errors={show('farReason')} maxLength={200} />
          ) : null}
          {player.approximate && (fix.state === 'ok' || !hydrated) ? (
            <label className="checkbox-field">
              <input type="checkbox" name="setPosition" value="1" defaultChecked={values.setPosition === '1'} /> {t('visit.setPosition')}
            </label>
          ) : null}
        </div>
      ) : null}

      <TextField name="contact" label={t('visit.contact')} defaultValue={values.contact} errors={show('contact')} maxLength={100} autoComplete="off" />
      <Group label={t('visit.notes')} errors={show('notes')} htmlFor="visit-notes">
        <textarea id="visit-notes" name="notes" rows={3} maxLength={2000} defaultValue={values.notes ?? ''} aria-invalid={show('notes') ? true : undefined} />
      </Group>

      <label className="checkbox-field big">
        <input type="checkbox" name="hasNeed" value="1" checked={hasNeed} onChange={(e) => setHasNeed(e.target.checked)} /> {t('visit.hasNeed')}
      </label>
      {hasNeed || !hydrated ? (
        <fieldset className="need form-grid">
          <legend>{t('visit.need')}</legend>
          <TextField name="needAmount" label={t('visit.needAmount')} defaultValue={values.needAmount} errors={show('needAmount')} inputMode="decimal" />
          <SelectBox name="needPurpose" label={t('visit.needPurpose')} defaultValue={values.needPurpose} errors={show('needPurpose')} options={NEED_PURPOSES.map((p) => [p, t(`visit.purpose.${p}`)])} />
          <TextField name="needTermMonths" label={t('visit.needTermMonths')} defaultValue={values.needTermMonths} errors={show('needTermMonths')} inputMode="numeric" />
          <SelectBox name="needCollateral" label={t('visit.needCollateral')} defaultValue={values.needCollateral} errors={show('needCollateral')} options={[['yes', t('common.yes')], ['no', t('common.no')]]} />
          <SelectBox name="needProduct" label={t('visit.needProduct')} defaultValue={values.needProduct} errors={show('needProduct')} options={NEED_PRODUCTS.map((p) => [p, t(`visit.product.${p}`)])} />
        </fieldset>
      ) : null}

      <Group label={t('visit.obstacles')} errors={show('obstacles')}>
        <div className="choice-row wrap">
          {OBSTACLES.map((o) => (
            <label key={o} className="choice">
              <input type="checkbox" name="obstacles" value={o} defaultChecked={(values.obstacles ?? '').split(',').includes(o)} /> {t(`visit.obstacle.${o}`)}
            </label>
          ))}
        </div>
      </Group>

      <div className="form-grid">
        <SelectBox
          name="outcome"
          label={t('visit.outcome')}
          value={outcome}
          onChange={(value) => {
            setOutcome(value)
            if (value === 'follow_up' && !followUp) setFollowUp(addDays(todayInChina(), 7))
          }}
          errors={show('outcome')}
          options={VISIT_OUTCOMES.map((o) => [o, t(`visit.outcome.${o}`)])}
        />
        <DateField name="nextFollowUpOn" label={t('visit.nextFollowUpOn')} value={followUp} onValueChange={setFollowUp} errors={show('nextFollowUpOn')} />
      </div>

      <Group label={t('photo.title')} errors={show('photos')} htmlFor="visit-photos">
        <input id="visit-photos" type="file" name="photos" accept="image/*" capture="environment" multiple />
        <p className="muted small">{t('photo.hint')}</p>
      </Group>

      <FormErrorSummary errors={errors} formError={formError} />
      <button type="submit" className="primary big" disabled={saving}>
        {t('visit.save')}
      </button>
    </Form>
  )
}

export function formatDistance(metres: number): string {
  return metres >= 1000 ? `${(metres / 1000).toFixed(1)} km` : `${metres} m`
}

function Group({ label, errors, children, htmlFor }: { label: string; errors?: Message[]; children: ReactNode; htmlFor?: string }) {
  const id = useId()
  return (
    <div className="field" role={htmlFor ? undefined : 'group'} aria-labelledby={htmlFor ? undefined : id}>
      {htmlFor ? <label htmlFor={htmlFor}>{label}</label> : <span id={id} className="label">{label}</span>}
      {children}
      <ErrorList errors={errors} />
    </div>
  )
}

function TextField({ name, label, errors, ...input }: { name: string; label: string; errors?: Message[] } & React.InputHTMLAttributes<HTMLInputElement>) {
  const id = useId()
  const errorId = errors?.length ? `${id}-error` : undefined
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={errorId ? true : undefined} aria-describedby={errorId} {...input} defaultValue={input.value === undefined ? (input.defaultValue ?? '') : undefined} />
      <ErrorList id={errorId} errors={errors} />
    </div>
  )
}

function SelectBox({
  name,
  label,
  errors,
  options,
  defaultValue,
  value,
  onChange,
}: {
  name: string
  label: string
  errors?: Message[]
  options: [string, string][]
  defaultValue?: string
  value?: string
  onChange?: (value: string) => void
}) {
  const id = useId()
  const errorId = errors?.length ? `${id}-error` : undefined
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={errorId}
        {...(value !== undefined ? { value, onChange: (e: React.ChangeEvent<HTMLSelectElement>) => onChange?.(e.target.value) } : { defaultValue: defaultValue ?? '' })}
      >
        <option value="">—</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      <ErrorList id={errorId} errors={errors} />
    </div>
  )
}
