// Past referrals from a bank's file (CSV/XLSX), with their own dates and stages: each row
// matched to its player by USCC (or id) in the importer's scope; the product by code or
// name; the stages checked as a whole (none before the referral or in the future, progress
// in order, one end, nothing after a close); one open case per player. Stored once: by the
// loan system's reference when the row has one, else by a key (the file's, or one made
// from player, product and time). The verdict the rules give as of the referral's day is
// kept with it, but history is not refused by today's catalogue: the loan was made. The
// good rows go in one transaction, each with its stage history and an audit entry; none is
// sent to the loan system (it has them). The figures' triggers queue their players.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { checkPastTime, fold, mapReferralHeaders, readReferralHistoryRow, type ReferralHistoryRow } from '../../domain/history-rows'
import { FINISHED_STAGES, checkStageHistory, currentStage, isFinished, type Stage } from '../../domain/pipeline'
import { reachedAt } from '../../domain/figures'
import { todayInChina } from '../../domain/china-time'
import { caseFactsOf, checkProduct, type ProductRules } from '../../domain/products'
import { referralAcceptDue, type ClockContext } from '../../domain/clocks'
import type { TaxGrade } from '../../domain/market-player'
import { findLatestNeed } from '../visits/find-latest-need.server'
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

type Product = ProductRules & { version: number }

/** Every product ever offered (its latest version), active or not: history may name an old one. */
async function allProducts(db: Kysely<Database>): Promise<Map<string, Product>> {
  const rows = await db.selectFrom('product_versions').select(['code', 'version', 'name', 'rules']).orderBy('version').execute()
  const byCode = new Map<string, Product>()
  for (const r of rows) byCode.set(r.code, { ...(JSON.parse(r.rules) as ProductRules), name: r.name, version: r.version })
  const out = new Map<string, Product>()
  for (const p of byCode.values()) {
    out.set(fold(p.code), p)
    out.set(fold(p.name), p)
  }
  return out
}

interface Planned {
  line: number
  row: ReferralHistoryRow
  player: FoundPlayer
  officerId: number
  product: Product
  key: string | null
  events: { stage: Stage; at: string; reason: string | null }[]
  stage: Stage
}

export async function importReferralHistory(db: Kysely<Database>, caller: HistoryCaller & { clocks: ClockContext }, input: HistoryInput): Promise<HistoryResult> {
  const now = input.now ?? new Date()
  const result = emptyResult('referrals', input.apply)
  const file = await readHistoryFile(input, result, mapReferralHeaders, readReferralHistoryRow)
  if (!file) return result
  const { rows, col } = file
  const players = await findPlayers(db, caller.scope, rows.flatMap(({ row }) => (row.uscc ? [row.uscc] : [])), rows.flatMap(({ row }) => (row.playerId ? [row.playerId] : [])))
  const officers = await findOfficers(db, caller.scope, rows.flatMap(({ row }) => (row.officer ? [row.officer] : [])))
  const products = await allProducts(db)
  const openCases = new Map<number, number>()
  for (const part of chunks([...new Set([...players.byId.values(), ...players.byUscc.values()].flatMap((p) => (p === 'ambiguous' ? [] : [p.id])))])) {
    const open = await db.selectFrom('referrals').select(['id', 'player_id']).where('player_id', 'in', part).where('stage', 'not in', FINISHED_STAGES).execute()
    for (const o of open) openCases.set(o.player_id, o.id)
  }

  const planned: Planned[] = []
  const byKey = new Map<string, number>()
  const openInFile = new Map<number, number>()
  for (const { line, row } of rows) {
    const errors = result.errors.length
    const player = playerOfRow(players, row, col(row.uscc ? 'uscc' : 'playerId'))
    if (!('id' in player)) result.errors.push(...rowErrors(line, [player]))
    const product = products.get(fold(row.product))
    if (!product) result.errors.push({ row: line, column: col('product'), message: { key: 'history.productUnknown', params: { product: row.product } } })
    let officerId: number | null = null
    if (row.officer) {
      officerId = officers.get(row.officer)?.id ?? null
      if (officerId === null) result.errors.push({ row: line, column: col('officer'), message: { key: 'history.officerUnknown', params: { username: row.officer } } })
    } else if ('id' in player) {
      // The player's officer follows the case, as on the page; else whoever imports it.
      officerId = player.assigned_officer_id ?? caller.actor.id
      if (officerId === null) result.errors.push({ row: line, column: col('officer'), message: { key: 'history.required' } })
    }
    if (!('id' in player) || !product || officerId === null) {
      result.rejected++
      continue
    }
    const registered = player.registered_on ? new Date(`${player.registered_on}T00:00:00+08:00`).toISOString() : null
    const referredProblem = checkPastTime(row.referredAt, now, registered ? { at: registered, key: 'history.beforeRegistration' } : undefined)
    if (referredProblem) result.errors.push({ row: line, column: col('referredAt'), message: referredProblem })
    for (const p of checkStageHistory(row.referredAt, row.stages.map((s) => ({ stage: s.stage as Stage, at: s.at, column: s.column })), now)) {
      result.errors.push({ row: line, column: p.column, message: { key: p.key, params: p.params } })
    }
    const events = [{ stage: 'referred' as Stage, at: row.referredAt, reason: null }, ...row.stages.map((s) => ({ stage: s.stage as Stage, at: s.at, reason: s.reason }))]
    const stage = currentStage(events)
    const key = row.externalRef ? null : (row.clientKey ?? derivedKey('hr', player.id, product.code, row.referredAt))
    const identity = row.externalRef ? `ref:${row.externalRef}` : `key:${key}`
    const twin = byKey.get(identity)
    if (twin !== undefined) result.errors.push({ row: line, column: col(row.externalRef ? 'externalRef' : row.clientKey ? 'clientKey' : 'referredAt'), message: { key: 'history.duplicateInFile', params: { row: twin } } })
    if (result.errors.length > errors) {
      result.rejected++
      continue
    }
    byKey.set(identity, line)
    planned.push({ line, row, player, officerId, product, key, events, stage })
  }

  // Stored before: by the loan system's reference, else by the key.
  const refs = planned.flatMap((p) => (p.row.externalRef ? [p.row.externalRef] : []))
  const keys = planned.flatMap((p) => (p.key ? [p.key] : []))
  const storedByRef = new Map<string, number>()
  const storedByKey = new Map<string, number>()
  for (const part of chunks(refs)) for (const r of await db.selectFrom('referrals').select(['external_ref', 'player_id']).where('external_ref', 'in', part).execute()) storedByRef.set(r.external_ref!, r.player_id)
  for (const part of chunks(keys)) for (const r of await db.selectFrom('referrals').select(['client_key', 'player_id']).where('client_key', 'in', part).execute()) storedByKey.set(r.client_key!, r.player_id)
  const fresh: Planned[] = []
  for (const p of planned) {
    const storedFor = p.row.externalRef ? storedByRef.get(p.row.externalRef) : storedByKey.get(p.key!)
    if (storedFor === p.player.id) {
      result.unchanged++
      continue
    }
    if (storedFor !== undefined) {
      result.errors.push({ row: p.line, column: col(p.row.externalRef ? 'externalRef' : 'clientKey'), message: { key: 'history.keyTaken' } })
      result.rejected++
      continue
    }
    // One open case per player, counting those stored and those earlier in the file.
    if (!isFinished(p.stage)) {
      const open = openCases.get(p.player.id) ?? openInFile.get(p.player.id)
      if (open !== undefined) {
        result.errors.push({ row: p.line, column: col('referredAt'), message: openCases.has(p.player.id) ? { key: 'history.alreadyOpen', params: { id: open } } : { key: 'history.duplicateInFile', params: { row: open } } })
        result.rejected++
        continue
      }
      openInFile.set(p.player.id, p.line)
    }
    fresh.push(p)
  }
  checked(result, fresh.length)
  if (!input.apply) return result

  const stamp = now.toISOString()
  await db.transaction().execute(async (trx) => {
    const audits: Parameters<typeof recordAuditEntries>[2] = []
    for (const p of fresh) {
      const need = await findLatestNeed(trx, p.player.id, p.row.referredAt)
      const verdict = checkProduct(p.product, caseFactsOf({ ...p.player, tax_grade: p.player.tax_grade as TaxGrade | null }, need), todayInChina(new Date(p.row.referredAt)))
      const stageAt = p.events.filter((e) => e.stage === p.stage).map((e) => e.at).sort()[0]
      const { id } = await trx
        .insertInto('referrals')
        .values({
          player_id: p.player.id,
          visit_id: need?.visitId ?? null,
          officer_id: p.officerId,
          org_unit_id: p.player.org_unit_id,
          product_code: p.product.code,
          product_version: p.product.version,
          amount_yuan: p.row.amountYuan,
          term_months: p.row.termMonths,
          credit: p.product.kind === 'credit' ? 1 : 0,
          // The loan system's flag when the file gives it; else, as a live hand-off, the player's loan history.
          first_lender: (p.row.firstLender ?? p.player.loan_history === 'none') ? 1 : 0,
          verdict: JSON.stringify(verdict),
          stage: p.stage,
          stage_at: stageAt,
          referred_at: p.row.referredAt,
          accept_due_at: referralAcceptDue(new Date(p.row.referredAt), caller.clocks).toISOString(),
          accepted_at: reachedAt(p.events, 'accepted'),
          disbursed_at: reachedAt(p.events, 'disbursed'),
          external_ref: p.row.externalRef,
          client_key: p.key,
          created_at: stamp,
          updated_at: stamp,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await trx
        .insertInto('referral_events')
        .values(p.events.map((e) => ({ referral_id: id, stage: e.stage, at: e.at, reason: e.reason, external_ref: e.stage === 'disbursed' ? p.row.externalRef : null, received_at: stamp })))
        .execute()
      const status = p.stage === 'disbursed' ? 'financed' : isFinished(p.stage) ? null : 'referred'
      if (status === 'financed' || (status === 'referred' && p.player.campaign_status !== 'financed')) {
        await trx.updateTable('market_players').set({ campaign_status: status, updated_at: stamp }).where('id', '=', p.player.id).execute()
        p.player.campaign_status = status
      }
      audits.push({ action: 'referral.imported', entityType: 'referral', entityId: id, detail: { player: p.player.id, product: p.product.code, amountYuan: p.row.amountYuan, referredAt: p.row.referredAt, stage: p.stage, externalRef: p.row.externalRef, key: p.key, qualifiedThen: verdict.qualifies, file: input.fileName, row: p.line } })
    }
    audits.push({ action: 'history.imported', entityType: 'import', entityId: input.fileName, detail: { kind: 'referrals', file: input.fileName, rows: result.rows, inserted: fresh.length, unchanged: result.unchanged, rejected: result.rejected } })
    await recordAuditEntries(trx, caller.actor, audits)
  })
  result.inserted = fresh.length
  return result
}
