// From what a list or a form says about a player (PlayerFields) to the stored columns, and
// the other way. Imports and hand edits both come through here, so the derived columns
// (initials, match key, size class, first-lender flag, masked personal data) are made in
// one place.
import type { MarketPlayer, MarketPlayerTable, NewMarketPlayer } from '../../db/schema'
import { mayReplaceArea, type AreaBasis } from '../domain/area-placement'
import { assessFirstLender } from '../domain/first-lender'
import type { PlayerFields, SizeClass } from '../domain/market-player'
import { maskIdNumber, maskPhone } from '../domain/masking'
import { leadKey, matchKey, nameInitials } from '../domain/name-search'
import { townshipOf } from '../domain/market-player'
import { classifySize } from '../domain/size-class'
import type { PersonalDataCipher } from './personal-data.server'

type Facts = Omit<PlayerFields, 'phone' | 'idNumber' | 'areaBasis'>

/** Each plain fact and the column that holds it. */
const FACT_COLUMNS = {
  uscc: 'uscc',
  name: 'name',
  kind: 'kind',
  legalRepresentative: 'legal_representative',
  owner: 'owner',
  industry: 'industry',
  industryCode: 'industry_code',
  employees: 'employees',
  revenueYuan: 'revenue_yuan',
  assetsYuan: 'assets_yuan',
  registeredOn: 'registered_on',
  registrationStatus: 'registration_status',
  address: 'address',
  areaCode: 'area_code',
  lat: 'lat',
  lng: 'lng',
  taxGrade: 'tax_grade',
  taxGradeYear: 'tax_grade_year',
  channelRef: 'channel_ref',
  loanHistory: 'loan_history',
  loanCheckedOn: 'loan_checked_on',
} as const satisfies Record<keyof Facts, keyof MarketPlayerTable>

const FACT_KEYS = Object.keys(FACT_COLUMNS) as (keyof Facts)[]

export type PlayerColumns = Omit<NewMarketPlayer, 'org_unit_id' | 'source' | 'created_at' | 'updated_at' | 'campaign_status'>

/** Every column newPlayerColumns fills, in a fixed order, for inserts built as value lists. */
export const PLAYER_COLUMN_NAMES = [
  ...Object.values(FACT_COLUMNS),
  'name_initials',
  'match_key',
  'size_class_computed',
  'size_class_basis',
  'size_class',
  'township_code',
  'candidate_status',
  'candidate_reasons',
  'phone_enc',
  'phone_hash',
  'phone_masked',
  'id_number_enc',
  'id_number_hash',
  'id_number_masked',
  'position_approximate',
  'area_basis',
  'lead_to_verify',
] as const

/** A new player's row as values in the order of `names`: its columns, then the job's own. */
export function insertValues(columns: PlayerColumns, extra: Record<string, unknown>, names: readonly string[]): unknown[] {
  return names.map((name) => (name in extra ? extra[name] : ((columns as Record<string, unknown>)[name] ?? null)))
}

export interface TownshipCentre {
  lat: number
  lng: number
}


export function factsOf(row: MarketPlayer): Facts {
  const facts = {} as Record<keyof Facts, unknown>
  for (const key of FACT_KEYS) facts[key] = row[FACT_COLUMNS[key]]
  return facts as Facts
}

/** The columns of a new player. */
export function newPlayerColumns(
  fields: PlayerFields,
  pii: PersonalDataCipher,
  centreOf: (township: string) => TownshipCentre | undefined,
): PlayerColumns {
  const { areaBasis, ...facts } = fields
  const columns = {} as Record<string, unknown>
  for (const key of FACT_KEYS) columns[FACT_COLUMNS[key]] = facts[key] ?? null
  columns.area_basis = facts.areaCode ? (areaBasis ?? 'list') : null
  columns.loan_history = facts.loanHistory ?? 'unknown'
  Object.assign(columns, derived({ ...facts, loanHistory: facts.loanHistory ?? 'unknown' }, null), personalData(fields, pii))
  Object.assign(columns, position(facts, null, centreOf))
  return columns as PlayerColumns
}

/**
 * What changes when `fields` is said about an existing player: values a list or form
 * states replace the stored ones, values it leaves blank (null) never blank a known one.
 * `said` names each changed field (personal data masked), for the record of which list
 * said what; empty when nothing changed.
 */
export function playerChanges(
  existing: MarketPlayer,
  fields: PlayerFields,
  pii: PersonalDataCipher,
  centreOf: (township: string) => TownshipCentre | undefined,
): { changes: Partial<PlayerColumns>; said: Record<string, unknown> } {
  const before = factsOf(existing)
  const after: Facts = { ...before }
  const said: Record<string, unknown> = {}
  const basis: AreaBasis = fields.areaBasis ?? 'list'
  // An area code found from the address or the USCC never replaces a finer or stated one.
  const areaStands = !mayReplaceArea({ areaCode: existing.area_code, basis: existing.area_basis }, basis)
  for (const key of FACT_KEYS) {
    const value = fields[key]
    if (value === null || value === undefined || value === before[key]) continue
    if (key === 'areaCode' && areaStands) continue
    ;(after as Record<string, unknown>)[key] = value
    said[key] = value
  }
  const changes: Record<string, unknown> = {}
  for (const key of Object.keys(said) as (keyof Facts)[]) changes[FACT_COLUMNS[key]] = after[key]
  if ('areaCode' in said) {
    changes.area_basis = basis
    if (basis === 'address' || basis === 'uscc') said.areaBasis = basis
  }

  const personal = personalData(fields, pii)
  if (personal.phone_hash && personal.phone_hash !== existing.phone_hash) {
    Object.assign(changes, { phone_enc: personal.phone_enc, phone_hash: personal.phone_hash, phone_masked: personal.phone_masked })
    said.phone = personal.phone_masked
  }
  if (personal.id_number_hash && personal.id_number_hash !== existing.id_number_hash) {
    Object.assign(changes, {
      id_number_enc: personal.id_number_enc,
      id_number_hash: personal.id_number_hash,
      id_number_masked: personal.id_number_masked,
    })
    said.idNumber = personal.id_number_masked
  }
  if (Object.keys(said).length === 0) return { changes: {}, said }

  for (const [column, value] of Object.entries({ ...derived({ ...after, loanHistory: after.loanHistory ?? existing.loan_history }, existing), ...position(after, existing, centreOf) })) {
    if (existing[column as keyof MarketPlayer] !== value) changes[column] = value
  }
  return { changes: changes as Partial<PlayerColumns>, said }
}

function derived(facts: Facts & { loanHistory: NonNullable<Facts['loanHistory']> }, existing: MarketPlayer | null) {
  const size = classifySize({
    kind: facts.kind,
    industry: facts.industry,
    industryCode: facts.industryCode,
    employees: facts.employees,
    revenueYuan: facts.revenueYuan,
    assetsYuan: facts.assetsYuan,
  })
  const overridden = existing?.size_class_override_reason ? (existing.size_class as SizeClass | null) : undefined
  const candidate = assessFirstLender({
    loanHistory: facts.loanHistory,
    loanCheckedOn: facts.loanCheckedOn,
    registrationStatus: facts.registrationStatus,
  })
  return {
    name_initials: nameInitials(facts.name),
    match_key: facts.kind === 'enterprise' && !facts.uscc ? leadKey(facts) : matchKey(facts),
    size_class_computed: size.sizeClass,
    size_class_basis: JSON.stringify(size.basis),
    size_class: overridden !== undefined ? overridden : size.sizeClass,
    township_code: townshipOf(facts.areaCode),
    candidate_status: candidate.status,
    candidate_reasons: JSON.stringify(candidate.reasons),
    // An enterprise without a code is a lead to verify until one is given.
    lead_to_verify: facts.kind === 'enterprise' && !facts.uscc ? 1 : 0,
  }
}

function personalData(fields: Pick<PlayerFields, 'phone' | 'idNumber'>, pii: PersonalDataCipher) {
  return {
    phone_enc: fields.phone ? pii.encrypt(fields.phone) : null,
    phone_hash: fields.phone ? pii.blindIndex('phone', fields.phone) : null,
    phone_masked: fields.phone ? maskPhone(fields.phone) : null,
    id_number_enc: fields.idNumber ? pii.encrypt(fields.idNumber) : null,
    id_number_hash: fields.idNumber ? pii.blindIndex('idNumber', fields.idNumber) : null,
    id_number_masked: fields.idNumber ? maskIdNumber(fields.idNumber) : null,
  }
}

/** A stated position is exact; without one, the township's centre stands in, marked approximate. */
function position(facts: Facts, existing: MarketPlayer | null, centreOf: (township: string) => TownshipCentre | undefined) {
  if (facts.lat !== null && facts.lng !== null && !(existing?.position_approximate && facts.lat === existing.lat && facts.lng === existing.lng)) {
    return { lat: facts.lat, lng: facts.lng, position_approximate: 0 }
  }
  if (existing && !existing.position_approximate && existing.lat !== null) {
    return { lat: existing.lat, lng: existing.lng, position_approximate: 0 }
  }
  const township = townshipOf(facts.areaCode)
  const centre = township ? centreOf(township) : undefined
  return centre ? { lat: centre.lat, lng: centre.lng, position_approximate: 1 } : { lat: null, lng: null, position_approximate: 0 }
}
