// The database, as Kysely sees it. One `XxxTable` per table; `Generated<>` for what the
// database fills; nullable columns are `T | null`, never optional.
// Conventions (both dialects): dates are ISO-8601 text in UTC, booleans are 0/1 integers,
// money is integer yuan.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

export type Role = 'officer' | 'manager' | 'hq' | 'admin'
export type OrgUnitKind = 'hq' | 'branch' | 'sub_branch' | 'outlet'
export type AreaLevel = 'province' | 'city' | 'county' | 'township'

/** A count or sum: PostgreSQL answers bigint as a string, SQLite as a number. */
export type Aggregate = ColumnType<number | string | bigint, never, never>

export interface OrgUnitTable {
  id: Generated<number>
  code: string
  name: string
  kind: OrgUnitKind
  parent_id: number | null
  /** Materialised path of ids, `/1/4/9/`: a subtree is `path like '/1/4/%'`. */
  path: string
  depth: number
  created_at: string
}

export interface UserTable {
  id: Generated<number>
  username: string
  name: string
  role: Role
  org_unit_id: number
  active: number
  password_hash: string
  created_at: string
  updated_at: string
}

export interface SessionTable {
  /** SHA-256 of the token in the cookie: a leaked database does not leak live sessions. */
  id: string
  user_id: number
  created_at: string
  last_seen_at: string
  expires_at: string
  ip: string | null
  user_agent: string | null
}

export interface LoginThrottleTable {
  /** `user:<username>` or `client:<address>` */
  key: string
  failures: number
  window_started_at: string
  locked_until: string | null
}

export interface AuditLogTable {
  id: Generated<number>
  at: string
  actor_id: number | null
  actor_username: string | null
  action: string
  entity_type: string
  entity_id: string | null
  ip: string | null
  /** JSON text: what changed. Never personal data in clear. */
  detail: string | null
}

export interface AreaTable {
  /** GB/T 2260 division code: 6 digits (province, city, county) or 9 (township). */
  code: string
  name: string
  level: AreaLevel
  parent_code: string | null
  /** GeoJSON geometry (Polygon or MultiPolygon), WGS-84. */
  boundary: string | null
  centre_lat: number | null
  centre_lng: number | null
}

export interface Database {
  org_units: OrgUnitTable
  users: UserTable
  sessions: SessionTable
  login_throttle: LoginThrottleTable
  audit_log: AuditLogTable
  areas: AreaTable
}

export type OrgUnit = Selectable<OrgUnitTable>
export type NewOrgUnit = Insertable<OrgUnitTable>
export type User = Selectable<UserTable>
export type NewUser = Insertable<UserTable>
export type UserUpdate = Updateable<UserTable>
export type Session = Selectable<SessionTable>
export type AuditEntry = Selectable<AuditLogTable>
export type NewAuditEntry = Insertable<AuditLogTable>
export type Area = Selectable<AreaTable>
export type NewArea = Insertable<AreaTable>
