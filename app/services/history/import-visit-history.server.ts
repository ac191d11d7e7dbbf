// Past visits from a bank's file (CSV/XLSX): each row matched to its player by USCC (or id)
// and to its officer by user name, within the importer's scope; checked by the visit form's
// own schema and the visit rules, with the historical time rule instead of the 30-day one;
// stored once under a key made from player, officer and time (or the file's own key), so a
// second run changes nothing. The good rows are written in one transaction with an audit
// entry each and one for the import; the players' latest-visit columns move only where an
// imported visit is newer than what they hold.
import type { Kysely } from 'kysely'
import type { Database, NewVisit } from '../../../db/schema'
import type { CampaignStatus } from '../../domain/market-player'
import { checkPastTime, mapVisitHeaders, readVisitHistoryRow } from '../../domain/history-rows'
import { todayInChina } from '../../domain/china-time'
import { assessCheckIn } from '../../domain/visit'
import { parseVisitTalk } from '../../forms/visit'
import { refreshPlayerAfterVisits } from '../visits/refresh-player-after-visits.server'
import { talkColumns } from '../visits/stored-visit.server'
import {
  checked,
  chunks,
  derivedKey,
  emptyResult,
  findOfficers,
  findPlayers,
  playerOfRow,
  readHistoryFile,
  recordAuditEntries,
  rowErrors,
  type FoundPlayer,
  type HistoryCaller,
  type HistoryInput,
  type HistoryResult,
} from './history-common.server'

/** The visit form's field each schema error names, as the file's column. */
const TALK_FIELDS = ['channel', 'contact', 'notes', 'hasNeed', 'needAmount', 'needPurpose', 'needTermMonths', 'needCollateral', 'needProduct', 'outcome', 'nextFollowUpOn'] as const

export async function importVisitHistory(db: Kysely<Database>, caller: HistoryCaller, input: HistoryInput): Promise<HistoryResult> {
  const now = input.now ?? new Date()
  const result = emptyResult('visits', input.apply)
  const file = await readHistoryFile(input, result, mapVisitHeaders, readVisitHistoryRow)
  if (!file) return result
  const { rows, col } = file
  const players = await findPlayers(db, caller.scope, rows.flatMap(({ row }) => (row.uscc ? [row.uscc] : [])), rows.flatMap(({ row }) => (row.playerId ? [row.playerId] : [])))
  const officers = await findOfficers(db, caller.scope, rows.map(({ row }) => row.officer))

  const stamp = now.toISOString()
  const toInsert: (NewVisit & { row: number })[] = []
  const byKey = new Map<string, number>()
  for (const { line, row: v } of rows) {
    const errors = result.errors.length
    const player = playerOfRow(players, v, col(v.uscc ? 'uscc' : 'playerId'))
    if (!('id' in player)) result.errors.push(...rowErrors(line, [player]))
    const officer = officers.get(v.officer)
    if (!officer) result.errors.push({ row: line, column: col('officer'), message: { key: 'history.officerUnknown', params: { username: v.officer } } })
    const talk = parseVisitTalk(v.talk)
    if (!talk.ok) for (const [field, messages] of Object.entries(talk.errors)) for (const message of messages) result.errors.push({ row: line, column: col((TALK_FIELDS as readonly string[]).includes(field) ? field : 'notes'), message })
    if (!('id' in player) || !officer || !talk.ok) {
      result.rejected++
      continue
    }
    const registered = player.registered_on ? { at: new Date(`${player.registered_on}T00:00:00+08:00`).toISOString(), key: 'history.beforeRegistration' as const } : undefined
    const timeProblem = checkPastTime(v.visitedAt, now, registered)
    if (timeProblem) result.errors.push({ row: line, column: col('visitedAt'), message: timeProblem })
    if (talk.data.nextFollowUpOn && talk.data.nextFollowUpOn < todayInChina(new Date(v.visitedAt))) result.errors.push({ row: line, column: col('nextFollowUpOn'), message: { key: 'visit.followUpPast' } })
    const id = v.clientKey ?? derivedKey('h', player.id, officer.id, v.visitedAt)
    const twin = byKey.get(id)
    if (twin !== undefined) result.errors.push({ row: line, column: col(v.clientKey ? 'clientKey' : 'visitedAt'), message: { key: 'history.duplicateInFile', params: { row: twin } } })
    if (result.errors.length > errors) {
      result.rejected++
      continue
    }
    byKey.set(id, line)
    // No check-in comes with history: an on-site visit says so (no position), as a live one would.
    const assessed = assessCheckIn({ channel: talk.data.channel, checkIn: null, player: { lat: null, lng: null, approximate: true }, radiusMetres: 0 })
    toInsert.push({
      row: line,
      id,
      player_id: player.id,
      officer_id: officer.id,
      org_unit_id: officer.org_unit_id,
      visited_at: v.visitedAt,
      recorded_at: stamp,
      updated_at: stamp,
      ...talkColumns(talk.data),
      check_in_lat: null,
      check_in_lng: null,
      check_in_accuracy_m: null,
      check_in_fix: null,
      check_in_distance_m: null,
      check_in_flag: assessed.flag,
      far_reason: null,
      conflict: null,
    })
  }

  // Stored before under the same key: unchanged if it is the same visit, else the key is taken.
  const existing = new Map<string, { player_id: number; officer_id: number }>()
  for (const part of chunks(toInsert.map((v) => v.id))) {
    for (const e of await db.selectFrom('visits').select(['id', 'player_id', 'officer_id']).where('id', 'in', part).execute()) existing.set(e.id, e)
  }
  const fresh: typeof toInsert = []
  for (const v of toInsert) {
    const e = existing.get(v.id)
    if (!e) fresh.push(v)
    else if (e.player_id === v.player_id && e.officer_id === v.officer_id) result.unchanged++
    else {
      result.errors.push({ row: v.row, column: col('clientKey'), message: { key: 'history.keyTaken' } })
      result.rejected++
    }
  }
  checked(result, fresh.length)
  if (!input.apply) return result

  await db.transaction().execute(async (trx) => {
    for (const part of chunks(fresh, 200)) await trx.insertInto('visits').values(part.map(({ row: _row, ...v }) => v)).execute()
    // Only players an imported visit is newer for move their latest-visit columns.
    const newest = new Map<number, string>()
    for (const v of fresh) if ((newest.get(v.player_id) ?? '') < v.visited_at) newest.set(v.player_id, v.visited_at)
    const touched = new Map<number, FoundPlayer>()
    for (const p of [...players.byId.values(), ...players.byUscc.values()]) if (p !== 'ambiguous') touched.set(p.id, p)
    for (const p of touched.values()) {
      const at = newest.get(p.id)
      if (at && (p.last_visited_at === null || at > p.last_visited_at)) await refreshPlayerAfterVisits(trx, p.id, p.campaign_status as CampaignStatus, stamp)
    }
    await recordAuditEntries(trx, caller.actor, [
      ...fresh.map((v) => ({ action: 'visit.imported', entityType: 'visit', entityId: v.id, detail: { player: v.player_id, officer: v.officer_id, visitedAt: v.visited_at, file: input.fileName, row: v.row } })),
      { action: 'history.imported', entityType: 'import', entityId: input.fileName, detail: { kind: 'visits', file: input.fileName, rows: result.rows, inserted: fresh.length, unchanged: result.unchanged, rejected: result.rejected } },
    ])
  })
  result.inserted = fresh.length
  return result
}

