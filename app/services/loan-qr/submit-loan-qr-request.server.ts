// A firm states a need on a loan QR code's public page. The proof of work is checked first
// (cheap, no database); then, in one transaction, the address's and the phone's limits
// (counters in the database, so they hold across app servers; refused tries count too), the
// challenge spent, and the request landed: on the player that already holds the USCC (the
// firm is not told), else on a new player with channel `loan_qr` in the officer's list or
// the outlet's unassigned one. The caller answers the same whichever happened.
import { openClocksOfNewPlayer } from '../clocks/open-clocks.server'
import crypto from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { runCompiled, type Slot } from '../../../db/compiled-query.server'
import type { Database } from '../../../db/schema'
import { LOAN_QR_LIMITS, parseLoanQrForm, windowStart, type LoanQrField, type LoanQrFields } from '../../domain/loan-qr'
import { maskPhone } from '../../domain/masking'
import type { MessageKey } from '../../i18n/index'
import { recordAudit, type Actor, type Db } from '../audit.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { newPlayerColumns } from '../player-record.server'
import { inLoanQrBatch, LoanQrBusyError } from './loan-qr-batches.server'
import { findLiveLoanQrCode } from './loan-qr-codes.server'
import { verifyLoanQrProof } from './loan-qr-challenge.server'
import { countedHere, overLimitHere, type LocalLimits } from './loan-qr-local-limits.server'

export type LoanQrOutcome =
  | { outcome: 'accepted' }
  | { outcome: 'not_found' }
  | { outcome: 'unproven' }
  | { outcome: 'limited' }
  /** The server had no time for it (loan-qr-batches.server.ts): nothing written, send again after `retryAfterSeconds`. */
  | { outcome: 'busy'; retryAfterSeconds: number }
  | { outcome: 'invalid'; errors: Partial<Record<LoanQrField, MessageKey>> }

export interface SubmitLoanQrInput {
  token: string
  /** The form's values as posted (challenge and nonce among them). */
  values: Record<string, unknown>
  ip: string | null
  /** Signs challenges and hashes addresses (the session secret). */
  secret: string
  /** This app server's own counts (loan-qr-local-limits.server.ts); none: the database's alone. */
  local?: LocalLimits
  now?: Date
}

export async function submitLoanQrRequest(db: Kysely<Database>, pii: PersonalDataCipher, input: SubmitLoanQrInput): Promise<LoanQrOutcome> {
  const now = input.now ?? new Date()
  // The proof first: it needs no database (the challenge is signed for this token), so a try
  // without one is refused before any read.
  const spendKey = verifyLoanQrProof(input.secret, input.token, input.values.challenge, input.values.nonce, now)
  if (!spendKey) return { outcome: 'unproven' }
  const address = crypto.createHmac('sha256', input.secret).update(`loan-qr-ip:${input.ip ?? 'unknown'}`).digest('base64url').slice(0, 22)
  const parsed = parseLoanQrForm(input.values)
  const actor: Actor = { id: null, username: 'loan_qr', ip: input.ip }
  const addressKey = `ip:${address}`
  const phoneHash = parsed.ok ? pii.blindIndex('phone', parsed.fields.phone) : null
  const phoneKey = `phone:${phoneHash}`
  // Over a limit this process has counted already: refused before any write.
  const local = input.local ?? new Map()
  if (overLimitHere(local, addressKey, LOAN_QR_LIMITS.perAddress, now)) return { outcome: 'limited' }
  if (phoneHash !== null && overLimitHere(local, phoneKey, LOAN_QR_LIMITS.perPhone, now)) return { outcome: 'limited' }
  const code = await findLiveLoanQrCode(db, input.token)
  if (!code) return { outcome: 'not_found' }
  let phoneCounted = false
  // Written in the next batch's transaction (loan-qr-batches.server.ts; SQLite writes one at a
  // time): a refusal returns (commits its counts) rather than throws, so refused tries count too.
  const land = () =>
    inLoanQrBatch(db, async (trx): Promise<LoanQrOutcome> => {
      phoneCounted = false
      if (!(await countTry(trx, addressKey, LOAN_QR_LIMITS.perAddress, now))) return { outcome: 'limited' }
      if (!parsed.ok || phoneHash === null) return { outcome: 'invalid', errors: parsed.ok ? {} : parsed.errors }
      phoneCounted = true
      if (!(await countTry(trx, phoneKey, LOAN_QR_LIMITS.perPhone, now))) return { outcome: 'limited' }
      if (!(await spend(trx, spendKey, now))) return { outcome: 'unproven' }
      await landRequest(trx, pii, actor, { codeId: code.id, orgUnitId: code.orgUnitId, officerId: code.officerId }, parsed.fields, phoneHash, now)
      return { outcome: 'accepted' }
    })
  let outcome: LoanQrOutcome
  try {
    try {
      outcome = await land()
    } catch (error) {
      // Two firms sent the same new USCC at once: the second finds the first's player.
      if (!isUniqueViolation(error)) throw error
      outcome = await land()
    }
  } catch (error) {
    // Not written, so not counted: the firm sends it again shortly.
    if (error instanceof LoanQrBusyError) return { outcome: 'busy', retryAfterSeconds: error.retryAfterSeconds }
    throw error
  }
  // Committed: the counts the database took, counted here too.
  countedHere(local, addressKey, LOAN_QR_LIMITS.perAddress, now)
  if (phoneCounted) countedHere(local, phoneKey, LOAN_QR_LIMITS.perPhone, now)
  return outcome
}

/** Adds one try to a fixed window; false when the window is already full. */
async function countTry(db: Db, key: string, limit: { count: number; windowMinutes: number }, now: Date): Promise<boolean> {
  const [row] = await runCompiled(db, 'loanQr.countTry', countTryStatement, [key, windowStart(now, limit.windowMinutes)])
  return Number(row!.count) <= limit.count
}

// A try's statements, built once per database (db/compiled-query.server.ts): building and
// compiling them was a third of an accepted try's thread time (decision 0721).
const countTryStatement = (db: Db, slot: Slot) =>
  db
    .insertInto('loan_qr_throttle')
    .values({ key: slot(0), window_started_at: slot(1), count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when loan_qr_throttle.window_started_at = excluded.window_started_at then loan_qr_throttle.count + 1 else 1 end`,
        window_started_at: sql`excluded.window_started_at`,
      }),
    )
    .returning('count')

const spendStatement = (db: Db, slot: Slot) =>
  db.insertInto('loan_qr_throttle').values({ key: slot(0), window_started_at: slot(1), count: 1 }).onConflict((oc) => oc.column('key').doNothing()).returning('key')

const playerOfUscc = (db: Db, slot: Slot) => db.selectFrom('market_players').select('id').where('uscc', '=', slot(0))

const insertAssignment = (db: Db, slot: Slot) =>
  db.insertInto('player_assignments').values({ player_id: slot(0), officer_id: slot(1), assigned_at: slot(2), assigned_by: null, reason: 'loanQr.assignedByCode' })

const insertSource = (db: Db, slot: Slot) =>
  db.insertInto('player_sources').values({ player_id: slot(0), source: 'loan_qr', import_job_id: null, row: null, at: slot(1), said: slot(2) })

const insertRequest = (db: Db, slot: Slot) =>
  db
    .insertInto('loan_qr_requests')
    .values({
      code_id: slot(0), player_id: slot(1), submitted_at: slot(2), firm_name: slot(3), uscc: slot(4), contact_name: slot(5),
      phone_enc: slot(6), phone_hash: slot(7), phone_masked: slot(8),
      amount_yuan: slot(9), purpose: slot(10), consent_version: slot(11), consent_at: slot(12), new_player: slot(13),
    })
    .returning('id')

/** When this process last deleted old counters (ms): once a minute is enough, not once a try. */
let cleanedAt = -Infinity
const CLEAN_EVERY_MS = 60_000

/** Marks a challenge spent; false when it was already. Old counters and challenges go at most once a minute. */
async function spend(db: Db, key: string, now: Date): Promise<boolean> {
  if (Math.abs(now.getTime() - cleanedAt) >= CLEAN_EVERY_MS) {
    await db.deleteFrom('loan_qr_throttle').where('window_started_at', '<', new Date(now.getTime() - 2 * 86_400_000).toISOString()).execute()
    cleanedAt = now.getTime()
  }
  const rows = await runCompiled(db, 'loanQr.spend', spendStatement, [key, now.toISOString()])
  return rows.length > 0
}

async function landRequest(
  trx: Db,
  pii: PersonalDataCipher,
  actor: Actor,
  code: { codeId: number; orgUnitId: number; officerId: number | null },
  fields: LoanQrFields,
  phoneHash: string,
  now: Date,
) {
  const at = now.toISOString()
  // USCCs are unique across the bank: a firm already known keeps its player, officer and channel.
  const existing = fields.uscc ? (await runCompiled(trx, 'loanQr.playerOfUscc', playerOfUscc, [fields.uscc]))[0] : undefined
  let playerId = existing?.id
  if (playerId === undefined) {
    const columns = newPlayerColumns(
      {
        uscc: fields.uscc, name: fields.name, kind: fields.kind, legalRepresentative: null, owner: null, idNumber: null, phone: fields.phone,
        industry: null, industryCode: null, employees: null, revenueYuan: null, assetsYuan: null, registeredOn: null, registrationStatus: null,
        address: null, areaCode: null, lat: null, lng: null, taxGrade: null, loanHistory: null, loanCheckedOn: null,
      },
      pii,
      () => undefined,
    )
    const inserted = await trx
      .insertInto('market_players')
      .values({
        ...columns,
        org_unit_id: code.orgUnitId,
        assigned_officer_id: code.officerId,
        assignment_source: code.officerId === null ? null : 'direct',
        source: 'loan_qr',
        campaign_status: 'not_visited',
        channel: 'loan_qr',
        channel_at: at,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    playerId = inserted.id
    if (code.officerId !== null) {
      await runCompiled(trx, 'loanQr.insertAssignment', insertAssignment, [playerId, code.officerId, at])
    }
    await runCompiled(trx, 'loanQr.insertSource', insertSource, [playerId, at, JSON.stringify({ name: fields.name, uscc: fields.uscc, kind: fields.kind, phone: maskPhone(fields.phone) })])
    // Its clocks (accept 1, contact 3, decide 5 working days from channel_at) start with it.
    // Its channel and start are the ones just inserted: nothing read back.
    await openClocksOfNewPlayer(trx, { id: playerId, channel: 'loan_qr', startedAt: at })
  }
  const [request] = await runCompiled(trx, 'loanQr.insertRequest', insertRequest, [
    code.codeId, playerId, at, fields.name, fields.uscc, fields.contactName,
    pii.encrypt(fields.phone), phoneHash, maskPhone(fields.phone),
    fields.amountYuan, fields.purpose, fields.consentVersion, at, existing ? 0 : 1,
  ])
  await recordAudit(trx, actor, { action: 'loan_qr.request', entityType: 'market_player', entityId: playerId, detail: { codeId: code.codeId, requestId: request!.id, newPlayer: !existing, consentVersion: fields.consentVersion } })
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string }
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed: market_players\.uscc/.test(e?.message ?? '')
}
