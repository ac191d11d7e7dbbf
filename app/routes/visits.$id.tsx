// One visit: what was said, where the check-in was, and its flags. Its author may correct
// it for 24 hours after recording it; every correction keeps the earlier version in the
// audit log, shown here to whoever may see the visit.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { FactList, type Fact } from '../components/fact-list'
import { VisitPhotoStrip } from '../components/visit-photo-strip'
import { ErrorList } from '../components/field'
import { formatDistance } from '../components/visit-form'
import { chinaTimeText } from '../domain/china-time'
import { NEED_PRODUCTS, NEED_PURPOSES, OBSTACLES, VISIT_CHANNELS, VISIT_OUTCOMES, isEditable } from '../domain/visit'
import type { FieldErrors } from '../forms/fields'
import { actorOf, notFound, requireUser, userScope } from '../http/guards.server'
import { toFieldOrFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { findAuditEntries } from '../services/audit.server'
import { editVisit } from '../services/visits/edit-visit.server'
import { getVisit } from '../services/visits/get-visit.server'
import { findVisitPhotos } from '../services/visit-photos/find-visit-photos.server'
import { parseVisitTalk, visitFormValues } from '../forms/visit'
import { FormErrorSummary } from '../components/form-error-summary'
import { VisitValidityBadge } from '../components/visit-validity'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const visit = await getVisit(context.db, { scope: userScope(user) }, { id: params.id ?? '' })
  if (!visit) throw notFound()
  const edits = await findAuditEntries(context.db, { entityType: 'visit', entityId: visit.id, limit: 50 })
  const photos = (await findVisitPhotos(context.db, { scope: userScope(user) }, [visit.id])).get(visit.id) ?? []
  return {
    visit,
    photos: photos.map((p) => ({ id: p.id, position: p.position })),
    canEdit: visit.officerId === user.id && isEditable(visit.recordedAt),
    isAuthor: visit.officerId === user.id,
    history: edits.filter((e) => e.action === 'visit.edited').map((e) => ({ at: e.at, by: e.actor_username, detail: JSON.parse(e.detail ?? '{}') as { before: Record<string, unknown> } })),
  }
}

type ActionData = { errors?: FieldErrors; values?: Record<string, string>; formError?: Message }

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireUser(request, context)
  const id = params.id ?? ''
  const values = visitFormValues(await request.formData())
  const parsed = parseVisitTalk(values)
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values }, { status: 400 })
  try {
    await editVisit(context.db, { actor: { ...actorOf(user, context), id: user.id } }, { id, talk: parsed.data })
    return redirect(`/visits/${encodeURIComponent(id)}?edited=1`)
  } catch (error) {
    const { status, errors, formError } = toFieldOrFormError(error)
    if (status === 404) throw notFound()
    return data<ActionData>({ errors, formError, values }, { status })
  }
}

export default function VisitPage() {
  const t = useT()
  const { visit, photos, canEdit, isAuthor, history } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const [params] = useSearchParams()
  const when = chinaTimeText
  const facts: Fact[] = [
    [t('visits.time'), when(visit.visitedAt)],
    [t('visits.officer'), visit.officerName],
    [t('visit.channel'), t(`visit.channel.${visit.channel}`)],
    [t('visit.contact'), visit.contact],
    [t('visit.notes'), visit.notes],
    [t('visit.hasNeed'), visit.need.has ? t('common.yes') : t('common.no')],
    ...(visit.need.has
      ? ([
          [t('visit.needAmount'), visit.need.amountYuan !== null ? (visit.need.amountYuan / 10_000).toLocaleString() : null],
          [t('visit.needPurpose'), visit.need.purpose ? t(`visit.purpose.${visit.need.purpose as 'other'}`) : null],
          [t('visit.needTermMonths'), visit.need.termMonths],
          [t('visit.needCollateral'), visit.need.collateral === null ? null : visit.need.collateral ? t('common.yes') : t('common.no')],
          [t('visit.needProduct'), visit.need.product ? t(`visit.product.${visit.need.product as 'unsure'}`) : null],
        ] as Fact[])
      : []),
    [t('visit.obstacles'), visit.obstacles.map((o) => t(`visit.obstacle.${o as 'other'}`)).join('、') || null],
    [t('visit.outcome'), visit.outcome ? t(`visit.outcome.${visit.outcome as 'refer'}`) : null],
    [t('visit.nextFollowUpOn'), visit.nextFollowUpOn],
    [
      t('visits.checkIn'),
      visit.checkIn.lat !== null
        ? `${visit.checkIn.lat.toFixed(5)}, ${visit.checkIn.lng!.toFixed(5)} · ±${Math.round(visit.checkIn.accuracyMetres ?? 0)} m · ${t(visit.checkIn.fix === 'cached' ? 'visit.checkIn.cached' : 'visit.checkIn.live')}`
        : null,
    ],
    [t('visits.distance'), visit.checkIn.distanceMetres !== null ? formatDistance(visit.checkIn.distanceMetres) : null],
    [t('visit.farReason'), visit.checkIn.farReason],
    [t('visits.recordedAt'), when(visit.recordedAt)],
  ]
  return (
    <div className="stack column">
      <p>
        <Link to="/visits">← {t('nav.visits')}</Link> · <Link to={`/players/${visit.playerId}`}>{visit.playerName}</Link>
      </p>
      <h1>{t('visits.one', { name: visit.playerName })}</h1>
      {params.get('saved') ? <p className="notice" role="status">{t('visit.saved')}</p> : null}
      {params.get('edited') ? <p className="notice" role="status">{t('visit.edited')}</p> : null}
      <div className="flags">
        {visit.checkIn.flag ? <span className="badge flag">{t(`visit.flag.${visit.checkIn.flag as 'far'}`)}</span> : null}
        {visit.positionSet ? <span className="badge">{t('visit.positionSet')}</span> : null}
        <VisitValidityBadge validity={visit.validity} />
      </div>
      {visit.conflict ? (
        <p className="notice warning" data-testid="visit-conflict">
          {t('visit.conflict.reassigned', { officer: visit.conflict.officerName ?? t('player.unassigned') })}
        </p>
      ) : null}
      <section className="card">
        <FactList facts={facts} />
      </section>
      {photos.length ? (
        <section className="card" aria-labelledby="photos">
          <h2 id="photos">{t('photo.title')}</h2>
          <VisitPhotoStrip visitId={visit.id} photos={photos} size={120} />
        </section>
      ) : null}

      {canEdit ? (
        <details className="card" open={Boolean(result)}>
          <summary>{t('visit.correct', { until: when(visit.editableUntil) })}</summary>
          <EditForm visit={visit} result={result} />
        </details>
      ) : isAuthor ? (
        <p className="muted">{t('visit.locked')}</p>
      ) : null}

      {history.length ? (
        <section className="card" aria-labelledby="versions">
          <h2 id="versions">{t('visit.earlierVersions')}</h2>
          <ul className="audit">
            {history.map((h, i) => (
              <li key={i}>
                <time dateTime={h.at}>{when(h.at)}</time> · {h.by}:{' '}
                {Object.entries(h.detail.before)
                  .map(([k, v]) => `${k} = ${v === null ? '—' : String(v)}`)
                  .join('; ')}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  )
}

function EditForm({ visit, result }: { visit: ReturnType<typeof useLoaderData<typeof loader>>['visit']; result?: ActionData }) {
  const t = useT()
  const v = result?.values
  const errors = result?.errors ?? {}
  const value = (name: string, stored: string) => v?.[name] ?? stored
  const select = (name: string, label: string, options: readonly string[], prefix: string, stored: string) => (
    <div className="field">
      <label htmlFor={`edit-${name}`}>{label}</label>
      <select id={`edit-${name}`} name={name} defaultValue={value(name, stored)} aria-invalid={errors[name] ? true : undefined}>
        <option value="">—</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {t(`${prefix}.${o}` as 'visit.outcome.refer')}
          </option>
        ))}
      </select>
      <ErrorList errors={errors[name]} />
    </div>
  )
  const text = (name: string, label: string, stored: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <div className="field">
      <label htmlFor={`edit-${name}`}>{label}</label>
      <input id={`edit-${name}`} name={name} defaultValue={value(name, stored)} aria-invalid={errors[name] ? true : undefined} {...props} />
      <ErrorList errors={errors[name]} />
    </div>
  )
  const obstacles = (v?.obstacles ?? visit.obstacles.join(',')).split(',')
  return (
    <Form method="post" className="stack" noValidate>
      <ErrorList errors={result?.formError ? [result.formError] : null} />
      {select('channel', t('visit.channel'), VISIT_CHANNELS, 'visit.channel', visit.channel)}
      {text('contact', t('visit.contact'), visit.contact ?? '', { maxLength: 100 })}
      <div className="field">
        <label htmlFor="edit-notes">{t('visit.notes')}</label>
        <textarea id="edit-notes" name="notes" rows={3} defaultValue={value('notes', visit.notes ?? '')} />
        <ErrorList errors={errors.notes} />
      </div>
      <label className="checkbox-field">
        <input type="checkbox" name="hasNeed" value="1" defaultChecked={v ? v.hasNeed === '1' : visit.need.has} /> {t('visit.hasNeed')}
      </label>
      <div className="form-grid">
        {text('needAmount', t('visit.needAmount'), visit.need.amountYuan !== null ? String(visit.need.amountYuan / 10_000) : '', { inputMode: 'decimal' })}
        {select('needPurpose', t('visit.needPurpose'), NEED_PURPOSES, 'visit.purpose', visit.need.purpose ?? '')}
        {text('needTermMonths', t('visit.needTermMonths'), visit.need.termMonths !== null ? String(visit.need.termMonths) : '', { inputMode: 'numeric' })}
        <div className="field">
          <label htmlFor="edit-needCollateral">{t('visit.needCollateral')}</label>
          <select id="edit-needCollateral" name="needCollateral" defaultValue={value('needCollateral', visit.need.collateral === null ? '' : visit.need.collateral ? 'yes' : 'no')}>
            <option value="">—</option>
            <option value="yes">{t('common.yes')}</option>
            <option value="no">{t('common.no')}</option>
          </select>
        </div>
        {select('needProduct', t('visit.needProduct'), NEED_PRODUCTS, 'visit.product', visit.need.product ?? '')}
      </div>
      <fieldset>
        <legend>{t('visit.obstacles')}</legend>
        {OBSTACLES.map((o) => (
          <label key={o} className="choice">
            <input type="checkbox" name="obstacles" value={o} defaultChecked={obstacles.includes(o)} /> {t(`visit.obstacle.${o}`)}
          </label>
        ))}
      </fieldset>
      <div className="form-grid">
        {select('outcome', t('visit.outcome'), VISIT_OUTCOMES, 'visit.outcome', visit.outcome ?? '')}
        {text('nextFollowUpOn', t('visit.nextFollowUpOn'), visit.nextFollowUpOn ?? '', { type: 'date' })}
      </div>
      <FormErrorSummary errors={result?.errors} />
      <button type="submit" className="primary">
        {t('common.save')}
      </button>
    </Form>
  )
}
