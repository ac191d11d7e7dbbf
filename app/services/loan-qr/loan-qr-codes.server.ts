// Reading loan QR codes: the live ones a manager may see (their outlets and officers), and
// the one a token on a poster names. Issuing and revoking are use cases of their own.
import { runCompiled, type Slot } from '../../../db/compiled-query.server'
import type { Database } from '../../../db/schema'
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'
import { orgSubtreeIds } from '../scope.server'
import type { Kysely } from 'kysely'

export interface LiveLoanQrCode {
  id: number
  token: string
  orgUnitId: number
  orgUnitName: string
  officerId: number | null
  officerName: string | null
  createdAt: string
}

/** The live code a poster's token names, with the names the poster and page show; undefined when revoked or unknown. */
export async function findLiveLoanQrCode(db: Db, token: string): Promise<(LiveLoanQrCode & { orgPath: string }) | undefined> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return undefined
  // Built once per database (db/compiled-query.server.ts): every loan QR try reads it.
  const [code] = await runCompiled(db, 'loanQr.liveCode', liveCode, [token])
  return code
}

const liveCode = (db: Db, slot: Slot) =>
  db
    .selectFrom('loan_qr_codes as c')
    .innerJoin('org_units as u', 'u.id', 'c.org_unit_id')
    .leftJoin('users as o', 'o.id', 'c.officer_id')
    .select(['c.id', 'c.token', 'c.org_unit_id as orgUnitId', 'u.name as orgUnitName', 'u.path as orgPath', 'c.officer_id as officerId', 'o.name as officerName', 'c.created_at as createdAt'])
    .where('c.token', '=', slot(0))
    .where('c.revoked_at', 'is', null)

/** Live codes of the outlets and officers in scope (an officer: their own). */
export async function listLiveLoanQrCodes(db: Kysely<Database>, scope: Scope): Promise<LiveLoanQrCode[]> {
  let query = db
    .selectFrom('loan_qr_codes as c')
    .innerJoin('org_units as u', 'u.id', 'c.org_unit_id')
    .leftJoin('users as o', 'o.id', 'c.officer_id')
    .select(['c.id', 'c.token', 'c.org_unit_id as orgUnitId', 'u.name as orgUnitName', 'c.officer_id as officerId', 'o.name as officerName', 'c.created_at as createdAt'])
    .where('c.revoked_at', 'is', null)
  if (scope.kind === 'org') query = query.where('c.org_unit_id', 'in', orgSubtreeIds(db, scope.orgPath))
  if (scope.kind === 'own') query = query.where('c.officer_id', '=', scope.userId)
  return query.orderBy('u.path').orderBy('o.name').execute()
}

/** The outlets and active officers in scope a code can be issued for. */
export async function listLoanQrOwners(db: Kysely<Database>, scope: Scope) {
  const units = db.selectFrom('org_units').select(['id', 'name', 'path']).where('kind', '=', 'outlet')
  const officers = db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['users.id', 'users.name', 'users.username', 'users.org_unit_id as orgUnitId', 'org_units.name as orgUnitName'])
    .where('users.role', '=', 'officer')
    .where('users.active', '=', 1)
  if (scope.kind === 'all') return { outlets: await units.orderBy('path').execute(), officers: await officers.orderBy('org_units.path').orderBy('users.name').execute() }
  return {
    outlets: await units.where('path', 'like', `${scope.orgPath}%`).orderBy('path').execute(),
    officers: await officers.where('org_units.path', 'like', `${scope.orgPath}%`).orderBy('org_units.path').orderBy('users.name').execute(),
  }
}

/** The bank's name for the page and the poster: the one set up, else the head office's. */
export async function findBankName(db: Db): Promise<string> {
  const bank = await db.selectFrom('bank').select('name').executeTakeFirst()
  if (bank) return bank.name
  const head = await db.selectFrom('org_units').select('name').where('parent_id', 'is', null).orderBy('id').executeTakeFirst()
  return head?.name ?? ''
}

export interface LoanQrPageNames {
  bankName: string
  outletName: string
  officerName: string | null
}

const namesRead = new WeakMap<object, Map<string, { at: number; names: LoanQrPageNames }>>()
const NAMES_FOR_MS = 60_000
const NAMES_KEPT = 10_000

/**
 * The names a refused try's answer page shows, read at most once a minute per token by each
 * app server: a flood of refused tries (no proof of work, over a limit) reads nothing more
 * (issue 25: 100 tries a second beside the officers' pages). Only for refusals: whether a code
 * is live, and a request's landing, are read fresh every time.
 */
export async function findLoanQrPageNames(db: Kysely<Database>, token: string, now = Date.now()): Promise<LoanQrPageNames> {
  let held = namesRead.get(db)
  if (!held) namesRead.set(db, (held = new Map()))
  const kept = held.get(token)
  if (kept && now - kept.at < NAMES_FOR_MS) return kept.names
  const code = await findLiveLoanQrCode(db, token)
  const names = { bankName: await findBankName(db), outletName: code?.orgUnitName ?? '', officerName: code?.officerName ?? null }
  if (held.size >= NAMES_KEPT) held.clear()
  held.set(token, { at: now, names })
  return names
}

/** The names last read for a token's refusals, however old, read from nothing: the busy answer (http/loan-qr-post.server.ts) reads no database. */
export function keptLoanQrPageNames(db: Kysely<Database>, token: string): LoanQrPageNames | undefined {
  return namesRead.get(db)?.get(token)?.names
}
