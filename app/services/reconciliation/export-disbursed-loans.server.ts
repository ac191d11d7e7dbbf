// The loans behind a disbursement figure as a file for the reporting team: XLSX or CSV,
// streamed batch by batch. Owner ID numbers leave masked unless the exporter may unmask and
// asked to (a POST); every export is in the audit log, saying whether it was unmasked.
import { PassThrough, Readable } from 'node:stream'
import { loadExcelJs } from '../heavy-packages.server'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { csvLine } from '../../domain/csv'
import type { Period } from '../../domain/figures'
import type { LoanFigure } from '../../domain/reconciliation'
import type { MessageKey, Translate } from '../../i18n/index'
import { recordAudit, type Actor } from '../audit.server'
import type { FigureScope } from '../figures.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { disbursedLoanBatches, type DisbursedLoan } from './disbursed-loans.server'

const COLUMNS = ['externalRef', 'name', 'customer', 'disbursedOn', 'amount', 'amountBasis', 'guarantee', 'firstLender', 'firstLenderBasis', 'channel', 'product', 'outlet', 'officer'] as const

/** A loan's row of cells, in the export's words; the amount stays a number. */
export function loanCells(t: Translate, loan: DisbursedLoan): (string | number)[] {
  const guarantee = loan.guaranteeType
    ? t(`reconciliation.guarantee.${loan.guaranteeType}` as MessageKey)
    : t(loan.productCredit ? 'reconciliation.guarantee.unreportedCredit' : 'reconciliation.guarantee.unreportedSecured')
  return [
    loan.externalRef ?? '',
    loan.name,
    loan.customer ?? '',
    loan.disbursedOn,
    loan.amountYuan,
    t(loan.amountReported ? 'reconciliation.amount.reported' : 'reconciliation.amount.asked'),
    guarantee,
    t(loan.firstLender ? 'reconciliation.yes' : 'reconciliation.no'),
    t(`reconciliation.basis.${loan.firstLenderBasis}`),
    t(`reconciliation.channel.${loan.channel}`),
    loan.productName ?? loan.productCode,
    loan.outlet,
    loan.officer ?? '',
  ]
}

export interface ExportLoansRequest {
  db: Kysely<Database>
  actor: Actor
  pii: PersonalDataCipher
  t: Translate
  scope: FigureScope
  scopeName: string
  period: Period
  figure: LoanFigure
  format: 'xlsx' | 'csv'
  unmask: boolean
}

export async function exportDisbursedLoans(request: ExportLoansRequest): Promise<ReadableStream<Uint8Array>> {
  const { db, actor, pii, t, scope, period, figure, format, unmask } = request
  await recordAudit(db, actor, {
    action: 'loans.exported',
    entityType: 'export',
    entityId: null,
    detail: { format, figure, scope: request.scopeName, from: period.from, to: period.to, unmasked: unmask },
  })
  const header = COLUMNS.map((c) => t(`reconciliation.column.${c}`))
  const batches = disbursedLoanBatches(db, pii, scope, period, figure, unmask)
  const out = new PassThrough()
  const fail = (error: unknown) => out.destroy(error as Error)
  if (format === 'csv') {
    void (async () => {
      // A byte-order mark, so Excel reads the Chinese as UTF-8.
      out.write('\ufeff' + csvLine(header))
      for await (const batch of batches) {
        if (!out.write(batch.map((loan) => csvLine(loanCells(t, loan).map(String))).join(''))) await new Promise((resolve) => out.once('drain', resolve))
      }
      out.end()
    })().catch(fail)
  } else {
    void (async () => {
      const { stream } = await loadExcelJs()
      const workbook = new stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false })
      const sheet = workbook.addWorksheet(t('reconciliation.sheet'))
      sheet.addRow(header).commit()
      for await (const batch of batches) for (const loan of batch) sheet.addRow(loanCells(t, loan)).commit()
      sheet.commit()
      await workbook.commit()
    })().catch(fail)
  }
  return Readable.toWeb(out) as ReadableStream<Uint8Array>
}
