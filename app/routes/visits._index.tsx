// A day's visits: a manager sees their branch's, per officer, with the check-in distance
// and what to look at (far from the player, no position, a conflict); an officer sees
// their own; headquarters sees the bank's. Each visit says whether it counts under the bank's
// rules and why not; a manager accepts a far check-in's reason here.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ActionResult } from '../components/field'
import { VisitValidityBadge } from '../components/visit-validity'
import { AppError } from '../domain/app-error'
import { can } from '../domain/roles'
import { parseForm } from '../forms/fields'
import type { Message } from '../i18n/index'
import { acceptFarReason } from '../services/visits/accept-far-reason.server'
import { formatDistance } from '../components/visit-form'
import { VisitPhotoStrip } from '../components/visit-photo-strip'
import { chinaClockText, todayInChina } from '../domain/china-time'
import { actorOf, notFound, requirePermission, requireUser, userScope } from '../http/guards.server'
import { useLocale, useT } from '../i18n/use-t'
import { listUsers } from '../services/users/list-users.server'
import { listVisitsOfDay } from '../services/visits/list-visits-of-day.server'
import { findVisitPhotos } from '../services/visit-photos/find-visit-photos.server'
import { moneyText } from '../domain/money-text'
import { DateInput } from '../components/date-field'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const scope = userScope(user)
  const params = new URL(request.url).searchParams
  const dayParam = params.get('day') ?? ''
  const day = /^\d{4}-\d{2}-\d{2}$/.test(dayParam) && !Number.isNaN(Date.parse(dayParam)) ? dayParam : todayInChina()
  const officerId = Number(params.get('officer')) || undefined
  const flaggedOnly = params.get('flagged') === '1'
  const invalidOnly = params.get('invalid') === '1'
  const [list, officers] = await Promise.all([
    listVisitsOfDay(context.db, { scope }, { day, officerId, flaggedOnly, invalidOnly }),
    scope.kind === 'own' ? Promise.resolve([]) : listUsers(context.db, scope, { role: 'officer', active: true, limit: 500 }),
  ])
  const photos = await findVisitPhotos(context.db, { scope }, list.visits.map((v) => v.id))
  return {
    day,
    officerId: officerId ?? null,
    flaggedOnly,
    invalidOnly,
    mayAccept: can(user.role, 'visits:review'),
    visits: list.visits.map((v) => ({ ...v, photos: (photos.get(v.id) ?? []).map((p) => ({ id: p.id, position: p.position })) })),
    perOfficer: list.officers,
    officerChoices: officers.map((o) => ({ id: o.id, name: o.name })),
    own: scope.kind === 'own',
  }
}

const acceptSchema = z.object({ intent: z.literal('accept-far'), visitId: z.string().min(1).max(100) })
type ActionData = { done?: Message; formError?: Message }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'visits:review')
  const parsed = parseForm(await request.formData(), acceptSchema)
  if (!parsed.ok) return data<ActionData>({ formError: { key: 'error.badRequest' } }, { status: 400 })
  try {
    await acceptFarReason(context.db, { actor: actorOf(user, context), scope: userScope(user) }, { visitId: parsed.data.visitId })
    return { done: { key: 'visitValidity.accepted' } } satisfies ActionData
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    if (error.code === 'not_found') throw notFound()
    return data<ActionData>({ formError: { key: error.messageKey as 'visitValidity.nothingToAccept' } }, { status: error.code === 'forbidden' ? 403 : 409 })
  }
}

export default function Visits() {
  const t = useT()
  const locale = useLocale()
  const { day, officerId, flaggedOnly, invalidOnly, mayAccept, visits, perOfficer, officerChoices, own } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  return (
    <div className="stack">
      <h1>{own ? t('visits.mine') : t('visits.title')}</h1>
      <ActionResult done={result?.done} formError={result?.formError} />
      <Form method="get" className="toolbar">
        <label>
          {t('visits.day')} <DateInput name="day" defaultValue={day} />
        </label>
        {!own ? (
          <label>
            {t('visits.officer')}{' '}
            <select name="officer" defaultValue={officerId ?? ''}>
              <option value="">{t('visits.allOfficers')}</option>
              {officerChoices.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className="checkbox-field">
          <input type="checkbox" name="flagged" value="1" defaultChecked={flaggedOnly} /> {t('visits.flaggedOnly')}
        </label>
        <label className="checkbox-field">
          <input type="checkbox" name="invalid" value="1" defaultChecked={invalidOnly} /> {t('visitValidity.invalidOnly')}
        </label>
        <button type="submit">{t('common.apply')}</button>
      </Form>

      {!own ? (
        <section className="card" aria-labelledby="per-officer">
          <h2 id="per-officer">{t('visits.perOfficer')}</h2>
          {perOfficer.length ? (
            <div className="table-wrap">
              <table className="cards">
                <thead>
                  <tr>
                    <th>{t('visits.officer')}</th>
                    <th>{t('visits.count')}</th>
                    <th>{t('visits.needs')}</th>
                    <th>{t('visit.flag.far')}</th>
                    <th>{t('visit.flag.no_fix')}</th>
                    <th>{t('visits.conflicts')}</th>
                    <th>{t('visitValidity.invalid')}</th>
                  </tr>
                </thead>
                <tbody>
                  {perOfficer.map((o) => (
                    <tr key={o.officerId}>
                      <td className="card-title">
                        <Link to={`?day=${day}&officer=${o.officerId}`}>{o.officerName}</Link>
                      </td>
                      <td data-label={t('visits.count')}>{o.visits}</td>
                      <td data-label={t('visits.needs')}>{o.needs}</td>
                      <td data-label={t('visit.flag.far')} className={o.far ? 'flagged' : undefined}>{o.far}</td>
                      <td data-label={t('visit.flag.no_fix')} className={o.noFix ? 'flagged' : undefined}>{o.noFix}</td>
                      <td data-label={t('visits.conflicts')} className={o.conflicts ? 'flagged' : undefined}>{o.conflicts}</td>
                      <td data-label={t('visitValidity.invalid')} className={o.invalid ? 'flagged' : undefined}>{o.invalid}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="empty-state">{t('visits.none')}</p>
          )}
        </section>
      ) : null}

      <section className="card" aria-labelledby="visit-list">
        <h2 id="visit-list">{t('visits.list', { count: visits.length })}</h2>
        {visits.length ? (
          <div className="table-wrap">
            <table className="visits-table cards">
              <thead>
                <tr>
                  <th>{t('visits.time')}</th>
                  {!own ? <th>{t('visits.officer')}</th> : null}
                  <th>{t('visits.player')}</th>
                  <th>{t('visit.channel')}</th>
                  <th>{t('visit.outcome')}</th>
                  <th>{t('visit.need')}</th>
                  <th>{t('visits.distance')}</th>
                  <th>{t('visits.flags')}</th>
                  <th>{t('photo.title')}</th>
                </tr>
              </thead>
              <tbody>
                {visits.map((v) => (
                  <tr key={v.id} data-testid={`visit-${v.id}`} className={v.checkIn.flag || v.conflict || !v.validity.valid ? 'flagged-row' : undefined}>
                    <td data-label={t('visits.time')}>
                      <Link to={`/visits/${v.id}`}>{chinaClockText(v.visitedAt)}</Link>
                    </td>
                    {!own ? <td data-label={t('visits.officer')}>{v.officerName}</td> : null}
                    <td data-label={t('visits.player')}>
                      <Link to={`/players/${v.playerId}`}>{v.playerName}</Link>
                    </td>
                    <td data-label={t('visit.channel')}>{t(`visit.channel.${v.channel}`)}</td>
                    <td data-label={t('visit.outcome')}>{v.outcome ? t(`visit.outcome.${v.outcome as 'refer'}`) : '—'}</td>
                    <td data-label={t('visit.need')}>{v.need.has ? (v.need.amountYuan !== null ? t('visits.needAmount', { amount: moneyText(v.need.amountYuan, locale) }) : t('common.yes')) : '—'}</td>
                    <td data-label={t('visits.distance')}>{v.checkIn.distanceMetres !== null ? formatDistance(v.checkIn.distanceMetres) : '—'}</td>
                    <td data-label={t('visits.flags')}>
                      {v.checkIn.flag ? <span className="badge flag">{t(`visit.flag.${v.checkIn.flag as 'far'}`)}</span> : null}
                      {v.checkIn.farReason ? <span className="small"> {v.checkIn.farReason}</span> : null}
                      {v.conflict ? <span className="badge flag">{t('visit.flag.conflict')}</span> : null}
                      <VisitValidityBadge validity={v.validity} />
                      {mayAccept && !own && v.validity.reasons.includes('far') && v.checkIn.farReason ? (
                        <Form method="post" className="inline">
                          <input type="hidden" name="intent" value="accept-far" />
                          <input type="hidden" name="visitId" value={v.id} />
                          <button type="submit" className="small">{t('visitValidity.acceptFar')}</button>
                        </Form>
                      ) : null}
                    </td>
                    <td data-label={t('photo.title')}>
                      <VisitPhotoStrip visitId={v.id} photos={v.photos} size={48} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="empty-state">{t('visits.none')}</p>
        )}
      </section>
    </div>
  )
}
