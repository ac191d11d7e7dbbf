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
import { CardTable } from '../components/card-table'

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
          <CardTable
            rows={perOfficer}
            rowKey={(o) => o.officerId}
            empty={t('visits.none')}
            columns={[
              { header: t('visits.officer'), title: true, cell: (o) => <Link to={`?day=${day}&officer=${o.officerId}`}>{o.officerName}</Link> },
              { header: t('visits.count'), cell: (o) => o.visits },
              { header: t('visits.needs'), cell: (o) => o.needs },
              { header: t('visit.flag.far'), cellProps: (o) => (o.far ? { className: 'flagged' } : {}), cell: (o) => o.far },
              { header: t('visit.flag.no_fix'), cellProps: (o) => (o.noFix ? { className: 'flagged' } : {}), cell: (o) => o.noFix },
              { header: t('visits.conflicts'), cellProps: (o) => (o.conflicts ? { className: 'flagged' } : {}), cell: (o) => o.conflicts },
              { header: t('visitValidity.invalid'), cellProps: (o) => (o.invalid ? { className: 'flagged' } : {}), cell: (o) => o.invalid },
            ]}
          />
        </section>
      ) : null}

      <section className="card" aria-labelledby="visit-list">
        <h2 id="visit-list">{t('visits.list', { count: visits.length })}</h2>
        <CardTable
          rows={visits}
          rowKey={(v) => v.id}
          rowProps={(v) => ({ 'data-testid': `visit-${v.id}`, className: v.checkIn.flag || v.conflict || !v.validity.valid ? 'flagged-row' : undefined })}
          className="visits-table"
          empty={t('visits.none')}
          columns={[
            { header: t('visits.time'), cell: (v) => <Link to={`/visits/${v.id}`}>{chinaClockText(v.visitedAt)}</Link> },
            !own && { header: t('visits.officer'), cell: (v) => v.officerName },
            { header: t('visits.player'), cell: (v) => <Link to={`/players/${v.playerId}`}>{v.playerName}</Link> },
            { header: t('visit.channel'), cell: (v) => t(`visit.channel.${v.channel}`) },
            { header: t('visit.outcome'), cell: (v) => (v.outcome ? t(`visit.outcome.${v.outcome as 'refer'}`) : '—') },
            { header: t('visit.need'), cell: (v) => (v.need.has ? (v.need.amountYuan !== null ? t('visits.needAmount', { amount: moneyText(v.need.amountYuan, locale) }) : t('common.yes')) : '—') },
            { header: t('visits.distance'), cell: (v) => (v.checkIn.distanceMetres !== null ? formatDistance(v.checkIn.distanceMetres) : '—') },
            {
              header: t('visits.flags'),
              cell: (v) => (
                <>
                  {v.checkIn.flag ? <span className="badge flag">{t(`visit.flag.${v.checkIn.flag as 'far'}`)}</span> : null}
                  {v.checkIn.farReason ? <span className="small"> {v.checkIn.farReason}</span> : null}
                  {v.conflict ? <span className="badge flag">{t('visit.flag.conflict')}</span> : null}
                  <VisitValidityBadge validity={v.validity} />
                  {mayAccept && !own && v.validity.reasons.includes('far') && v.checkIn.farReason ? (
                    <Form method="post" className="inline">
                      <input type="hidden" name="intent" value="accept-far" />
                      <input type="hidden" name="visitId" value={v.id} />
                      <button type="submit" className="small">
                        {t('visitValidity.acceptFar')}
                      </button>
                    </Form>
                  ) : null}
                </>
              ),
            },
            { header: t('photo.title'), cell: (v) => <VisitPhotoStrip visitId={v.id} photos={v.photos} size={48} /> },
          ]}
        />
      </section>
    </div>
  )
}
