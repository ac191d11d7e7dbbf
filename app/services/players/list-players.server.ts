// Market players: find them (scoped, searched, filtered, paged by keyset), read one, enter
// and correct them by hand, override a size class, reveal personal data to those allowed.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely'
import type { Database, MarketPlayer } from '../../../db/schema'
import { dialectOf } from '../../../db/dialect.server'
import { AppError } from '../../domain/app-error'
import type { CandidateStatus } from '../../domain/first-lender'
import type { Qualification } from '../../domain/products'
import type { CampaignStatus, IndustrySection, LoanHistory, PlayerFields, PlayerKind, SizeClass, TaxGrade } from '../../domain/market-player'
import { classifySearch, initialsPatterns } from '../../domain/player-search'
import { maskIdNumber, maskPhone } from '../../domain/masking'
import type { Scope } from '../../domain/scope'
import { loadTownshipCentres } from '../areas.server'
import { recordAudit, type Actor, type Db } from '../audit.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { newPlayerColumns, playerChanges } from '../player-record.server'
import { inScope } from '../scope.server'
import { placePlayers } from '../territories.server'

export interface PlayerFilter {
  q?: string
  kind?: PlayerKind
  township?: string
  industry?: IndustrySection
  sizeClass?: SizeClass
  /** `unknown` finds players with no grade on record. */
  taxGrade?: TaxGrade | 'unknown'
  loanHistory?: LoanHistory
  campaignStatus?: CampaignStatus
  candidate?: CandidateStatus
  /** The stored hand-off flag (see qualification.server.ts). */
  qualification?: Qualification
  officerId?: number
  unassigned?: boolean
}

export type PlayerSort = 'newest' | 'name'

export interface PlayerPage {
  sort: PlayerSort
  /** Opaque: the `nextCursor` of the page before. */
  cursor?: string | null
  limit?: number
}

const PAGE_SIZE = 50

export function scoped(scope: Scope) {
  return inScope(scope, { orgUnit: 'market_players.org_unit_id', owner: 'market_players.assigned_officer_id' })
}

export async function listPlayers(
  db: Kysely<Database>,
  pii: PersonalDataCipher,
  scope: Scope,
  filter: PlayerFilter,
  page: PlayerPage = { sort: 'newest' },
) {
  const limit = Math.min(page.limit ?? PAGE_SIZE, 200)
  // A piece of a name, newest first, on SQLite: walk the trigram index from its newest
  // match and join each to its player, instead of collecting every match before paging.
  const term = filter.q ? classifySearch(filter.q) : null
  const ftsDriven = page.sort !== 'name' && term?.kind === 'text' && usesTrigramIndex(db, term.value)
  let from = db.selectFrom('market_players')
  if (ftsDriven) {
    const search = sql`market_players_search`.as('s')
    from = (from as unknown as SelectQueryBuilder<any, any, any>)
      .innerJoin(search, (join) => join.onRef('s.rowid', '=', 'market_players.id'))
      .where(sql<boolean>`market_players_search match ${ftsPhrase(term.value)}`) as unknown as typeof from
  }
  const orderColumn = ftsDriven ? sql.ref<number>('s.rowid') : sql.ref<number>('market_players.id')
  let q = from
    .leftJoin('users as officer', 'officer.id', 'market_players.assigned_officer_id')
    .leftJoin('areas as township', 'township.code', 'market_players.township_code')
    .select([
      'market_players.id',
      'market_players.name',
      'market_players.uscc',
      'market_players.kind',
      'market_players.owner',
      'market_players.legal_representative as legalRepresentative',
      'market_players.phone_masked as phoneMasked',
      'market_players.industry',
      'market_players.size_class as sizeClass',
      'market_players.tax_grade as taxGrade',
      'market_players.loan_history as loanHistory',
      'market_players.candidate_status as candidateStatus',
      'market_players.qualification',
      'market_players.campaign_status as campaignStatus',
      'market_players.registration_status as registrationStatus',
      'township.name as townshipName',
      'officer.name as officerName',
    ])
    .where(scoped(scope))
  // Sorted by name, a common piece of a name is best found walking the name index and
  // testing each name; a rare one through the trigram index. A bounded probe tells which.
  const common =
    page.sort === 'name' && term?.kind === 'text' && usesTrigramIndex(db, term.value) && (await countTrigramMatches(db, term.value, 2000)) >= 2000
  q = applyPlayerFilter(db, pii, q, ftsDriven ? { ...filter, q: undefined } : filter, { textByScan: common })

  const cursor = decodeCursor(page.cursor)
  if (page.sort === 'name') {
    if (cursor) {
      const [name, id] = cursor as [string, number]
      q = q.where((eb) =>
        eb.or([eb('market_players.name', '>', name), eb.and([eb('market_players.name', '=', name), eb('market_players.id', '>', id)])]),
      )
    }
    q = q.orderBy('market_players.name').orderBy('market_players.id')
  } else {
    if (cursor) q = q.where(orderColumn, '<', cursor[0] as number)
    q = q.orderBy(orderColumn, 'desc')
  }
  const rows = await q.limit(limit + 1).execute()
  const more = rows.length > limit
  const shown = more ? rows.slice(0, limit) : rows
  const last = shown.at(-1)
  return {
    rows: shown,
    nextCursor: more && last ? encodeCursor(page.sort === 'name' ? [last.name, last.id] : [last.id]) : null,
  }
}

/**
 * The ids of the players in scope that a registry filter matches, at most `limit` of them
 * (for assigning "all unassigned households in 城关镇 → officer" in one go).
 */
export async function findPlayerIdsMatching(
  db: Kysely<Database>,
  pii: PersonalDataCipher,
  scope: Scope,
  filter: PlayerFilter,
  limit = 200_000,
): Promise<number[]> {
  const q = applyPlayerFilter(db, pii, db.selectFrom('market_players').select('market_players.id').where(scoped(scope)), filter)
  const rows = await q.orderBy('market_players.id').limit(limit).execute()
  return rows.map((r) => r.id)
}

export function applyPlayerFilter<QB extends SelectQueryBuilder<Database, 'market_players' | any, any>>(
  db: Kysely<Database>,
  pii: PersonalDataCipher,
  q: QB,
  filter: PlayerFilter,
  options: { textByScan?: boolean } = {},
): QB {
  let out = q as SelectQueryBuilder<Database, 'market_players', any>
  const term = filter.q ? classifySearch(filter.q) : null
  if (term) {
    switch (term.kind) {
      case 'uscc':
        out = out.where('market_players.uscc', '=', term.value)
        break
      case 'usccPrefix':
        out = out.where('market_players.uscc', 'like', `${term.value}%`)
        break
      case 'phone':
        out = out.where('market_players.phone_hash', '=', pii.blindIndex('phone', term.value))
        break
      case 'idNumber':
        out = out.where('market_players.id_number_hash', '=', pii.blindIndex('idNumber', term.value))
        break
      case 'initials':
        out = out.where((eb) =>
          eb.or([
            ...initialsPatterns(term.value).map((p) => eb('market_players.name_initials', 'like', p)),
            // Latin letters in a name itself (`ABC超市`).
            eb('market_players.name', 'like', `%${term.value}%`),
          ]),
        )
        break
      case 'text':
        out = out.where(textMatch(db, term.value, options.textByScan ?? false))
        break
    }
  }
  if (filter.kind) out = out.where('market_players.kind', '=', filter.kind)
  if (filter.township) out = out.where('market_players.township_code', '=', filter.township)
  if (filter.industry) out = out.where('market_players.industry', '=', filter.industry)
  if (filter.sizeClass) out = out.where('market_players.size_class', '=', filter.sizeClass)
  if (filter.taxGrade === 'unknown') out = out.where('market_players.tax_grade', 'is', null)
  else if (filter.taxGrade) out = out.where('market_players.tax_grade', '=', filter.taxGrade)
  if (filter.loanHistory) out = out.where('market_players.loan_history', '=', filter.loanHistory)
  if (filter.campaignStatus) out = out.where('market_players.campaign_status', '=', filter.campaignStatus)
  if (filter.candidate) out = out.where('market_players.candidate_status', '=', filter.candidate)
  if (filter.qualification) out = out.where('market_players.qualification', '=', filter.qualification)
  if (filter.officerId) out = out.where('market_players.assigned_officer_id', '=', filter.officerId)
  if (filter.unassigned) out = out.where('market_players.assigned_officer_id', 'is', null)
  return out as unknown as QB
}

/**
 * A piece of a name or owner. Three characters or more use the trigram index (FTS5 on
 * SQLite, pg_trgm on PostgreSQL); shorter ones scan.
 */
function usesTrigramIndex(db: Kysely<Database>, text: string): boolean {
  return dialectOf(db) === 'sqlite' && [...text].length >= 3
}

function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`
}

async function countTrigramMatches(db: Kysely<Database>, text: string, upTo: number): Promise<number> {
  const result = await sql<{ n: number }>`select count(*) as n from (select rowid from market_players_search where market_players_search match ${ftsPhrase(text)} limit ${upTo})`.execute(db)
  return Number(result.rows[0]?.n ?? 0)
}

function textMatch(db: Kysely<Database>, text: string, byScan: boolean) {
  return (eb: any) => {
    if (!byScan && usesTrigramIndex(db, text)) {
      return eb('market_players.id', 'in', sql`(select rowid from market_players_search where market_players_search match ${ftsPhrase(text)})`)
    }
    return eb.or([eb('market_players.name', 'like', `%${text}%`), eb('market_players.owner', 'like', `%${text}%`)])
  }
}

function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

function decodeCursor(cursor: string | null | undefined): (string | number)[] | null {
  if (!cursor) return null
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(values) && values.every((v) => typeof v === 'string' || typeof v === 'number')) return values
  } catch {
    // fall through
  }
  throw new AppError('bad_request', 'error.badRequest')
}

/** One player the scope may see, or undefined: out of scope looks like not there. */
export async function getPlayer(db: Db, scope: Scope, id: number): Promise<MarketPlayer | undefined> {
  return db.selectFrom('market_players').selectAll().where('id', '=', id).where(scoped(scope)).executeTakeFirst()
}

/** Everything the player's page shows besides the player: org unit, officer, township,
 * assignment history and which list said what. */
export async function getPlayerContext(db: Db, player: MarketPlayer) {
  const [orgUnit, officer, township, assignments, sources] = await Promise.all([
    db.selectFrom('org_units').select(['id', 'name', 'code']).where('id', '=', player.org_unit_id).executeTakeFirst(),
    player.assigned_officer_id
      ? db.selectFrom('users').select(['id', 'name', 'username']).where('id', '=', player.assigned_officer_id).executeTakeFirst()
      : undefined,
    // The township, or the division a code coarser than a township names (a USCC's county).
    player.township_code || player.area_code
      ? db.selectFrom('areas').select(['code', 'name']).where('code', '=', (player.township_code ?? player.area_code)!).executeTakeFirst()
      : undefined,
    db
      .selectFrom('player_assignments')
      .leftJoin('users as officer', 'officer.id', 'player_assignments.officer_id')
      .leftJoin('users as by', 'by.id', 'player_assignments.assigned_by')
      .select([
        'player_assignments.id',
        'player_assignments.assigned_at as at',
        'player_assignments.reason',
        'officer.name as officerName',
        'by.name as byName',
      ])
      .where('player_assignments.player_id', '=', player.id)
      .orderBy('player_assignments.id', 'desc')
      .limit(50)
      .execute(),
    db
      .selectFrom('player_sources')
      .select(['id', 'source', 'import_job_id as importJobId', 'row', 'at', 'said'])
      .where('player_id', '=', player.id)
      .orderBy('id', 'desc')
      .limit(50)
      .execute(),
  ])
  return { orgUnit, officer, township, assignments, sources }
}

export async function createPlayer(
  db: Kysely<Database>,
  actor: Actor,
  pii: PersonalDataCipher,
  input: { fields: PlayerFields; orgUnitId: number },
): Promise<number> {
  const centreOf = await loadTownshipCentres(db)
  return db.transaction().execute(async (trx) => {
    if (input.fields.uscc) {
      const taken = await trx.selectFrom('market_players').select('id').where('uscc', '=', input.fields.uscc).executeTakeFirst()
      if (taken) throw new AppError('conflict', 'player.usccTaken', { uscc: input.fields.uscc })
    }
    const now = new Date().toISOString()
    const { id } = await trx
      .insertInto('market_players')
      .values({
        ...newPlayerColumns({ ...input.fields, areaBasis: 'manual' }, pii, centreOf),
        org_unit_id: input.orgUnitId,
        source: 'manual',
        campaign_status: 'not_visited',
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('player_sources')
      .values({ player_id: id, source: 'manual', import_job_id: null, row: null, at: now, said: JSON.stringify(saidOf(input.fields)) })
      .execute()
    const unit = await trx.selectFrom('org_units').select('path').where('id', '=', input.orgUnitId).executeTakeFirstOrThrow()
    await placePlayers(trx, actor, unit.path, [id], 'territory.reason.entered')
    await recordAudit(trx, actor, { action: 'player.create', entityType: 'market_player', entityId: id })
    return id
  })
}

export async function updatePlayer(
  db: Kysely<Database>,
  actor: Actor,
  pii: PersonalDataCipher,
  scope: Scope,
  id: number,
  fields: PlayerFields,
): Promise<{ changed: string[] }> {
  const centreOf = await loadTownshipCentres(db)
  return db.transaction().execute(async (trx) => {
    const existing = await getPlayer(trx, scope, id)
    if (!existing) throw new AppError('not_found', 'error.notFound')
    if (fields.uscc && fields.uscc !== existing.uscc) {
      const taken = await trx.selectFrom('market_players').select('id').where('uscc', '=', fields.uscc).executeTakeFirst()
      if (taken) throw new AppError('conflict', 'player.usccTaken', { uscc: fields.uscc })
    }
    const { changes, said } = playerChanges(existing, { ...fields, areaBasis: 'manual' }, pii, centreOf)
    const changed = Object.keys(said)
    if (changed.length === 0) return { changed }
    const now = new Date().toISOString()
    await trx.updateTable('market_players').set({ ...changes, updated_at: now }).where('id', '=', id).execute()
    await trx.insertInto('player_sources').values({ player_id: id, source: 'manual', import_job_id: null, row: null, at: now, said: JSON.stringify(said) }).execute()
    if ('lat' in changes || 'lng' in changes || 'township_code' in changes) {
      const unit = await trx.selectFrom('org_units').select('path').where('id', '=', existing.org_unit_id).executeTakeFirstOrThrow()
      await placePlayers(trx, actor, unit.path, [id], 'territory.reason.moved')
    }
    await recordAudit(trx, actor, { action: 'player.update', entityType: 'market_player', entityId: id, detail: { changed: said } })
    return { changed }
  })
}

/** A person's judgement over the computed size class, with their reason; `null` returns to the computed class. */
export async function overrideSizeClass(
  db: Kysely<Database>,
  actor: Actor,
  scope: Scope,
  id: number,
  override: { sizeClass: SizeClass; reason: string } | null,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const existing = await getPlayer(trx, scope, id)
    if (!existing) throw new AppError('not_found', 'error.notFound')
    await trx
      .updateTable('market_players')
      .set({
        size_class: override ? override.sizeClass : existing.size_class_computed,
        size_class_override_reason: override ? override.reason : null,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute()
    await recordAudit(trx, actor, {
      action: override ? 'player.size_override' : 'player.size_override_cleared',
      entityType: 'market_player',
      entityId: id,
      detail: { from: existing.size_class, to: override?.sizeClass ?? existing.size_class_computed, reason: override?.reason ?? null },
    })
  })
}

/** The phone and ID number in clear, for a role allowed to see them; every reveal is audited. */
export async function revealPersonalData(db: Kysely<Database>, actor: Actor, pii: PersonalDataCipher, scope: Scope, id: number) {
  return db.transaction().execute(async (trx) => {
    const player = await getPlayer(trx, scope, id)
    if (!player) throw new AppError('not_found', 'error.notFound')
    await recordAudit(trx, actor, { action: 'player.unmask', entityType: 'market_player', entityId: id, detail: { fields: ['phone', 'idNumber'] } })
    return {
      phone: player.phone_enc ? pii.decrypt(player.phone_enc) : null,
      idNumber: player.id_number_enc ? pii.decrypt(player.id_number_enc) : null,
    }
  })
}

/** What a list or form said, for the record: personal data never in clear. */
export function saidOf(fields: PlayerFields): Record<string, unknown> {
  const said: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) continue
    if (key === 'phone') said.phone = maskPhone(String(value))
    else if (key === 'idNumber') said.idNumber = maskIdNumber(String(value))
    else said[key] = value
  }
  return said
}

/** How many players a scope holds, by first-lender status, and how many have no officer. */
export async function countPlayers(db: Db, scope: Scope) {
  const rows = await db
    .selectFrom('market_players')
    .select([
      'candidate_status as status',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.count<number>('assigned_officer_id').as('assigned'),
    ])
    .where(scoped(scope))
    .groupBy('candidate_status')
    .execute()
  const counts = { total: 0, candidate: 0, to_verify: 0, not_candidate: 0, unassigned: 0 }
  for (const row of rows) {
    const n = Number(row.n)
    counts.total += n
    counts.unassigned += n - Number(row.assigned)
    if (row.status in counts) counts[row.status as 'candidate'] += n
  }
  return counts
}
