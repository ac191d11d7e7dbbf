// The database, as Kysely sees it. One `XxxTable` per table; `Generated<>` for what the
// database fills; nullable columns are `T | null`, never optional.
// Conventions (both dialects): dates are ISO-8601 text in UTC, booleans are 0/1 integers,
// money is integer yuan.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'
import type { Channel } from '../app/domain/channels'

export type Role = 'officer' | 'manager' | 'hq' | 'admin'
export type OrgUnitKind = 'hq' | 'branch' | 'sub_branch' | 'outlet'
export type AreaLevel = 'province' | 'city' | 'county' | 'township' | 'village'
/** What a player's area code comes from: the list, its address, its USCC's division code, a person. */
export type AreaBasis = 'list' | 'address' | 'uscc' | 'manual'
/** What an area's centre comes from: its boundary's centroid, the middle of its players, a person. */
export type CentreBasis = 'boundary' | 'players' | 'manual'

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
  /** 1 until the user chooses their own password (a one-time initial one was given). */
  must_change_password: Generated<number>
  /** The HR system's employee number (工号), when the staff import gave one. */
  employee_number: Generated<string | null>
  /** Personal data, as the players' phones: ciphertext, blind index, masked form. */
  mobile_enc: Generated<string | null>
  mobile_hash: Generated<string | null>
  mobile_masked: Generated<string | null>
}

/** The bank, once set up: one row (id 1), its head office and who set it up. */
export interface BankTable {
  id: number
  name: string
  head_office_id: number
  set_up_at: string
  set_up_by: string
}

/** A one-time set-up link printed on the console: the token's SHA-256 only. */
export interface SetupLinkTable {
  token_hash: string
  created_at: string
  expires_at: string
  used_at: string | null
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
  /** GB/T 2260 division code: 6 digits (province, city, county), 9 (township) or 12 (village). */
  code: string
  name: string
  level: AreaLevel
  parent_code: string | null
  /** GeoJSON geometry (Polygon or MultiPolygon), WGS-84. */
  boundary: string | null
  centre_lat: number | null
  centre_lng: number | null
  /** 1 when the boundary is a schematic one the demo generated, not a surveyed one. */
  boundary_generated: Generated<number>
  centre_basis: Generated<CentreBasis | null>
}

/** A province, city or county the bank serves: an admin chose it and its divisions were loaded. */
export interface ServedDivisionTable {
  code: string
  name: string
  level: AreaLevel
  loaded_at: string
}

export interface MarketPlayerTable {
  id: Generated<number>
  uscc: string | null
  kind: 'enterprise' | 'household'
  name: string
  /** Pinyin initials of the name, for searches such as `hnmy`. */
  name_initials: string
  legal_representative: string | null
  owner: string | null
  /** Normalised name + owner + address: how a household without a USCC is recognised. */
  match_key: string | null
  /** Personal data: AES-256-GCM ciphertext, an HMAC blind index for exact search, and the
   * masked form shown by default. */
  id_number_enc: string | null
  id_number_hash: string | null
  id_number_masked: string | null
  phone_enc: string | null
  phone_hash: string | null
  phone_masked: string | null
  industry: string | null
  industry_code: string | null
  employees: number | null
  revenue_yuan: number | null
  assets_yuan: number | null
  /** The size class in force: the override when there is one, else the computed class. */
  size_class: string | null
  size_class_computed: string | null
  /** JSON Message: why the computed class is what it is. */
  size_class_basis: string | null
  /** Set when a person overrode the computed class, saying why. */
  size_class_override_reason: string | null
  registered_on: string | null
  registration_status: string | null
  address: string | null
  area_code: string | null
  /** What the area code comes from; null for codes stored before bases were kept (a list's or a form's). */
  area_basis: Generated<AreaBasis | null>
  /** The 9-digit township the area code lies in, when it names one. */
  township_code: string | null
  lat: number | null
  lng: number | null
  /** 1 when the position is the township's centre, not the player's own. */
  position_approximate: Generated<number>
  tax_grade: string | null
  loan_history: 'none' | 'has_loan' | 'unknown'
  loan_checked_on: string | null
  /** The list that first brought the player in. */
  source: string
  /** The import job that brought the player in; null when entered by hand. */
  import_job_id: number | null
  org_unit_id: number
  assigned_officer_id: number | null
  /** The territory the player's position (or township) falls in. */
  territory_id: Generated<number | null>
  /** How the officer was chosen: `territory` (follows it) or `direct` (a manager's choice). */
  assignment_source: Generated<'territory' | 'direct' | null>
  campaign_status: string
  /** Of the latest visit (see 0005): when, its outcome, the follow-up it set. */
  last_visited_at: Generated<string | null>
  last_outcome: Generated<string | null>
  next_follow_up_on: Generated<string | null>
  /** `candidate`, `to_verify` or `not_candidate`, with its reasons as JSON Messages. */
  candidate_status: string
  candidate_reasons: string
  /** `qualifies`, `refused` or `no_need` (see 0007), and the products that accept the case. */
  qualification: Generated<string>
  qualified_products: Generated<string>
  /** 1 for an enterprise a list gave without a USCC: a lead to verify (see 0014). */
  lead_to_verify: Generated<number>
  /** A player with a code this lead may be, until a manager confirms or dismisses it. */
  lead_match_id: Generated<number | null>
  /** The evaluation year (评价年度) of tax_grade. */
  tax_grade_year: Generated<number | null>
  /** How the player came to the bank (app/domain/channels.ts; see 0017). */
  channel: Generated<Channel>
  /** When it came in through that channel (a list's date, a QR submission); its clocks run from here. */
  channel_at: string | null
  /** The working group or platform that sent it, as its list named it (0024). */
  channel_group: Generated<string | null>
  /** The platform's application reference, from its list (0024). */
  channel_ref: Generated<string | null>
  created_at: string
  updated_at: string
}

export interface PlayerAssignmentTable {
  id: Generated<number>
  player_id: number
  officer_id: number | null
  assigned_at: string
  assigned_by: number | null
  reason: string | null
}

export type ImportJobStatus =
  | 'uploaded'
  | 'previewing'
  | 'needs_mapping'
  | 'previewed'
  | 'queued'
  | 'running'
  | 'done'
  | 'failed'
  | 'cancelled'

export interface ImportJobTable {
  id: Generated<number>
  source: string
  file_name: string
  file_path: string
  file_bytes: number
  format: string | null
  encoding: string | null
  org_unit_id: number
  created_by: number | null
  created_at: string
  status: ImportJobStatus
  accept_bad_check: Generated<number>
  merge_households: Generated<number>
  /** JSON ImportPreview (app/services/import/import-preview.server.ts): columns with sample
   * values and the first rows as they will be stored; masked. */
  preview: Generated<string | null>
  /** JSON: the header row as read. */
  headers: string | null
  /** JSON: the list column of each header position (or null to ignore it). */
  mapping: string | null
  total_rows: Generated<number>
  /** Rows the preview counted: how a commit knows the rows left. */
  expected_rows: number | null
  rows_done: Generated<number>
  /** The spreadsheet row of the last row committed: where a resumed job goes on. */
  last_row: Generated<number>
  inserted: Generated<number>
  updated: Generated<number>
  unchanged: Generated<number>
  rejected: Generated<number>
  warnings: Generated<number>
  matches: Generated<number>
  /** JSON Message when the job failed as a whole. */
  error: string | null
  claimed_by: string | null
  heartbeat_at: string | null
  started_at: string | null
  finished_at: string | null
  /** The list's channel (see 0018): a working group's list or a platform's applications clock every firm on it. */
  channel: Generated<Channel>
  /** The working group's (or platform's) name. */
  channel_group: string | null
  /** The list's date (the start of China's day it names), from which its firms' clocks run. */
  channel_at: string | null
}

export interface ImportIssueTable {
  id: Generated<number>
  job_id: number
  row: number
  severity: 'rejected' | 'warning' | 'match'
  /** JSON: [{ column, message }] */
  issues: string
  /** JSON: the row's cells as read, for the download of rejected rows. */
  cells: string | null
  /** The same cells as read, personal data included, encrypted (see 0014). */
  cells_enc: Generated<string | null>
  /** For a household match: the existing player it matched. */
  player_id: number | null
}

export interface ImportMappingTable {
  /** The org unit whose managers chose it: never applied to another unit's files. */
  org_unit_id: number
  source: string
  header: string
  field: string
  updated_by: number | null
  updated_at: string
}

export interface PlayerSourceTable {
  id: Generated<number>
  player_id: number
  source: string
  import_job_id: number | null
  row: number | null
  at: string
  /** JSON: the fields this list set or changed, personal data masked. */
  said: string
}

export interface TerritoryTable {
  id: Generated<number>
  org_unit_id: number
  name: string
  /** GeoJSON Polygon or MultiPolygon, WGS-84; null for a territory made of townships only. */
  geometry: string | null
  /** JSON array of 9-digit township codes; null for a drawn territory only. */
  township_codes: string | null
  /** Bounding box of the geometry, to find candidate players fast. */
  west: number | null
  south: number | null
  east: number | null
  north: number | null
  officer_id: number | null
  created_by: number | null
  created_at: string
  updated_at: string
  deleted_at: string | null
}

export interface TerritoryAssignmentTable {
  id: Generated<number>
  territory_id: number
  officer_id: number | null
  assigned_at: string
  assigned_by: number | null
  reason: string | null
}

export type VisitChannel = 'on_site' | 'phone' | 'video'

export interface VisitTable {
  /** Made by the client, so a resend of the same visit is stored once. */
  id: string
  player_id: number
  /** The author. */
  officer_id: number
  /** The author's org unit when the visit was recorded: who manages it. */
  org_unit_id: number
  visited_at: string
  recorded_at: string
  updated_at: string
  channel: VisitChannel
  contact: string | null
  notes: string | null
  has_need: number
  need_amount_yuan: number | null
  need_purpose: string | null
  need_term_months: number | null
  /** 1 when collateral or a guarantee is available, 0 when not, null when not asked. */
  need_collateral: number | null
  need_product: string | null
  /** JSON array of obstacle codes. */
  obstacles: string | null
  outcome: string | null
  next_follow_up_on: string | null
  check_in_lat: number | null
  check_in_lng: number | null
  check_in_accuracy_m: number | null
  /** `live` or `cached`: whether the position was fresh when the visit was saved. */
  check_in_fix: string | null
  check_in_distance_m: number | null
  /** `far` (beyond the radius) or `no_fix` (on site with no position); null when fine. */
  check_in_flag: string | null
  far_reason: string | null
  /** 1 when this check-in set the player's position. */
  position_set: Generated<number>
  /** JSON: why the player no longer matched the author's copy (reassigned, say). */
  conflict: string | null
  /** 1 when the visit counts under the bank's rules (domain/visit-validity.ts). */
  valid: Generated<number>
  /** JSON array of the reasons it does not count; null when valid. */
  invalid_reasons: string | null
  /** The visit_rules version it was judged by; null for visits from before the rules. */
  rules_version: number | null
  /** The manager who accepted a far check-in's reason, and when. */
  far_accepted_by: number | null
  far_accepted_at: string | null
}

/** The bank's rules for a visit to count: each save a new version. */
export interface VisitRulesTable {
  version: number
  photo_required: number
  radius_m: number
  remote_households: number
  remote_enterprises: number
  set_by: number | null
  set_at: string
}

export interface VisitPhotoTable {
  /** Made by the officer's phone, so a resent photo is stored once. */
  id: string
  visit_id: string
  /** 1, 2, … in the order taken. */
  position: number
  content_type: 'image/jpeg' | 'image/png' | 'image/webp'
  /** Where the storage module keeps the bytes shown (metadata removed). */
  storage_key: string
  /** SHA-256 (hex) of the bytes as received. */
  sha256: string
  original_bytes: number
  stored_bytes: number
  added_at: string
  added_by: number
  /** Where the storage module keeps the small copy lists show (JPEG or WebP); null: none sent (older rows, the plain form). */
  thumbnail_key: string | null
}

export interface ConsentTextTable {
  /** 1, 2, …: a save is a new version; old versions are never changed. */
  version: number
  body: string
  /** Days a consent signed on this version counts for. */
  valid_days: number
  created_by: number | null
  created_at: string
}

export interface ConsentTable {
  /** Made when the signing page opens, so the same form sent twice is stored once. */
  id: string
  player_id: number
  text_version: number
  signer_name: string
  signer_role: 'owner' | 'legal_representative'
  /** The signature PNG in the storage module, and the SHA-256 of its bytes. */
  signature_key: string
  signature_sha256: string
  /** The signed form (PDF) in the storage module. */
  form_key: string
  form_content_type: string
  form_sha256: string
  signed_at: string
  lat: number | null
  lng: number | null
  accuracy_m: number | null
  officer_id: number
  expires_at: string
  /** SHA-256 over everything above that the consent says (app/domain/consent.ts). */
  sha256: string
  withdrawn_at: string | null
  withdrawn_by: number | null
  withdrawn_reason: string | null
  /** When the server got it: later than `signed_at` when it waited in an offline phone's outbox (0027). */
  received_at: string
  /** Whether the position was a live fix or the phone's last known one; null without a position (and before 0027). */
  position_fix: 'live' | 'cached' | null
}

export interface ProductVersionTable {
  id: Generated<number>
  code: string
  version: number
  name: string
  active: Generated<number>
  /** JSON: ProductRules (app/domain/products.ts). */
  rules: string
  created_by: number | null
  created_at: string
}

export interface ReferralTable {
  id: Generated<number>
  player_id: number
  visit_id: string | null
  /** Who handed the case off. */
  officer_id: number
  org_unit_id: number
  product_code: string
  product_version: number
  amount_yuan: number
  term_months: number | null
  credit: number
  /** 1 when the player's loan history was `none` at the hand-off. */
  first_lender: number
  /** JSON: the ProductVerdict the referral was made with. */
  verdict: string
  stage: string
  stage_at: string
  referred_at: string
  accept_due_at: string
  accepted_at: string | null
  disbursed_at: string | null
  external_ref: string | null
  /** The key its client gave it (an API caller, the history import): one referral per key (0013). */
  client_key: Generated<string | null>
  /** From the `disbursed` report (0016): integer yuan lent, the guarantee type, and the loan
   * system's first-lender flag (1/0); null when not reported. */
  lent_yuan: Generated<number | null>
  guarantee_type: Generated<string | null>
  lender_flag: Generated<number | null>
  /** The consent the hand-off carried (a product that queries the credit report), see 0022. */
  consent_id: Generated<string | null>
  /** The player's channel when it was referred (see 0017). */
  channel: Generated<Channel>
  /** 1 once its acceptance clock ran out and was escalated to a manager (0026). */
  escalations: Generated<number>
  created_at: string
  updated_at: string
}

export interface ReferralEventTable {
  id: Generated<number>
  referral_id: number
  stage: string
  at: string
  reason: string | null
  external_ref: string | null
  received_at: string
}

export interface OutboxTable {
  id: Generated<number>
  topic: string
  referral_id: number | null
  idempotency_key: string
  payload: string
  state: 'pending' | 'delivered' | 'failed'
  attempts: Generated<number>
  next_attempt_at: string
  claimed_by: string | null
  claimed_until: string | null
  last_error: string | null
  delivered_at: string | null
  created_at: string
}

export interface ApiTokenTable {
  id: Generated<number>
  name: string
  token_hash: string
  created_by: number | null
  created_at: string
  revoked_at: string | null
  last_used_at: string | null
  /** `loan_events` (the loan system reports stages), `figures_read` (BI reads figures) or
   * `integration` (a bank's tool hands off and looks players up, as `user_id` would). */
  purpose: Generated<'loan_events' | 'figures_read' | 'integration' | 'platform_feedback'>
  /** A read token's scope: this org unit's subtree; null for the whole bank. */
  org_unit_id: Generated<number | null>
  /** The user an integration token acts for (0013); null for the other purposes. */
  user_id: Generated<number | null>
  /** A platform feedback token's platform, as its lists name it (0024); null for the other purposes. */
  channel_group: Generated<string | null>
}

/** Players counted per grid cell of a zoom level, org unit, kind and status (see 0004). */
export interface MapCellTable {
  level: number
  x: number
  y: number
  org_unit_id: number
  kind: string
  candidate_status: string
  campaign_status: string
  players: number
  sum_lng: number
  sum_lat: number
  min_id: number
  /** The rebuild that wrote it (0010); the one map_cells_state names is read. */
  generation: Generated<number>
}

export interface MapCellsStateTable {
  id: number
  state: 'stale' | 'building' | 'ready'
  built_at: string | null
  cells: number | null
  /** The generation of map_cells that is read. */
  generation: Generated<number>
  /** The number the next rebuild takes. */
  next_generation: Generated<number>
}

/** Players whose rule facts changed since their verdict (see 0007). */
export interface QualificationQueueTable {
  player_id: number
}

export interface QualificationStateTable {
  id: number
  stale: number
  computed_on: string | null
  running_since: string | null
  done: number
  total: number
  finished_at: string | null
}

/** Players whose figures changed since they were counted (see 0008). */
export interface FiguresQueueTable {
  player_id: number
}

/** What a player counted for when last counted: its group, its state, its facts by month. */
export interface FigurePlayerTable {
  player_id: number
  org_unit_id: number
  officer_id: number
  township_code: string
  assigned: number
  candidate: number
  qualifies: number
  /** JSON: PlayerMonths (app/domain/figure-facts.ts). */
  months: string
}

/** The facts summed per group (org unit, officer, township) and period key. */
export interface FigureRollupTable {
  period_key: string
  org_unit_id: number
  officer_id: number
  township_code: string
  listed: Generated<number>
  assigned: Generated<number>
  candidates: Generated<number>
  visited: Generated<number>
  visited_assigned: Generated<number>
  with_need: Generated<number>
  qualified: Generated<number>
  referred: Generated<number>
  accepted: Generated<number>
  approved: Generated<number>
  disbursed: Generated<number>
  first_lender_conversions: Generated<number>
  /** Of the conversions: those the loan system flagged (the rest are estimated), and enterprises (0016). */
  first_lender_flagged: Generated<number>
  first_lender_enterprises: Generated<number>
  loans: Generated<number>
  credit_loans: Generated<number>
  amount_yuan: Generated<number>
  credit_amount_yuan: Generated<number>
  due: Generated<number>
  on_time: Generated<number>
}

/** Loans per group, period, lead time kind and tenth of a day. */
export interface FigureLeadTable {
  period_key: string
  org_unit_id: number
  officer_id: number
  township_code: string
  kind: 'visit' | 'referral'
  tenths: number
  loans: number
}

export interface FigureTargetTable {
  id: Generated<number>
  org_unit_id: number
  period_from: string
  period_to: string
  figure: string
  value: number
  set_by: number | null
  set_at: string
}

/** A loan QR code (see 0019): an outlet's (officer null) or an officer's; revoked, never edited. */
export interface LoanQrCodeTable {
  id: Generated<number>
  /** Random, in the poster's URL; unique. */
  token: string
  org_unit_id: number
  officer_id: number | null
  created_at: string
  created_by: number | null
  revoked_at: string | null
  revoked_by: number | null
}

/** A need a firm stated on the public page, on the player it landed on (see 0019). */
export interface LoanQrRequestTable {
  id: Generated<number>
  code_id: number
  player_id: number
  submitted_at: string
  firm_name: string
  uscc: string | null
  contact_name: string
  phone_enc: string
  phone_hash: string
  phone_masked: string
  amount_yuan: number
  purpose: string
  consent_version: string
  consent_at: string
  new_player: number
}

/** The public page's counters and spent challenges (see 0019). */
export interface LoanQrThrottleTable {
  key: string
  window_started_at: string
  count: number
}


/** Days off and 调休 workdays an admin keeps per year (see 0018). */
export interface WorkingCalendarDayTable {
  day: string
  kind: 'off' | 'work'
  note: string
  updated_at: string
  updated_by: number | null
}

/** How many days each channel's clock allows (see 0018, app/domain/clocks.ts). */
export interface ClockSettingTable {
  channel: string
  clock: 'accept' | 'contact' | 'decide'
  days: number
  unit: 'working' | 'calendar'
  updated_at: string
  updated_by: number | null
}

/** One row; `version` rises with every edit of the calendar or the clock settings. */
export interface ClockConfigTable {
  id: number
  version: number
}

/** The clocks of a player that came through a clocked channel (see 0018). */
export interface PlayerClockTable {
  player_id: number
  channel: Channel
  started_at: string
  accept_due_at: string | null
  contact_due_at: string | null
  decide_due_at: string | null
  accepted_at: string | null
  accepted_by: number | null
  contacted_at: string | null
  contacted_by: number | null
  decided_at: string | null
  decided_by: number | null
  decision: 'approved' | 'refused' | null
  amount_yuan: number | null
  refusal_reason: string | null
  refusal_note: string | null
  next_due_at: string | null
  /** How many of its clocks were escalated to a manager (0024). */
  escalations: Generated<number>
}

/** A clock that ran out, escalated once to the officer's manager (0024). */
export interface ClockEscalationTable {
  player_id: number
  clock: 'accept' | 'contact' | 'decide'
  /** The referral whose acceptance clock this is; 0 for the player's own channel clocks (0026). */
  referral_id: Generated<number>
  due_at: string
  escalated_at: string
  officer_id: number | null
  org_unit_id: number
  manager_id: number | null
}

/** The deadline ranking's sums per China month, org unit and officer (0: none), as of `clock_sums_state.as_of` (migration 0020). */
export interface ClockSumsTable {
  month: string
  org_unit_id: number
  officer_id: number
  clocks: number
  contact_due: number
  contacted_on_time: number
  decide_due: number
  decided_on_time: number
  overdue: number
  refusals: number
  refusals_with_reason: number
  escalated: Generated<number>
  /** The referrals' acceptance clock (0026): referrals made, acceptance due, accepted on time, overdue and open. */
  referrals: Generated<number>
  accept_due: Generated<number>
  accepted_on_time: Generated<number>
  accept_overdue: Generated<number>
}

/** Groups whose clocks changed since the sums were made (triggers fill it). */
export interface ClockSumsDirtyTable {
  month: string
  org_unit_id: number
  officer_id: number
}

export interface ClockSumsStateTable {
  id: number
  as_of: string | null
}

export interface Database {
  loan_qr_codes: LoanQrCodeTable
  loan_qr_requests: LoanQrRequestTable
  loan_qr_throttle: LoanQrThrottleTable
  working_calendar_days: WorkingCalendarDayTable
  clock_settings: ClockSettingTable
  clock_config: ClockConfigTable
  player_clocks: PlayerClockTable
  clock_escalations: ClockEscalationTable
  clock_sums: ClockSumsTable
  clock_sums_dirty: ClockSumsDirtyTable
  clock_sums_state: ClockSumsStateTable
  figures_queue: FiguresQueueTable
  figure_players: FigurePlayerTable
  figure_rollup: FigureRollupTable
  figure_leads: FigureLeadTable
  figure_targets: FigureTargetTable
  qualification_queue: QualificationQueueTable
  qualification_state: QualificationStateTable
  product_versions: ProductVersionTable
  referrals: ReferralTable
  referral_events: ReferralEventTable
  outbox: OutboxTable
  api_tokens: ApiTokenTable
  visits: VisitTable
  visit_photos: VisitPhotoTable
  consent_texts: ConsentTextTable
  consents: ConsentTable
  visit_rules: VisitRulesTable
  map_cells: MapCellTable
  map_cells_state: MapCellsStateTable
  territories: TerritoryTable
  territory_assignments: TerritoryAssignmentTable
  market_players: MarketPlayerTable
  player_assignments: PlayerAssignmentTable
  import_jobs: ImportJobTable
  import_issues: ImportIssueTable
  import_mappings: ImportMappingTable
  player_sources: PlayerSourceTable
  org_units: OrgUnitTable
  users: UserTable
  bank: BankTable
  setup_links: SetupLinkTable
  sessions: SessionTable
  login_throttle: LoginThrottleTable
  audit_log: AuditLogTable
  areas: AreaTable
  served_divisions: ServedDivisionTable
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
export type MarketPlayer = Selectable<MarketPlayerTable>
export type NewMarketPlayer = Insertable<MarketPlayerTable>
export type ImportJob = Selectable<ImportJobTable>
export type Territory = Selectable<TerritoryTable>
export type Visit = Selectable<VisitTable>
export type NewVisit = Insertable<VisitTable>
export type VisitPhoto = Selectable<VisitPhotoTable>
export type Consent = Selectable<ConsentTable>
export type ConsentText = Selectable<ConsentTextTable>
export type Referral = Selectable<ReferralTable>
export type OutboxEntry = Selectable<OutboxTable>
