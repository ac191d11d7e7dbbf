// Finding market players: scoped, searched, filtered, paged by keyset. The other use cases
// of players sit beside this file, one each.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely'
import type { Database } from '../../../db/schema'
import { dialectOf } from '../../../db/dialect.server'
import { AppError } from '../../domain/app-error'
import type { CandidateStatus } from '../../domain/first-lender'
import type { Qualification } from '../../domain/products'
import type { CampaignStatus, IndustrySection, LoanHistory, PlayerKind, SizeClass, TaxGrade } from '../../domain/market-player'
import { classifySearch, initialsPatterns } from '../../domain/player-search'
import type { Caller } from '../caller.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { scoped } from '../scope.server'

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

export async function listPlayers(
  db: Kysely<Database>,
  caller: Pick<Caller, 'scope' | 'pii'>,
  input: { filter: PlayerFilter; page?: PlayerPage },
) {
  const { scope, pii } = caller
  const { filter, page = { sort: 'newest' } } = input
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
  caller: Pick<Caller, 'scope' | 'pii'>,
  input: { filter: PlayerFilter; limit?: number },
): Promise<number[]> {
  const { filter, limit = 200_000 } = input
  const q = applyPlayerFilter(db, caller.pii, db.selectFrom('market_players').select('market_players.id').where(scoped(caller.scope)), filter)
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
