// Loading the divisions the bank serves: an admin names provinces, cities or counties (by
// code or by name) and their real codes and names, down to villages, replace what the areas
// table held under them, in one transaction. Run again it changes nothing; run after the
// package changed (towns merged, codes renamed) it removes the codes that are gone, keeps
// every player, and names the players whose area code no longer exists. Boundaries and
// centres already stored are kept for the codes that stay.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit, type Actor, type Db } from '../audit.server'
import { divisionPrefix, packageDivisions, packageVillages, type PackageDivision } from './division-package.server'

export interface LoadDivisionsResult {
  divisions: { code: string; name: string; level: string }[]
  added: number
  renamed: number
  removed: number
  townships: number
  villages: number
  /** Players whose area code no longer exists under the divisions loaded. */
  orphans: OrphanPlayers
}

export interface OrphanPlayers {
  count: number
  /** The first of them, by id. */
  players: { id: number; name: string; uscc: string | null; areaCode: string }[]
}

const SERVABLE = new Set(['province', 'city', 'county'])

/** Each of `wanted` (a 6-digit code, or a name such as 兰考县 or 河南省开封市兰考县) as a division of the package. */
export function resolveDivisions(wanted: string[]): PackageDivision[] {
  const all = packageDivisions().filter((d) => SERVABLE.has(d.level))
  const byCode = new Map(all.map((d) => [d.code, d]))
  const out: PackageDivision[] = []
  const problems: string[] = []
  for (const raw of wanted.map((w) => w.trim()).filter(Boolean)) {
    if (/^\d+$/.test(raw)) {
      const found = byCode.get(raw.padEnd(6, '0'))
      if (found && raw.length <= 6) out.push(found)
      else problems.push(`${raw}: no province, city or county has this code`)
      continue
    }
    // A name, possibly with its parents before it (河南省开封市兰考县): the last part decides.
    const matches = all.filter((d) => raw === d.name || (raw.endsWith(d.name) && fullName(d, byCode).endsWith(raw)))
    if (matches.length === 1) out.push(matches[0])
    else if (matches.length === 0) problems.push(`${raw}: no province, city or county has this name`)
    else problems.push(`${raw}: ${matches.length} divisions have this name (${matches.map((m) => `${m.code} ${fullName(m, byCode)}`).join(', ')}); give the code`)
  }
  if (problems.length) throw new AppError('bad_request', 'divisions.unknown', { problems: problems.join('; ') })
  if (out.length === 0) throw new AppError('bad_request', 'divisions.none')
  return [...new Map(out.map((d) => [d.code, d])).values()]
}

function fullName(d: PackageDivision, byCode: Map<string, PackageDivision>): string {
  const parent = d.parentCode ? byCode.get(d.parentCode) : undefined
  return (parent ? fullName(parent, byCode) : '') + (d.name === '市辖区' ? '' : d.name)
}

export async function loadDivisions(db: Kysely<Database>, actor: Actor, input: { divisions: string[] }): Promise<LoadDivisionsResult> {
  const chosen = resolveDivisions(input.divisions)
  const all = packageDivisions()
  const byCode = new Map(all.map((d) => [d.code, d]))
  const prefixes = chosen.map(divisionPrefix)
  const under = (code: string) => prefixes.some((p) => code.startsWith(p))
  // The chosen divisions and everything below them, and the provinces and cities above them.
  const rows = new Map<string, PackageDivision>()
  for (const d of all) if (under(d.code)) rows.set(d.code, d)
  const ancestors = new Set<string>()
  for (const c of chosen) for (let p = c.parentCode; p && byCode.has(p); p = byCode.get(p)!.parentCode) ancestors.add(p)
  for (const code of ancestors) if (!rows.has(code)) rows.set(code, byCode.get(code)!)
  const townships = new Set([...rows.values()].filter((d) => d.level === 'township').map((d) => d.code))
  for (const v of await packageVillages(townships)) rows.set(v.code, v)

  const now = new Date().toISOString()
  const result = await db.transaction().execute(async (trx) => {
    const stored = new Map<string, string>()
    for (const prefix of prefixes) {
      for (const r of await trx.selectFrom('areas').select(['code', 'name']).where('code', 'like', `${prefix}%`).execute()) stored.set(r.code, r.name)
    }
    if (ancestors.size) for (const r of await trx.selectFrom('areas').select(['code', 'name']).where('code', 'in', [...ancestors]).execute()) stored.set(r.code, r.name)
    let added = 0
    let renamed = 0
    const list = [...rows.values()]
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500)
      for (const d of chunk) {
        if (!stored.has(d.code)) added++
        else if (stored.get(d.code) !== d.name) renamed++
      }
      await trx
        .insertInto('areas')
        .values(chunk.map((d) => ({ code: d.code, name: d.name, level: d.level, parent_code: d.parentCode, boundary: null, centre_lat: null, centre_lng: null })))
        .onConflict((oc) => oc.column('code').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), level: eb.ref('excluded.level'), parent_code: eb.ref('excluded.parent_code') })))
        .execute()
    }
    const gone = [...stored.keys()].filter((code) => under(code) && !rows.has(code))
    for (let i = 0; i < gone.length; i += 500) await trx.deleteFrom('areas').where('code', 'in', gone.slice(i, i + 500)).execute()
    for (const c of chosen) {
      await trx
        .insertInto('served_divisions')
        .values({ code: c.code, name: c.name, level: c.level, loaded_at: now })
        .onConflict((oc) => oc.column('code').doUpdateSet({ name: c.name, level: c.level, loaded_at: now }))
        .execute()
    }
    const villages = list.filter((d) => d.level === 'village').length
    const summary = { added, renamed, removed: gone.length, townships: townships.size, villages }
    await recordAudit(trx, actor, { action: 'areas.load', entityType: 'areas', entityId: chosen.map((c) => c.code).join(','), detail: summary })
    return summary
  })
  return { divisions: chosen.map((c) => ({ code: c.code, name: c.name, level: c.level })), ...result, orphans: await findOrphanPlayers(db, prefixes) }
}

/** Players under the given division prefixes (all served divisions when none) whose area code is not a loaded area. */
export async function findOrphanPlayers(db: Db, prefixes?: string[], limit = 200): Promise<OrphanPlayers> {
  const within = prefixes ?? (await db.selectFrom('served_divisions').select(['code', 'level']).execute()).map((d) => divisionPrefix(d))
  if (within.length === 0) return { count: 0, players: [] }
  const base = db
    .selectFrom('market_players')
    .where('market_players.area_code', 'is not', null)
    .where((eb) => eb.or(within.map((p) => eb('market_players.area_code', 'like', `${p}%`))))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('areas').select('areas.code').whereRef('areas.code', '=', 'market_players.area_code'))))
  const [count, players] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base.select(['id', 'name', 'uscc', 'area_code']).orderBy('id').limit(limit).execute(),
  ])
  return { count: Number(count.n), players: players.map((p) => ({ id: p.id, name: p.name, uscc: p.uscc, areaCode: p.area_code! })) }
}

/** The divisions the bank serves, with how many townships and villages are loaded under each. */
export async function listServedDivisions(db: Db) {
  const served = await db.selectFrom('served_divisions').selectAll().orderBy('code').execute()
  return Promise.all(
    served.map(async (d) => {
      const prefix = divisionPrefix(d)
      const counts = await db
        .selectFrom('areas')
        .select(['level', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.count<number>('boundary').as('bounded')])
        .where('code', 'like', `${prefix}%`)
        .where('level', 'in', ['township', 'village'])
        .groupBy('level')
        .execute()
      const of = (level: string) => counts.find((c) => c.level === level)
      return {
        code: d.code,
        name: d.name,
        level: d.level,
        loadedAt: d.loaded_at,
        townships: Number(of('township')?.n ?? 0),
        villages: Number(of('village')?.n ?? 0),
        withBoundary: Number(of('township')?.bounded ?? 0),
      }
    }),
  )
}
