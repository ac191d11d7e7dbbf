// The navigation each role sees. Each capability adds its pages here as it lands.
import type { Role } from '../domain/roles'
import type { MessageKey } from '../i18n/index'

export interface NavItem {
  to: string
  label: MessageKey
  roles: readonly Role[]
}

export const NAV_ITEMS: readonly NavItem[] = [
  { to: '/', label: 'nav.home', roles: ['officer', 'manager', 'hq', 'admin'] },
  { to: '/my', label: 'nav.myList', roles: ['officer', 'manager'] },
  { to: '/visits', label: 'nav.visits', roles: ['officer', 'manager', 'hq', 'admin'] },
  { to: '/dashboard', label: 'nav.dashboard', roles: ['manager', 'hq', 'admin'] },
  { to: '/referrals', label: 'nav.referrals', roles: ['officer', 'manager', 'hq', 'admin'] },
  { to: '/players', label: 'nav.players', roles: ['officer', 'manager', 'hq', 'admin'] },
  { to: '/map', label: 'nav.map', roles: ['officer', 'manager', 'hq', 'admin'] },
  { to: '/territories', label: 'nav.territories', roles: ['officer', 'manager', 'admin'] },
  { to: '/imports', label: 'nav.imports', roles: ['manager', 'admin'] },
  { to: '/loan-qr', label: 'nav.loanQr', roles: ['officer', 'manager', 'admin'] },
  { to: '/clocks', label: 'nav.clocks', roles: ['officer', 'manager', 'hq', 'admin'] },
  { to: '/admin/org-units', label: 'nav.admin.orgUnits', roles: ['admin'] },
  { to: '/admin/users', label: 'nav.admin.users', roles: ['admin'] },
  { to: '/admin/areas', label: 'nav.admin.areas', roles: ['admin'] },
  { to: '/admin/products', label: 'nav.admin.products', roles: ['admin'] },
  { to: '/admin/consent-text', label: 'nav.admin.consentText', roles: ['admin'] },
  { to: '/admin/calendar', label: 'nav.calendar', roles: ['admin'] },
  { to: '/admin/visit-rules', label: 'nav.admin.visitRules', roles: ['admin'] },
  { to: '/admin/tokens', label: 'nav.admin.tokens', roles: ['admin'] },
  { to: '/admin/audit', label: 'nav.admin.audit', roles: ['admin'] },
]

export function navFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles.includes(role))
}
