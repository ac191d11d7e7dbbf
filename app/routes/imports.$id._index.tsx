// One import job: its progress while it runs, the mapping step for unknown headers, the
// preview (each column with its field and sample values, the first rows as they will be
// stored, rows to insert, to update, rejected with row, column and reason, matches), the
// options that re-preview, the commit, and the summary afterwards.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useRevalidator } from '@remix-run/react'
import { useEffect } from 'react'
import { ErrorList, SelectField } from '../components/field'
import { FormErrorSummary } from '../components/form-error-summary'
import { parseForm, type FieldErrors } from '../forms/fields'
import { deleteImportJobSchema } from '../forms/import-job'
import { isDeletableImportStatus } from '../domain/import-job-status'
import { deleteImportJob } from '../services/import/delete-import-job.server'
import { LIST_COLUMNS, type ListColumn, normaliseHeader } from '../domain/list-columns'
import { actorOf, notFound, requirePermission, userScope } from '../http/guards.server'
import { idParam, toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT, useTranslateMessage } from '../i18n/use-t'
import { getImportJobInScope, listImportIssues, queueImportJob, saveImportMapping, setImportOptions } from '../services/import/import-jobs.server'
import type { ImportPreview } from '../services/import/import-preview.server'
import { PreviewColumns, PreviewRows } from '../components/import-preview'
import { can } from '../domain/roles'
import { countText } from '../domain/number-text'

const RUNNING = ['uploaded', 'previewing', 'queued', 'running']

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'imports:run')
  const job = await getImportJobInScope(context.db, userScope(user), idParam(params.id))
  if (!job) throw notFound()
  const settled = !RUNNING.includes(job.status)
  const [rejected, matches, warnings] = settled
    ? await Promise.all([
        listImportIssues(context.db, job.id, 'rejected', 100),
        listImportIssues(context.db, job.id, 'match', 100),
        listImportIssues(context.db, job.id, 'warning', 100),
      ])
    : [[], [], []]
  const headers = job.headers ? (JSON.parse(job.headers) as string[]) : []
  const mapping = job.mapping ? (JSON.parse(job.mapping) as (ListColumn | null)[]) : []
  const { file_path: _, claimed_by: __, preview, ...shown } = job
  return {
    job: shown,
    preview: preview ? (JSON.parse(preview) as ImportPreview) : null,
    canUnmask: can(user.role, 'personal-data:unmask'),
    error: job.error ? (JSON.parse(job.error) as Message) : null,
    headers,
    mapping,
    rejected,
    matches,
    warnings,
    badChecks: rejected.some((r) => r.problems.some((p) => p.message.key === 'uscc.check')),
  }
}

/** `intent`: the form that was sent, whose button the errors are summed up at. */
type ActionData = { intent?: string; formError?: Message; errors?: FieldErrors }

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'imports:run')
  const job = await getImportJobInScope(context.db, userScope(user), idParam(params.id))
  if (!job) throw notFound()
  const form = await request.formData()
  const intent = String(form.get('intent') ?? 'commit')
  try {
    if (form.get('intent') === 'delete') {
      const parsed = parseForm(form, deleteImportJobSchema)
      if (!parsed.ok) return data<ActionData>({ intent, errors: parsed.errors }, { status: 400 })
      await deleteImportJob(context.db, { actor: actorOf(user, context), scope: userScope(user) }, { jobId: job.id, uploadDir: context.config.uploadDir })
      return redirect(`/imports?deleted=${job.id}`)
    }
    if (form.get('intent') === 'mapping') {
      const headers = job.headers ? (JSON.parse(job.headers) as string[]) : []
      const answers: Record<string, ListColumn | 'ignore'> = {}
      const reset: string[] = []
      headers.forEach((header, i) => {
        const value = form.get(`column-${i}`)
        if (form.get(`reset-${i}`) === '1') reset.push(normaliseHeader(header))
        else if (typeof value === 'string' && (value === 'ignore' || (LIST_COLUMNS as readonly string[]).includes(value))) {
          answers[normaliseHeader(header)] = value as ListColumn | 'ignore'
        }
      })
      await saveImportMapping(context.db, actorOf(user, context), job.id, answers, reset)
      return {} satisfies ActionData
    }
    if (form.get('intent') === 'options') {
      await setImportOptions(context.db, actorOf(user, context), job.id, { acceptBadCheck: form.get('acceptBadCheck') === '1' })
      return {} satisfies ActionData
    }
    await queueImportJob(context.db, actorOf(user, context), job.id, {
      // What the preview showed: the option is set (and previewed) before the commit.
      acceptBadCheck: job.accept_bad_check === 1,
      mergeHouseholds: form.get('mergeHouseholds') === '1',
    })
    return {} satisfies ActionData
  } catch (error) {
    const { status, formError } = toFormError(error)
    return data<ActionData>({ intent, formError }, { status })
  }
}

export default function ImportJobPage() {
  const { job, preview, canUnmask, error, headers, mapping, rejected, matches, warnings, badChecks } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  // A refusal shows at the button that was pressed.
  const errorOf = (intent: string) => (result?.intent === intent ? (result.formError ?? null) : null)
  const t = useT()
  const tm = useTranslateMessage()
  const revalidator = useRevalidator()
  const running = RUNNING.includes(job.status)

  // While the job runs, ask for its progress every second. The page may be closed: the job goes on.
  useEffect(() => {
    if (!running) return
    const timer = setInterval(() => {
      if (revalidator.state === 'idle') revalidator.revalidate()
    }, 1000)
    return () => clearInterval(timer)
  }, [running, revalidator])

  const committing = job.status === 'queued' || job.status === 'running'
  const total = committing ? job.expected_rows : null
  const percent = total ? Math.min(100, Math.round((job.rows_done / total) * 100)) : null

  return (
    <div className="stack">
      <p>
        <Link to="/imports">← {t('nav.imports')}</Link>
      </p>
      <h1>
        #{job.id} {job.file_name}
      </h1>
      <p className="muted">
        {t(`source.${job.source as 'tax'}`)} · {t(`importStatus.${job.status}`)}
        {job.format ? ` · ${job.format.toUpperCase()}${job.encoding ? ` (${job.encoding})` : ''}` : ''}
      </p>
      <ErrorList errors={error ? [error] : null} />

      {running ? (
        <section className="card" aria-live="polite">
          <h2>{committing ? t('import.committing') : t('import.previewing')}</h2>
          <progress max={total ?? undefined} value={total ? job.rows_done : undefined} aria-label={t('import.progress')} />
          <p data-testid="progress">
            {total
              ? t('import.progressKnown', { done: countText(job.rows_done), left: countText(Math.max(0, total - job.rows_done)), percent: percent ?? 0 })
              : t('import.progressRows', { done: countText(job.rows_done) })}
          </p>
          <p className="muted small">{t('import.canLeave')}</p>
        </section>
      ) : null}

      {job.status === 'needs_mapping' ? <p>{t('import.mappingHelp')}</p> : null}
      {job.status === 'needs_mapping' && !preview ? (
        <section className="card">
          <h2>{t('import.mappingTitle')}</h2>
          <p>{t('import.mappingHelp')}</p>
          <Form method="post" className="form-grid">
            <input type="hidden" name="intent" value="mapping" />
            {headers.map((header, i) =>
              mapping[i] ? null : (
                <SelectField
                  key={i}
                  label={header || t('import.blankHeader', { n: i + 1 })}
                  name={`column-${i}`}
                  defaultValue="ignore"
                  options={[{ value: 'ignore', label: t('import.ignoreColumn') }, ...LIST_COLUMNS.map((c) => ({ value: c, label: t(`column.${c}`) }))]}
                />
              ),
            )}
            <FormErrorSummary formError={errorOf('mapping')} />
            <button type="submit" className="primary">
              {t('import.saveMapping')}
            </button>
          </Form>
        </section>
      ) : null}

      {!running && job.status !== 'needs_mapping' && job.status !== 'uploaded' ? (
        <section className="card" aria-labelledby="summary">
          <h2 id="summary">{job.status === 'previewed' ? t('import.previewTitle') : t('import.summaryTitle')}</h2>
          <dl className="counts">
            {(
              [
                ['import.rows', job.total_rows],
                ['import.inserted', job.inserted],
                ['import.updated', job.updated],
                ['import.unchanged', job.unchanged],
                ['import.rejected', job.rejected],
                ['import.warnings', job.warnings],
                ['import.matches', job.matches],
              ] as const
            ).map(([key, value]) => (
              <div key={key} data-testid={key}>
                <dt>{t(key)}</dt>
                <dd>{countText(value)}</dd>
              </div>
            ))}
          </dl>
          {job.status === 'previewed' && preview && preview.columns.some((c) => c.how === 'unknown') ? (
            <p data-testid="unknown-columns">
              {t('import.unknownColumns', { columns: preview.columns.filter((c) => c.how === 'unknown').map((c) => `${c.column} ${c.header}`).join(', ') })}
            </p>
          ) : null}
          {job.status === 'previewed' && (badChecks || job.accept_bad_check === 1) ? (
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="options" />
              <label className="checkbox-field">
                <input type="checkbox" name="acceptBadCheck" value="1" defaultChecked={job.accept_bad_check === 1} /> {t('import.acceptBadCheck')}
              </label>
              <FormErrorSummary formError={errorOf('options')} />
              <button type="submit" className="secondary">
                {t('import.previewAgain')}
              </button>
            </Form>
          ) : null}
          {job.status === 'previewed' ? (
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="commit" />
              {job.matches > 0 ? (
                <label className="checkbox-field">
                  <input type="checkbox" name="mergeHouseholds" value="1" defaultChecked /> {t('import.mergeHouseholds', { n: job.matches })}
                </label>
              ) : (
                <input type="hidden" name="mergeHouseholds" value="1" />
              )}
              <FormErrorSummary formError={errorOf('commit')} />
              <button type="submit" className="primary">
                {t('import.commit')}
              </button>
            </Form>
          ) : null}
          {(job.channel === 'working_group' || job.channel === 'credit_platform') && job.status === 'done' ? (
            <p>
              {t(`channel.${job.channel}`)}: {job.channel_group} ·{' '}
              <a href={`/imports/${job.id}/feedback.xlsx`} download data-testid="feedback-export">
                {t('feedback.export')}
              </a>
            </p>
          ) : null}
          {job.rejected > 0 ? (
            <p>
              <a href={`/imports/${job.id}/rejected.csv`} download>
                {t('import.downloadRejected')}
              </a>
              {canUnmask ? (
                <>
                  {' · '}
                  <a href={`/imports/${job.id}/rejected.csv?unmask=1`} download>
                    {t('import.unmaskRejected')}
                  </a>
                </>
              ) : null}
            </p>
          ) : null}
        </section>
      ) : null}

      {preview && !running ? <PreviewColumns preview={preview} t={t} editable={job.status === 'previewed' || job.status === 'needs_mapping'} formError={errorOf('mapping')} /> : null}
      {preview && !running ? <PreviewRows preview={preview} t={t} tm={tm} /> : null}
      {rejected.length > 0 ? <IssueTable title={t('import.rejectedRows')} rows={rejected} tm={tm} t={t} /> : null}
      {matches.length > 0 ? <IssueTable title={t('import.matchRows')} rows={matches} tm={tm} t={t} linkPlayers /> : null}
      {warnings.length > 0 ? <IssueTable title={t('import.warningRows')} rows={warnings} tm={tm} t={t} /> : null}
      {isDeletableImportStatus(job.status) ? (
        <section className="card stack" aria-labelledby="delete-job">
          <h2 id="delete-job">{t('import.deleteTitle')}</h2>
          <p className="muted">{t('import.deleteHelp')}</p>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="delete" />
            <label className="checkbox-field">
              <input type="checkbox" name="confirm" value="yes" required aria-invalid={result?.errors?.confirm ? true : undefined} aria-describedby="delete-confirm-errors" />{' '}
              {t('import.deleteConfirm', { id: job.id })}
            </label>
            <ErrorList id="delete-confirm-errors" errors={result?.errors?.confirm} />
            <FormErrorSummary errors={result?.intent === 'delete' ? result.errors : null} formError={errorOf('delete')} />
            <button type="submit" className="danger">
              {t('import.delete')}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  )
}

function IssueTable({
  title,
  rows,
  t,
  tm,
  linkPlayers,
}: {
  title: string
  rows: { row: number; playerId: number | null; problems: { column: string; message: Message }[] }[]
  t: ReturnType<typeof useT>
  tm: (m: Message) => string
  linkPlayers?: boolean
}) {
  return (
    <section className="card">
      <h2>{title}</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th className="num">{t('import.row')}</th>
              <th>{t('import.column')}</th>
              <th>{t('import.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.flatMap((r) =>
              r.problems.map((p, i) => (
                <tr key={`${r.row}-${i}`}>
                  <td className="num">{countText(r.row)}</td>
                  <td>{p.column}</td>
                  <td>
                    {tm(p.message)}
                    {linkPlayers && r.playerId ? (
                      <>
                        {' '}
                        <Link to={`/players/${r.playerId}`}>#{r.playerId}</Link>
                      </>
                    ) : null}
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </section>
  )
}
