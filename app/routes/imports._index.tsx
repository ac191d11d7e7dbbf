// Imports: upload a list, and the jobs run so far with their outcome.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import fs from 'node:fs'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { ErrorList, Field, SelectField } from '../components/field'
import { FormErrorSummary } from '../components/form-error-summary'
import { LIST_CHANNELS, parseListChannel } from '../domain/clocks'
import { actorOf, requirePermission, userScope } from '../http/guards.server'
import { SPREADSHEET_ACCEPT, type FieldErrors } from '../forms/fields'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { IMPORT_SOURCES, type ImportSource } from '../domain/import-sources'
import { createImportJob, listImportJobs } from '../services/import/import-jobs.server'
import { DEFAULT_LIMITS } from '../services/import/read-table.server'
import { receiveUpload } from '../http/receive-upload.server'
import { chinaTimeText, todayInChina } from '../domain/china-time'
import { countText } from '../domain/number-text'
import { DateField } from '../components/date-field'
import { CardTable } from '../components/card-table'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'imports:run')
  // Where a deleted job's page sends the manager: said once, by the job's number.
  const deleted = Number(new URL(request.url).searchParams.get('deleted'))
  return {
    jobs: await listImportJobs(context.db, userScope(user)),
    maxMb: Math.round(DEFAULT_LIMITS.maxBytes / 1024 / 1024),
    deleted: Number.isSafeInteger(deleted) && deleted > 0 ? deleted : null,
  }
}

// Each refusal names the field it is about: shown beside it and summed up at the button.
type ActionData = { errors: FieldErrors; values?: Record<string, string> }

const refused = (field: string, message: Message, values?: Record<string, string>) => ({ errors: { [field]: [message] }, values })

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'imports:run')
  // Uploaded lists hold personal data in clear: only the server's own user may read them.
  fs.mkdirSync(context.config.uploadDir, { recursive: true, mode: 0o700 })
  const maxMb = Math.round(DEFAULT_LIMITS.maxBytes / 1024 / 1024)
  const upload = await receiveUpload(request, { directory: context.config.uploadDir, maxBytes: DEFAULT_LIMITS.maxBytes, fileField: 'file' })
  if (!upload.ok) {
    if (upload.reason === 'tooLarge') return data<ActionData>(refused('file', { key: 'file.tooLarge', params: { sizeMb: `>${maxMb}`, maxMb } }), { status: 413 })
    // Not a multipart upload (a hand-made request, a broken client): nothing chosen.
    return data<ActionData>(refused('file', { key: 'import.chooseFile' }), { status: 400 })
  }
  const { file, fields } = upload
  // What was chosen is kept for the next try (the file itself cannot be).
  const values = { source: String(fields.source ?? ''), channel: String(fields.channel ?? ''), channelGroup: String(fields.channelGroup ?? ''), channelDate: String(fields.channelDate ?? '') }
  if (!file || file.size === 0) {
    if (file) await fs.promises.rm(file.path, { force: true })
    return data<ActionData>(refused('file', { key: file ? 'file.empty' : 'import.chooseFile' }, values), { status: 400 })
  }
  if (!(IMPORT_SOURCES as readonly string[]).includes(values.source)) {
    await fs.promises.rm(file.path, { force: true })
    return data<ActionData>(refused('source', { key: 'import.chooseSource' }, values), { status: 400 })
  }
  const channel = parseListChannel({ channel: fields.channel, group: fields.channelGroup, day: fields.channelDate })
  if (channel === 'missing') {
    await fs.promises.rm(file.path, { force: true })
    // The part missing: an unknown channel, else the list's name, else its date.
    const field = !(['', ...LIST_CHANNELS] as string[]).includes(values.channel) ? 'channel' : !values.channelGroup.trim() ? 'channelGroup' : 'channelDate'
    return data<ActionData>(refused(field, { key: 'import.channelNeeded' }, values), { status: 400 })
  }
  const id = await createImportJob(context.db, actorOf(user, context), {
    source: fields.source as ImportSource,
    // Any name the user's system gave it is shown as given; none at all gets a stand-in.
    fileName: file.name || `upload-${todayInChina()}`,
    filePath: file.path,
    fileBytes: file.size,
    orgUnitId: user.orgUnitId,
    channel,
  })
  return redirect(`/imports/${id}`)
}

export default function Imports() {
  const { jobs, maxMb, deleted } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const t = useT()
  const busy = useNavigation().state === 'submitting'
  return (
    <div className="stack">
      <h1>{t('nav.imports')}</h1>
      {deleted ? (
        <p role="status" data-testid="import-deleted">
          {t('import.deleted', { id: deleted })}
        </p>
      ) : null}
      <p>
        <Link to="/imports/history">{t('history.title')} →</Link>
      </p>
      <section className="card">
        <h2>{t('import.upload')}</h2>
        <Form method="post" encType="multipart/form-data" className="form-grid">
          <SelectField
            label={t('import.source')}
            name="source"
            defaultValue={result?.values?.source}
            errors={result?.errors.source}
            options={IMPORT_SOURCES.map((s) => ({ value: s, label: t(`source.${s}`) }))}
          />
          <SelectField
            label={t('import.channel')}
            name="channel"
            defaultValue={result?.values?.channel}
            errors={result?.errors.channel}
            options={LIST_CHANNELS.map((c) => ({ value: c, label: t(`import.channel.${c}`) }))}
          />
          <Field label={t('import.channelGroup')} name="channelGroup" maxLength={100} defaultValue={result?.values?.channelGroup} errors={result?.errors.channelGroup} />
          <DateField label={t('import.channelDate')} name="channelDate" defaultValue={result?.values?.channelDate} errors={result?.errors.channelDate} />
          <div className="field">
            <label htmlFor="file">{t('import.file')}</label>
            <input
              id="file"
              name="file"
              type="file"
              required
              accept={SPREADSHEET_ACCEPT}
              aria-invalid={result?.errors.file ? true : undefined}
              aria-describedby={result?.errors.file ? 'file-error' : undefined}
            />
            <ErrorList id="file-error" errors={result?.errors.file} />
            <p className="muted small">
              {t('import.fileHint', { maxMb })}{' '}
              <a href="/imports/template.csv" download data-testid="list-template">
                {t('import.template')}
              </a>
            </p>
          </div>
          <FormErrorSummary errors={result?.errors} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('import.uploading') : t('import.uploadAndPreview')}
          </button>
        </Form>
      </section>
      <section className="card">
        <h2>{t('import.jobs')}</h2>
        <CardTable
          rows={jobs}
          rowKey={(j) => j.id}
          empty={t('import.noneYet')}
          emptyTestId="no-imports"
          columns={[
            { header: '#', label: false, cell: (j) => <Link to={`/imports/${j.id}`}>#{j.id}</Link> },
            {
              header: t('import.file'),
              cell: (j) => (
                <>
                  <Link to={`/imports/${j.id}`}>{j.fileName}</Link>
                  <div className="muted small">
                    {chinaTimeText(j.createdAt)} · {j.byName ?? '—'}
                  </div>
                </>
              ),
            },
            { header: t('import.source'), cell: (j) => t(`source.${j.source as 'tax'}`) },
            { header: t('table.status'), cell: (j) => t(`importStatus.${j.status}`) },
            { header: t('import.rows'), className: 'num', cell: (j) => countText(j.totalRows) },
            { header: t('import.inserted'), className: 'num', cell: (j) => j.inserted },
            { header: t('import.updated'), className: 'num', cell: (j) => j.updated },
            { header: t('import.rejected'), className: 'num', cell: (j) => j.rejected },
            { header: t('table.orgUnit'), cell: (j) => j.orgName },
          ]}
        />
      </section>
    </div>
  )
}
