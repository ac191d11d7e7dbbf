// The registry: every market player the user may see, searched, filtered and paged.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { can } from '../domain/roles'
import { industrySectionName } from '../domain/industry'
import { callerOf, requireUser } from '../http/guards.server'
import { httpErrorOf } from '../http/errors.server'
import { useLocale, useT } from '../i18n/use-t'
import { playerFilterFromSearch, playerSortFromSearch } from '../forms/player-filter'
import { listTownships } from '../services/areas.server'
import { listPlayers } from '../services/players/list-players.server'
import { listUsers } from '../services/users/list-users.server'
import { SelectField } from '../components/field'
import { PlayerFilterFields } from '../components/player-filter-fields'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const caller = callerOf(user, context)
  const { scope } = caller
  const params = new URL(request.url).searchParams
  const filter = playerFilterFromSearch(params)
  const [page, townships, officers] = await Promise.all([
    listPlayers(context.db, caller, { filter, page: { sort: playerSortFromSearch(params), cursor: params.get('cursor') } }).catch(
      (error: unknown) => {
        throw httpErrorOf(error)
      },
    ),
    listTownships(context.db),
    user.role === 'officer' ? Promise.resolve([]) : listUsers(context.db, scope, { role: 'officer', active: true }),
  ])
  return {
    page,
    townships: townships.map((t) => ({ code: t.code, name: t.name })),
    officers: officers.map((o) => ({ id: o.id, name: `${o.name} (${o.orgName})` })),
    canEdit: can(user.role, 'players:edit'),
    isOfficer: user.role === 'officer',
  }
}

export default function Players() {
  const { page, townships, officers, canEdit, isOfficer } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const [params] = useSearchParams()
  const nextParams = new URLSearchParams(params)
  if (page.nextCursor) nextParams.set('cursor', page.nextCursor)
  const firstParams = new URLSearchParams(params)
  firstParams.delete('cursor')

  return (
    <div className="stack">
      <div className="title-row">
        <h1>{t('nav.players')}</h1>
        {canEdit ? (
          <Link to="/players/new" className="button-link">
            {t('player.new')}
          </Link>
        ) : null}
      </div>
      <Form method="get" className="card filters" role="search">
        <div className="field search-field">
          <label htmlFor="q">{t('player.search')}</label>
          <input id="q" name="q" type="search" defaultValue={params.get('q') ?? ''} placeholder={t('player.searchHint')} />
        </div>
        <details open={[...params.keys()].some((k) => k !== 'q' && k !== 'cursor')}>
          <summary>{t('player.filters')}</summary>
          <div className="form-grid">
            <PlayerFilterFields
              only={isOfficer ? ['kind', 'township', 'industry', 'size', 'grade', 'loan', 'status', 'candidate', 'qualification'] : ['kind', 'township', 'industry', 'size', 'grade', 'loan', 'status', 'candidate', 'qualification', 'officer', 'unassigned']}
              townships={townships}
              officers={officers}
            />
            <SelectField
              label={t('player.sort')}
              name="sort"
              defaultValue={params.get('sort') ?? 'newest'}
              options={[
                { value: 'newest', label: t('player.sort.newest') },
                { value: 'name', label: t('player.sort.name') },
              ]}
            />
          </div>
        </details>
        <button type="submit" className="primary">
          {t('common.search')}
        </button>
      </Form>

      {page.rows.length === 0 ? (
        <p className="card muted">{t('player.none')}</p>
      ) : (
        <ul className="player-list" aria-label={t('nav.players')}>
          {page.rows.map((p) => (
            <li key={p.id} className="card player-card">
              <div className="player-card-head">
                <Link to={`/players/${p.id}`} className="player-name">
                  {p.name}
                </Link>
                <span className={`badge candidate-${p.candidateStatus}`}>{t(`candidateStatus.${p.candidateStatus as 'candidate'}`)}</span>
                {p.qualification === 'qualifies' ? <span className="badge qualifies">{t('qualification.qualifies')}</span> : null}
              </div>
              <div className="muted small">
                {[
                  t(`kind.${p.kind}`),
                  p.uscc,
                  p.owner ?? p.legalRepresentative,
                  p.phoneMasked,
                  p.townshipName,
                  p.industry ? `${p.industry} ${industrySectionName(p.industry as 'A', locale)}` : null,
                  p.sizeClass ? t(`sizeClass.${p.sizeClass as 'micro'}`) : null,
                  p.taxGrade ? `${t('player.taxGrade')} ${p.taxGrade}` : null,
                  t(`loanHistory.${p.loanHistory}`),
                  t(`campaignStatus.${p.campaignStatus as 'visited'}`),
                  p.officerName ?? (isOfficer ? null : t('player.unassigned')),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </div>
            </li>
          ))}
        </ul>
      )}
      <nav className="pager" aria-label={t('player.pages')}>
        {params.get('cursor') ? <Link to={`?${firstParams}`}>{t('player.firstPage')}</Link> : <span />}
        {page.nextCursor ? (
          <Link to={`?${nextParams}`} rel="next">
            {t('player.nextPage')}
          </Link>
        ) : null}
      </nav>
    </div>
  )
}
