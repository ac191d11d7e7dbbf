// A day's visits: a manager sees their branch's, per officer, with the check-in distance
// and what to look at (far from the player, no position, a conflict); an officer sees
// their own; headquarters sees the bank's.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { formatDistance } from '../components/visit-form'
import { VisitPhotoStrip } from '../components/visit-photo-strip'
import { chinaClockText, todayInChina } from '../domain/china-time'
import { requireUser, userScope } from '../http/guards.server'
import { useLocale, useT } from '../i18n/use-t'
import { listUsers } from '../services/users/list-users.server'
import { listVisitsOfDay } from '../services/visits/list-visits-of-day.server'
import { findVisitPhotos } from '../services/visit-photos/find-visit-photos.server'
import { moneyText } from '../domain/money-text'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const scope = userScope(user)
  const params = new URL(request.url).searchParams
  const dayParam = params.get('day') ?? ''
  const day = /^\d{4}-\d{2}-\d{2}$/.test(dayParam) && !Number.isNaN(Date.parse(dayParam)) ? dayParam : todayInChina()
  const officerId = Number(params.get('officer')) || undefined
  const flaggedOnly = params.get('flagged') === '1'
  const [list, officers] = await Promise.all([
    listVisitsOfDay(context.db, { scope }, { day, officerId, flaggedOnly }),
    scope.kind === 'own' ? Promise.resolve([]) : listUsers(context.db, scope, { role: 'officer', active: true, limit: 500 }),
  ])
  const photos = await findVisitPhotos(context.db, { scope }, list.visits.map((v) => v.id))
  return {
    day,
    officerId: officerId ?? null,
    flaggedOnly,
    visits: list.visits.map((v) => ({ ...v, photos: (photos.get(v.id) ?? []).map((p) => ({ id: p.id, position: p.position })) })),
    perOfficer: list.officers,
    officerChoices: officers.map((o) => ({ id: o.id, name: o.name })),
    own: scope.kind === 'own',
  }
}

export default function Visits() {
  const t = useT()
  const locale = useLocale()
  const { day, officerId, flaggedOnly, visits, perOfficer, officerChoices, own } = useLoaderData<typeof loader>()
  return (
    <div className="stack">
      <h1>{own ? t('visits.mine') : t('visits.title')}</h1>
      <Form method="get" className="toolbar">
        <label>
          {t('visits.day')} <input type="date" name="day" defaultValue={day} />
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
        <button type="submit">{t('common.apply')}</button>
      </Form>

      {!own ? (
        <section className="card" aria-labelledby="per-officer">
          <h2 id="per-officer">{t('visits.perOfficer')}</h2>
          {perOfficer.length ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t('visits.officer')}</th>
                    <th>{t('visits.count')}</th>
                    <th>{t('visits.needs')}</th>
                    <th>{t('visit.flag.far')}</th>
                    <th>{t('visit.flag.no_fix')}</th>
                    <th>{t('visits.conflicts')}</th>
                  </tr>
                </thead>
                <tbody>
                  {perOfficer.map((o) => (
                    <tr key={o.officerId}>
                      <td>
                        <Link to={`?day=${day}&officer=${o.officerId}`}>{o.officerName}</Link>
                      </td>
                      <td>{o.visits}</td>
                      <td>{o.needs}</td>
                      <td className={o.far ? 'flagged' : undefined}>{o.far}</td>
                      <td className={o.noFix ? 'flagged' : undefined}>{o.noFix}</td>
                      <td className={o.conflicts ? 'flagged' : undefined}>{o.conflicts}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">{t('visits.none')}</p>
          )}
        </section>
      ) : null}

      <section className="card" aria-labelledby="visit-list">
        <h2 id="visit-list">{t('visits.list', { count: visits.length })}</h2>
        {visits.length ? (
          <div className="table-wrap">
            <table className="visits-table">
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
                  <tr key={v.id} className={v.checkIn.flag || v.conflict ? 'flagged-row' : undefined}>
                    <td>
                      <Link to={`/visits/${v.id}`}>{chinaClockText(v.visitedAt)}</Link>
                    </td>
                    {!own ? <td>{v.officerName}</td> : null}
                    <td>
                      <Link to={`/players/${v.playerId}`}>{v.playerName}</Link>
                    </td>
                    <td>{t(`visit.channel.${v.channel}`)}</td>
                    <td>{v.outcome ? t(`visit.outcome.${v.outcome as 'refer'}`) : '—'}</td>
                    <td>{v.need.has ? (v.need.amountYuan !== null ? t('visits.needAmount', { amount: moneyText(v.need.amountYuan, locale) }) : t('common.yes')) : '—'}</td>
                    <td>{v.checkIn.distanceMetres !== null ? formatDistance(v.checkIn.distanceMetres) : '—'}</td>
                    <td>
                      {v.checkIn.flag ? <span className="badge flag">{t(`visit.flag.${v.checkIn.flag as 'far'}`)}</span> : null}
                      {v.checkIn.farReason ? <span className="small"> {v.checkIn.farReason}</span> : null}
                      {v.conflict ? <span className="badge flag">{t('visit.flag.conflict')}</span> : null}
                    </td>
                    <td>
                      <VisitPhotoStrip visitId={v.id} photos={v.photos} size={48} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t('visits.none')}</p>
        )}
      </section>
    </div>
  )
}
