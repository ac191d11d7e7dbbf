// The home page: who you are, where you sit, and the part of the bank that is yours.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { rollUp } from '../domain/org-tree'
import { callerOf, requireUser } from '../http/guards.server'
import { useT } from '../i18n/use-t'
import { navFor } from '../components/navigation'
import { findOrgUnitAncestry, listOrgUnits } from '../services/org-units/find-org-units.server'
import { countStaffPerOrgUnit } from '../services/users/count-staff-per-org-unit.server'
import { findManagersOfOrgUnit } from '../services/users/find-managers-of-org-unit.server'
import { listUsers } from '../services/users/list-users.server'
import { countPlayers } from '../services/players/count-players.server'
import { countOverdueReferrals } from '../services/referrals.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const { db } = context
  const caller = callerOf(user, context)
  const { scope } = caller
  const ancestry = await findOrgUnitAncestry(db, user.orgPath)
  const me = { name: user.name, username: user.username, role: user.role, ancestry, overdue: await countOverdueReferrals(db, scope) }

  if (user.role === 'officer') {
    const [managers, players] = await Promise.all([findManagersOfOrgUnit(db, user.orgUnitId), countPlayers(db, caller)])
    return { me, view: 'officer' as const, managers, players }
  }
  const [units, staff] = await Promise.all([listOrgUnits(db, scope), countStaffPerOrgUnit(db, scope)])
  const totals = rollUp(units, staff, ['officers', 'managers'] as const)
  const outlets = rollUp(
    units,
    new Map(units.filter((u) => u.kind === 'outlet').map((u) => [u.id, { outlets: 1 }])),
    ['outlets'] as const,
  )
  // hq and admin see the bank down to sub-branches; a manager sees every unit under them.
  const baseDepth = user.role === 'manager' ? (ancestry.at(-1)?.depth ?? 0) : 0
  const maxDepth = user.role === 'manager' ? Infinity : 2
  const rows = units
    .filter((u) => u.depth - baseDepth <= maxDepth)
    .map((u) => ({ ...u, ...totals.get(u.id)!, outlets: outlets.get(u.id)!.outlets, level: u.depth - baseDepth }))
  if (user.role === 'manager') {
    const [officers, players] = await Promise.all([listUsers(db, scope, { role: 'officer' }), countPlayers(db, caller)])
    return { me, view: 'branch' as const, rows, officers, players }
  }
  return { me, view: 'bank' as const, rows }
}

export default function Home() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const { me } = data
  const here = me.ancestry.at(-1)
  return (
    <div className="stack">
      <section className="card" aria-labelledby="whoami">
        <h1 id="whoami">{t('home.welcome', { name: me.name })}</h1>
        <p data-testid="role-line">{t('home.youAre', { role: t(`role.${me.role}`), org: here?.name ?? '' })}</p>
        <nav aria-label={t('home.orgPath')} className="breadcrumb">
          {me.ancestry.map((unit, i) => (
            <span key={unit.id}>
              {i > 0 ? ' › ' : ''}
              {unit.name}
            </span>
          ))}
        </nav>
        <ul className="tiles">
          {navFor(me.role)
            .filter((item) => item.to !== '/')
            .map((item) => (
              <li key={item.to}>
                <Link to={item.to}>{t(item.label)}</Link>
              </li>
            ))}
        </ul>
      </section>

      {me.overdue > 0 ? (
        <p className="notice warning" role="status" data-testid="overdue-referrals">
          <Link to="/referrals?overdue=1">{t('home.overdueReferrals', { count: me.overdue.toLocaleString() })}</Link>
        </p>
      ) : null}

      {data.view === 'officer' || data.view === 'branch' ? <PlayerCounts counts={data.players} showUnassigned={data.view === 'branch'} /> : null}

      {data.view === 'officer' ? (
        <section className="card" aria-labelledby="work">
          <h2 id="work">{t('home.officer.title')}</h2>
          <p>{t('home.officer.body')}</p>
          <p>
            <Link to="/my" className="button-link">
              {t('nav.myList')}
            </Link>
          </p>
          <h3>{t('home.officer.manager')}</h3>
          <ul>
            {data.managers.map((m) => (
              <li key={m.id}>{m.name}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {data.view === 'branch' || data.view === 'bank' ? (
        <section className="card" aria-labelledby="units">
          <h2 id="units">{data.view === 'branch' ? t('home.manager.title') : t('home.hq.title')}</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('table.name')}</th>
                  <th>{t('table.kind')}</th>
                  <th className="num">{t('orgKind.outlet')}</th>
                  <th className="num">{t('home.count.managers')}</th>
                  <th className="num">{t('home.count.officers')}</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((u) => (
                  <tr key={u.id}>
                    <td style={{ paddingInlineStart: `${0.5 + u.level}rem` }}>{u.name}</td>
                    <td>{t(`orgKind.${u.kind}`)}</td>
                    <td className="num">{u.outlets}</td>
                    <td className="num">{u.managers}</td>
                    <td className="num">{u.officers}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      {data.view === 'branch' ? (
        <section className="card" aria-labelledby="officers">
          <h2 id="officers">{t('home.manager.officers')}</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('users.name')}</th>
                  <th>{t('table.username')}</th>
                  <th>{t('table.orgUnit')}</th>
                  <th>{t('table.status')}</th>
                </tr>
              </thead>
              <tbody>
                {data.officers.map((o) => (
                  <tr key={o.id}>
                    <td>{o.name}</td>
                    <td>{o.username}</td>
                    <td>{o.orgName}</td>
                    <td>{o.active ? t('status.active') : t('status.inactive')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  )
}

function PlayerCounts({ counts, showUnassigned }: { counts: { total: number; candidate: number; to_verify: number; unassigned: number }; showUnassigned: boolean }) {
  const t = useT()
  const tiles = [
    { to: '/players', label: t('home.players.total'), value: counts.total },
    { to: '/players?candidate=candidate', label: t('candidateStatus.candidate'), value: counts.candidate },
    { to: '/players?candidate=to_verify', label: t('candidateStatus.to_verify'), value: counts.to_verify },
    ...(showUnassigned ? [{ to: '/players?unassigned=1', label: t('player.unassigned'), value: counts.unassigned }] : []),
  ]
  return (
    <section className="card" aria-labelledby="player-counts">
      <h2 id="player-counts">{t('nav.players')}</h2>
      <dl className="counts">
        {tiles.map((tile) => (
          <div key={tile.to}>
            <dt>
              <Link to={tile.to}>{tile.label}</Link>
            </dt>
            <dd>{tile.value.toLocaleString()}</dd>
          </div>
        ))}
      </dl>
    </section>
  )
}
