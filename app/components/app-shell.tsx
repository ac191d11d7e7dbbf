// The frame around every signed-in page: the bar, the navigation, the language switch.
import { Form, NavLink, useLocation } from '@remix-run/react'
import type { ReactNode } from 'react'
import { can, type Role } from '../domain/roles'
import { useLocale, useT } from '../i18n/use-t'
import { navFor } from './navigation'
import { OutboxBadge } from './outbox'
import { ClientOnly } from './hydrated'

export interface ShellUser {
  name: string
  username: string
  role: Role
  orgName: string
  /** Nothing but the password page works yet: no navigation to offer. */
  mustChangePassword?: boolean
}

export function AppShell({ user, children }: { user: ShellUser | null; children: ReactNode }) {
  const t = useT()
  return (
    <>
      <header className="topbar">
        <a href="/" className="brand">
          {t('app.name')}
        </a>
        {user && !user.mustChangePassword ? (
          <>
            {/* A phone gets a menu button; a wider screen shows the links in the bar. */}
            <details className="menu">
              <summary aria-label={t('nav.menu')}>☰</summary>
              <NavLinks role={user.role} label={t('nav.menu')}>
                <a href="/account/password" className="menu-only">
                  {t('nav.account.password')}
                </a>
              </NavLinks>
            </details>
            <NavLinks role={user.role} label={t('nav.main')} className="nav-wide" />
          </>
        ) : null}
        <div className="topbar-end">
          {user && can(user.role, 'visits:log') ? <ClientOnly>{() => <OutboxBadge />}</ClientOnly> : null}
          <LanguageSwitch />
          {user ? (
            <a href="/account/password" className="link-button account-link">
              {t('nav.account.password')}
            </a>
          ) : null}
          {user ? (
            <Form method="post" action="/logout">
              <button type="submit" className="link-button">
                {t('nav.signOut')}
              </button>
            </Form>
          ) : null}
        </div>
      </header>
      <main className="page">{children}</main>
    </>
  )
}

function NavLinks({ role, label, className, children }: { role: Role; label: string; className?: string; children?: ReactNode }) {
  const t = useT()
  return (
    <nav aria-label={label} className={className}>
      {navFor(role).map((item) => (
        <NavLink key={item.to} to={item.to} end={item.to === '/'}>
          {t(item.label)}
        </NavLink>
      ))}
      {children}
    </nav>
  )
}

function LanguageSwitch() {
  const t = useT()
  const locale = useLocale()
  const location = useLocation()
  return (
    <Form method="post" action="/lang" reloadDocument>
      <input type="hidden" name="locale" value={locale === 'en' ? 'zh-CN' : 'en'} />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <button type="submit" className="link-button" lang={locale === 'en' ? 'zh-CN' : 'en'} title={t('lang.label')}>
        {t('lang.switch')}
      </button>
    </Form>
  )
}
