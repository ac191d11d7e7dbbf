// The home page each role lands on after signing in (issue 23 item 13): the officer's today
// (plan, done, due, overdue), the manager's officers at work, hq's and admin's two regulator
// figures with their trend. Each part from its use case in services/home/.
import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { navFor } from '../components/navigation'
import { OfficerToday } from '../components/home/officer-today'
import { OfficersAtWork } from '../components/home/officers-at-work'
import { RegulatorFigures } from '../components/home/regulator-figures'
import { callerOf, requireUser } from '../http/guards.server'
import { useT } from '../i18n/use-t'
import { findOfficerToday } from '../services/home/find-officer-today.server'
import { findOfficersAtWork } from '../services/home/find-officers-at-work.server'
import { readRegulatorFigures } from '../services/home/read-regulator-figures.server'
import { findOrgUnitAncestry } from '../services/org-units/find-org-units.server'
import { countOverdueReferrals } from '../services/referrals.server'
import homeStyles from '../styles/home.css'
import { countText } from '../domain/number-text'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: homeStyles }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const { db } = context
  const caller = callerOf(user, context)
  const [ancestry, overdue] = await Promise.all([findOrgUnitAncestry(db, user.orgPath), countOverdueReferrals(db, caller.scope)])
  const me = { name: user.name, role: user.role, orgName: ancestry.at(-1)?.name ?? '', overdue }
  if (user.role === 'officer') return { me, view: 'officer' as const, today: await findOfficerToday(db, caller) }
  if (user.role === 'manager') return { me, view: 'manager' as const, officers: await findOfficersAtWork(db, caller) }
  return { me, view: 'bank' as const, regulator: await readRegulatorFigures(db, caller) }
}

export default function Home() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const { me } = data
  return (
    <div className="stack home">
      <header className="home-hello">
        <h1 id="whoami">{t('home.welcome', { name: me.name })}</h1>
        <p data-testid="role-line" className="muted">
          {t('home.youAre', { role: t(`role.${me.role}`), org: me.orgName })}
        </p>
      </header>

      {me.overdue > 0 ? (
        <p className="notice warning" role="status" data-testid="overdue-referrals">
          <Link to="/referrals?overdue=1">{t('home.overdueReferrals', { count: countText(me.overdue) })}</Link>
        </p>
      ) : null}

      {data.view === 'officer' ? <OfficerToday data={data.today} /> : null}
      {data.view === 'manager' ? <OfficersAtWork data={data.officers} /> : null}
      {data.view === 'bank' ? <RegulatorFigures data={data.regulator} /> : null}

      {me.role === 'admin' ? (
        <section className="card" aria-labelledby="admin-links">
          <h2 id="admin-links">{t('home.admin.links')}</h2>
          <ul className="tiles">
            {navFor(me.role)
              .filter((item) => item.to.startsWith('/admin'))
              .map((item) => (
                <li key={item.to}>
                  <Link to={item.to}>{t(item.label)}</Link>
                </li>
              ))}
          </ul>
        </section>
      ) : null}
    </div>
  )
}
