// The feedback file a bank returns to a working group for one recommendation list (PRODUCT.md
// "Channels and clocks"): per firm its name, USCC, when it was contacted, the decision, the
// amount and the refusal reason, as XLSX in Chinese (the group's language). No personal data:
// USCCs and firm names are not. Audited as an export.
import { loadExcelJs } from '../heavy-packages.server'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { chinaDay } from '../../domain/china-time'
import { REFUSAL_REASONS } from '../../domain/clocks'
import type { Scope } from '../../domain/scope'
import { recordAudit, type Actor } from '../audit.server'
import { scoped } from '../scope.server'

export const FEEDBACK_HEADERS = ['序号', '企业名称', '统一社会信用代码', '清单日期', '联系日期', '决定', '决定日期', '授信金额（万元）', '拒绝原因', '说明'] as const

/** A cell Excel or WPS would run as a formula is opened with an apostrophe. */
const safe = (v: string | null) => (v !== null && /^[=+\-@]/.test(v) ? `'${v}` : v)

export async function exportListFeedback(db: Kysely<Database>, caller: { actor: Actor; scope: Scope }, job: { id: number; channel_group: string | null; channel_at: string | null }): Promise<Buffer> {
  const rows = await db
    .selectFrom('market_players')
    .leftJoin('player_clocks', 'player_clocks.player_id', 'market_players.id')
    .select([
      'market_players.id',
      'market_players.name',
      'market_players.uscc',
      'player_clocks.contacted_at',
      'player_clocks.decided_at',
      'player_clocks.decision',
      'player_clocks.amount_yuan',
      'player_clocks.refusal_reason',
      'player_clocks.refusal_note',
    ])
    .where((eb) =>
      eb.or([
        eb('market_players.import_job_id', '=', job.id),
        eb('market_players.id', 'in', eb.selectFrom('player_sources').select('player_sources.player_id').where('player_sources.import_job_id', '=', job.id)),
      ]),
    )
    .where(scoped(caller.scope))
    .orderBy('market_players.id')
    .execute()
  const ExcelJS = await loadExcelJs()
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('反馈')
  sheet.addRow([...FEEDBACK_HEADERS])
  const listDay = job.channel_at ? chinaDay(job.channel_at) : null
  rows.forEach((r, i) => {
    sheet.addRow([
      i + 1,
      safe(r.name),
      r.uscc,
      listDay,
      r.contacted_at ? chinaDay(r.contacted_at) : null,
      r.decision === 'approved' ? '同意授信' : r.decision === 'refused' ? '拒绝' : '未决定',
      r.decided_at ? chinaDay(r.decided_at) : null,
      r.amount_yuan !== null ? Number(r.amount_yuan) / 10_000 : null,
      r.refusal_reason ? (REFUSAL_REASONS[r.refusal_reason as 'other']?.zh ?? r.refusal_reason) : null,
      safe(r.refusal_note),
    ])
  })
  await recordAudit(db, caller.actor, { action: 'feedback.exported', entityType: 'import_job', entityId: job.id, detail: { rows: rows.length, group: job.channel_group } })
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
