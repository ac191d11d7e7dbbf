// The feedback file a bank returns to a credit platform for one imported list of its
// applications, as XLSX in Chinese like the working group's (clocks/export-feedback.server.ts):
// per application the platform's reference, the decision, the refusal reason's code and words,
// the decision's date and the amount. Audited as an export.
import { loadExcelJs } from '../heavy-packages.server'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { REFUSAL_REASONS, isRefusalReason } from '../../domain/clocks'
import type { Scope } from '../../domain/scope'
import { recordAudit, type Actor } from '../audit.server'
import { findPlatformFeedback } from './find-platform-feedback.server'

export const PLATFORM_FEEDBACK_HEADERS = ['序号', '平台申请编号', '企业名称', '统一社会信用代码', '决定', '决定日期', '授信金额（万元）', '拒绝原因代码', '拒绝原因', '说明'] as const

/** A cell Excel or WPS would run as a formula is opened with an apostrophe. */
const safe = (v: string | null) => (v !== null && /^[=+\-@]/.test(v) ? `'${v}` : v)

export async function exportPlatformFeedback(db: Kysely<Database>, caller: { actor: Actor; scope: Scope }, job: { id: number; channel_group: string | null }): Promise<Buffer> {
  // In the list's order, as the platform sent it.
  const rows = (await findPlatformFeedback(db, caller.scope, { importJobId: job.id, undecided: true })).sort((a, b) => a.playerId - b.playerId)
  const ExcelJS = await loadExcelJs()
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('反馈')
  sheet.addRow([...PLATFORM_FEEDBACK_HEADERS])
  rows.forEach((r, i) => {
    sheet.addRow([
      i + 1,
      safe(r.applicationRef),
      safe(r.name),
      r.uscc,
      r.decision === 'approved' ? '同意授信' : r.decision === 'refused' ? '拒绝' : '未决定',
      r.decidedOn,
      r.amountYuan !== null ? r.amountYuan / 10_000 : null,
      r.reasonCode,
      r.reasonCode ? (isRefusalReason(r.reasonCode) ? REFUSAL_REASONS[r.reasonCode].zh : r.reasonCode) : null,
      safe(r.note),
    ])
  })
  await recordAudit(db, caller.actor, { action: 'platform_feedback.exported', entityType: 'import_job', entityId: job.id, detail: { rows: rows.length, platform: job.channel_group } })
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
