// Visibility follows the organisation tree. This turns a signed-in user into the one
// description of what they may see; services/scope.server.ts turns it into SQL.
import type { Role } from './roles'

export type Scope =
  | { kind: 'all' }
  | { kind: 'org'; orgPath: string }
  | { kind: 'own'; userId: number; orgPath: string }

export interface ScopedUser {
  id: number
  role: Role
  orgPath: string
}

export function scopeOf(user: ScopedUser): Scope {
  switch (user.role) {
    case 'hq':
    case 'admin':
      return { kind: 'all' }
    case 'manager':
      return { kind: 'org', orgPath: user.orgPath }
    case 'officer':
      return { kind: 'own', userId: user.id, orgPath: user.orgPath }
  }
}

/** Whether an org unit (by its path) lies inside what the scope may see. */
export function scopeCoversOrgPath(scope: Scope, orgPath: string): boolean {
  if (scope.kind === 'all') return true
  return orgPath.startsWith(scope.orgPath)
}
