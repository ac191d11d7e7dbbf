// Importing the bank's history (past visits, past referrals with their stages): upload a
// file and see every row checked (row, column, reason) with nothing written; then apply the
// good rows in one go, or discard the file. Managers (within their unit) and admins.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import fs from 'node:fs'
import { Form, Link, useActionData, useNavigation } from '@remix-run/react'
import { ActionResult, SelectField } from '../components/field'
import { HISTORY_KINDS, type HistoryKind } from '../domain/history-rows'
import { todayInChina } from '../domain/china-time'
import { loadClockContext } from '../services/clocks/clock-context.server'
import { actorOf, requirePermission, userScope } from '../http/guards.server'
import { SPREADSHEET_ACCEPT } from '../forms/fields'
import type { Message } from '../i18n/index'
import { useT, useTranslateMessage } from '../i18n/use-t'
import type { HistoryResult } from '../services/history/history-common.server'
import { importReferralHistory } from '../services/history/import-referral-history.server'
import { importVisitHistory } from '../services/history/import-visit-history.server'
import { findPendingHistory, keepPendingHistory, removePendingHistory, type PendingHistory } from '../services/history/pending-history.server'
import { DEFAULT_LIMITS } from '../services/import/read-table.server'
import { receiveUpload } from '../http/receive-upload.server'
import { countText } from '../domain/number-text'
import { CardTable } from '../components/card-table'

/** The page shows this many row errors; the count says how many there are. */
const SHOWN_ERRORS = 500

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'history:import')
  return { maxMb: Math.round(DEFAULT_LIMITS.maxBytes / 1024 / 1024) }
}

type ActionData = {
  formError?: Message
  done?: Message
  pending?: { id: string; kind: HistoryKind; fileName: string }
  result?: Omit<HistoryResult, 'errors'> & { errors: HistoryResult['errors']; errorCount: number }
}

const isKind = (v: unknown): v is HistoryKind => typeof v === 'string' && (HISTORY_KINDS as readonly string[]).includes(v)

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'history:import')
  const dir = context.config.uploadDir
  const caller = { actor: actorOf(user, context), scope: userScope(user) }
  const clocks = await loadClockContext(context.db)
  const run = (pending: PendingHistory, apply: boolean) =>
    pending.kind === 'visits'
      ? importVisitHistory(context.db, caller, { filePath: pending.filePath, fileName: pending.fileName, apply })
      : importReferralHistory(context.db, { ...caller, clocks }, { filePath: pending.filePath, fileName: pending.fileName, apply })
  const shown = (result: HistoryResult) => ({ ...result, errors: result.errors.slice(0, SHOWN_ERRORS), errorCount: result.errors.length })

  if (!(request.headers.get('Content-Type') ?? '').startsWith('multipart/form-data')) {
    const form = await request.formData()
    const intent = form.get('intent')
    const id = String(form.get('pending') ?? '')
    if (intent !== 'apply' && intent !== 'discard') return data<ActionData>({ formError: { key: 'history.chooseFile' } }, { status: 400 })
    const pending = await findPendingHistory(dir, user.id, id)
    if (!pending) return data<ActionData>({ formError: { key: 'history.expired' } }, { status: 409 })
    if (intent === 'discard') {
      await removePendingHistory(dir, user.id, id)
      return { done: { key: 'history.discarded' } } satisfies ActionData
    }
    // One transaction: an apply that fails writes nothing, and the file stays to try again.
    const result = await run(pending, true)
    await removePendingHistory(dir, user.id, id)
    return { done: { key: 'history.applied', params: { inserted: result.inserted, unchanged: result.unchanged, rejected: result.rejected } }, result: shown(result) } satisfies ActionData
  }

  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  // The one upload helper: any file name the user's system gave (名单=2024.csv, a;b.csv, none).
  const upload = await receiveUpload(request, { directory: dir, maxBytes: DEFAULT_LIMITS.maxBytes, fileField: 'file' })
  if (!upload.ok) {
    const maxMb = Math.round(DEFAULT_LIMITS.maxBytes / 1024 / 1024)
    if (upload.reason === 'tooLarge') return data<ActionData>({ formError: { key: 'file.tooLarge', params: { sizeMb: `>${maxMb}`, maxMb } } }, { status: 413 })
    return data<ActionData>({ formError: { key: 'history.chooseFile' } }, { status: 400 })
  }
  const kind = upload.fields.kind
  const file = upload.file
  if (!file || file.size === 0 || !isKind(kind)) {
    if (file) await fs.promises.rm(file.path, { force: true })
    return data<ActionData>({ formError: { key: file && file.size === 0 ? 'file.empty' : 'history.chooseFile' } }, { status: 400 })
  }
  const pending = await keepPendingHistory(dir, user.id, { path: file.path, fileName: file.name || `upload-${todayInChina()}`, kind })
  const result = await run(pending, false)
  if (result.ready === 0) await removePendingHistory(dir, user.id, pending.id)
  return {
    pending: result.ready > 0 ? { id: pending.id, kind, fileName: pending.fileName } : undefined,
    result: shown(result),
  } satisfies ActionData
}

export default function HistoryImport() {
  const t = useT()
  const tm = useTranslateMessage()
  const result = useActionData<typeof action>() as ActionData | undefined
  const busy = useNavigation().state === 'submitting'
  const r = result?.result
  return (
    <div className="stack">
      <p className="muted small">
        <Link to="/imports">{t('nav.imports')}</Link> › {t('nav.history')}
      </p>
      <h1>{t('history.title')}</h1>
      <p className="muted">{t('history.intro')}</p>
      <ActionResult done={result?.done} formError={result?.formError} />
      {r && !result?.done ? (
        <section className="card stack" data-testid="history-preview">
          <p>{t('history.previewed', { rows: r.rows, ready: r.ready, unchanged: r.unchanged, rejected: r.rejected })}</p>
          {r.ready === 0 ? <p className="muted">{t('history.noneToApply')}</p> : null}
          {result?.pending ? (
            <div className="inline-form">
              <Form method="post">
                <input type="hidden" name="intent" value="apply" />
                <input type="hidden" name="pending" value={result.pending.id} />
                <button type="submit" className="primary" disabled={busy}>
                  {t('history.apply', { count: r.ready - r.unchanged })}
                </button>
              </Form>
              <Form method="post">
                <input type="hidden" name="intent" value="discard" />
                <input type="hidden" name="pending" value={result.pending.id} />
                <button type="submit" disabled={busy}>
                  {t('history.discard')}
                </button>
              </Form>
            </div>
          ) : null}
        </section>
      ) : null}
      {r && (r.unknownColumns.length || r.notStoredColumns.length) ? (
        <section className="card">
          {r.unknownColumns.length ? <p>{t('history.unknownColumns', { columns: r.unknownColumns.join('、') })}</p> : null}
          {r.notStoredColumns.length ? <p>{t('history.notStoredColumns', { columns: r.notStoredColumns.join('、') })}</p> : null}
        </section>
      ) : null}
      {r && r.errorCount > 0 ? (
        <section className="card">
          <h2>
            {t('history.errors')} ({countText(r.errorCount)})
          </h2>
          <CardTable
            rows={r.errors}
            rowKey={(_, i) => i}
            testId="history-errors"
            columns={[
              { header: t('history.row'), title: true, className: 'num', cell: (e) => e.row },
              { header: t('history.column'), cell: (e) => e.column },
              { header: t('history.reason'), cell: (e) => tm(e.message) },
            ]}
          />
        </section>
      ) : null}
      <section className="card">
        <Form method="post" encType="multipart/form-data" className="form-grid">
          <SelectField label={t('history.kind')} name="kind" options={HISTORY_KINDS.map((k) => ({ value: k, label: t(`history.kind.${k}`) }))} />
          <div className="field">
            <label htmlFor="history-file">{t('history.file')}</label>
            <input id="history-file" name="file" type="file" required accept={SPREADSHEET_ACCEPT} />
          </div>
          <button type="submit" className="primary" disabled={busy}>
            {t('history.preview')}
          </button>
        </Form>
      </section>
    </div>
  )
}
