// Admin: the audit log, newest first, filtered by who, what, which record, when (China days)
// and from which address, fifty to a page. The filter lives in the URL, so a view can be
// shared as a link and exported as it stands. The log itself cannot be changed from here
// or anywhere (migration 0009).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { AUDIT_FILTER_PARAMS, auditCursorFromSearch, auditFilterFromSearch } from '../forms/audit-filter'
import { Field } from '../components/field'
import type { FieldErrors } from '../forms/fields'
import { requirePermission } from '../http/guards.server'
import { useT } from '../i18n/use-t'
import { chinaTimeText } from '../domain/china-time'
import { listAuditEntries } from '../services/audit.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'audit:view')
  const params = new URL(request.url).searchParams
  const filter = auditFilterFromSearch(params)
  if (!filter.ok) return data({ errors: filter.errors as FieldErrors | null, entries: [], nextBefore: null }, { status: 400 })
  const page = await listAuditEntries(context.db, filter.data, { before: auditCursorFromSearch(params) })
  return {
    errors: null as FieldErrors | null,
    entries: page.entries.map((e) => ({
      id: e.id,
      at: e.at,
      atChina: chinaTimeText(e.at, { seconds: true }),
      actor: e.actor_username,
      action: e.action,
      entityType: e.entity_type,
      entityId: e.entity_id,
      ip: e.ip,
      detail: e.detail,
    })),
    nextBefore: page.nextBefore,
  }
}

const MORE_FILTERS = ['entityType', 'entityId', 'from', 'to', 'ip'] as const

export default function AuditLog() {
  const t = useT()
  const { errors, entries, nextBefore } = useLoaderData<typeof loader>()
  const [params] = useSearchParams()
  const value = (name: string) => params.get(name) ?? ''
  const filterParams = new URLSearchParams()
  for (const name of AUDIT_FILTER_PARAMS) if (value(name)) filterParams.set(name, value(name))
  const nextParams = new URLSearchParams(filterParams)
  if (nextBefore !== null) nextParams.set('before', String(nextBefore))
  const exportQuery = filterParams.toString()
  return (
    <div className="stack">
      <div className="title-row">
        <h1>{t('audit.title')}</h1>
        {errors ? null : (
          <a href={`/admin/audit.csv${exportQuery ? `?${exportQuery}` : ''}`} className="button-link" download>
            {t('audit.export')}
          </a>
        )}
      </div>
      <p className="muted">{t('audit.intro')}</p>

      <Form method="get" className="card filters" role="search" aria-label={t('audit.filter')}>
        <div className="form-grid">
          <Field label={t('audit.actor')} name="actor" type="search" autoCapitalize="none" maxLength={40} defaultValue={value('actor')} errors={errors?.actor} />
          <Field label={t('audit.action')} name="action" type="search" autoCapitalize="none" maxLength={80} placeholder={t('audit.actionHint')} defaultValue={value('action')} errors={errors?.action} />
        </div>
        {/* The rarer filters fold away on a phone, open when one is set (or wrong). */}
        <details open={MORE_FILTERS.some((name) => value(name) !== '' || errors?.[name])}>
          <summary>{t('audit.moreFilters')}</summary>
          <div className="form-grid">
            <Field label={t('audit.entityType')} name="entityType" type="search" autoCapitalize="none" maxLength={40} defaultValue={value('entityType')} errors={errors?.entityType} />
            <Field label={t('audit.entityId')} name="entityId" type="search" autoCapitalize="none" maxLength={80} defaultValue={value('entityId')} errors={errors?.entityId} />
            <Field label={t('audit.from')} name="from" type="date" defaultValue={value('from')} errors={errors?.from} />
            <Field label={t('audit.to')} name="to" type="date" defaultValue={value('to')} errors={errors?.to} />
            <Field label={t('audit.ip')} name="ip" type="search" autoCapitalize="none" maxLength={45} defaultValue={value('ip')} errors={errors?.ip} />
          </div>
        </details>
        <button type="submit" className="primary">
          {t('common.search')}
        </button>
      </Form>

      <p className="muted small">{t('audit.timeZone')}</p>
      {entries.length === 0 ? (
        <p className="card muted">{t('audit.none')}</p>
      ) : (
        // Cards rather than a table: eight columns do not fit a phone.
        <ol className="player-list" aria-label={t('audit.title')}>
          {entries.map((e) => (
            <li key={e.id} className="card player-card" data-audit-id={e.id}>
              <div className="player-card-head">
                <strong style={{ overflowWrap: 'anywhere' }}>{e.action}</strong>
                <time dateTime={e.at} className="muted small">
                  {e.atChina}
                </time>
              </div>
              <div className="small" style={{ overflowWrap: 'anywhere' }}>{`${t('audit.actor')}：${e.actor ?? t('audit.unknownActor')} · ${t('audit.record')}：${e.entityType}${e.entityId ? ` #${e.entityId}` : ''} · ${t('audit.address')}：${e.ip ?? '—'}`}</div>
              {e.detail ? <code className="muted small" style={{ display: 'block', overflowWrap: 'anywhere' }}>
                  {e.detail}
                </code> : null}
            </li>
          ))}
        </ol>
      )}
      <nav className="pager" aria-label={t('audit.pages')}>
        {params.get('before') ? <Link to={`?${filterParams}`}>{t('audit.firstPage')}</Link> : <span />}
        {nextBefore !== null ? (
          <Link to={`?${nextParams}`} rel="next">
            {t('audit.nextPage')}
          </Link>
        ) : null}
      </nav>
    </div>
  )
}
