// Who may do what. Every permission check in routes and services asks here.
export const ROLES = ['officer', 'manager', 'hq', 'admin'] as const
export type Role = (typeof ROLES)[number]

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

export type Permission =
  | 'org:manage' // create, rename and move org units
  | 'users:manage' // create users, change roles, deactivate, reset passwords
  | 'branch:view' // see the people and progress of an org subtree
  | 'bank:view' // see the whole bank
  | 'personal-data:unmask'
  | 'players:edit' // enter and correct market players by hand, override a size class
  | 'imports:run' // upload and commit lists
  | 'territories:manage' // draw territories, assign officers and players, balance workload
  | 'visits:log' // log visits to the players one looks after
  | 'personal-data:dial' // get the phone numbers of one's own list, to call them (audited)
  | 'integrations:manage' // make and revoke the tokens other systems (the loan system) use
  | 'products:manage' // edit the product catalogue the hand-off rules read
  | 'targets:set' // set the figures' targets per org unit and period
  | 'audit:view' // read and export the audit log
  | 'areas:manage' // load the divisions the bank serves, their boundaries and centres
  | 'calendar:manage' // keep the working-day calendar and the channel clocks' numbers
  | 'visit-rules:manage' // set the rules a visit must meet to count (photo, radius, phone and video)
  | 'visits:review' // accept an officer's reason for a far check-in, so the visit counts
  | 'history:import' // bring past visits and referrals with their own dates (files, or the APIs with an explicit past time)

const GRANTS: Record<Role, readonly Permission[]> = {
  officer: ['visits:log', 'personal-data:dial'],
  manager: ['branch:view', 'personal-data:unmask', 'players:edit', 'imports:run', 'territories:manage', 'visits:log', 'personal-data:dial', 'history:import', 'visits:review'],
  hq: ['branch:view', 'bank:view', 'targets:set'],
  admin: ['branch:view', 'bank:view', 'org:manage', 'users:manage', 'personal-data:unmask', 'players:edit', 'imports:run', 'territories:manage', 'integrations:manage', 'products:manage', 'targets:set', 'audit:view', 'areas:manage', 'history:import', 'calendar:manage', 'visit-rules:manage', 'visits:review'],
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission)
}
