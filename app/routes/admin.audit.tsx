// Admin: the audit log, newest first, filtered by who, what, which record, when (China days)
// and from which address, fifty to a page. The filter lives in the URL, so a view can be
// shared as a link and exported as it stands. The log itself cannot be changed from here
// or anywhere (migration 0009).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { AUDIT_FILTER_PARAMS, auditCursorFromSearch, auditFilterFromSearch } from '../forms/audit-filter'
import { Field, SelectField } from '../components/field'
import { FormErrorSummary } from '../components/form-error-summary'
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, detailLines, displayAddress } from '../domain/audit-actions'
import type { FieldErrors } from '../forms/fields'
import { requirePermission } from '../http/guards.server'
import { isMessageKey, type MessageKey } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { chinaTimeText } from '../domain/china-time'
import { listAuditActors, listAuditEntries } from '../services/audit.server'
import { DateField } from '../components/date-field'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'audit:view')
  const params = new URL(request.url).searchParams
  const filter = auditFilterFromSearch(params)
  const actors = await listAuditActors(context.db)
  if (!filter.ok) return data({ errors: filter.errors as FieldErrors | null, entries: [], nextBefore: null, actors }, { status: 400 })
  const page = await listAuditEntries(context.db, filter.data, { before: auditCursorFromSearch(params) })
  return {
    actors,
    errors: null as FieldErrors | null,
    entries: page.entries.map((e) => ({
      id: e.id,
      at: e.at,
      atChina: chinaTimeText(e.at, { seconds: true }),
      actor: e.actor_username,
      action: e.action,
      entityType: e.entity_type,
      entityId: e.entity_id,
      ip: displayAddress(e.ip),
      detail: e.detail,
    })),
    nextBefore: page.nextBefore,
  }
}

const MORE_FILTERS = ['entityType', 'entityId', 'from', 'to', 'ip'] as const

/** A code in words where the catalogue has it (`audit.act.sign_in` → 登录), else the code. */
function useWords() {
  const t = useT()
  return (prefix: 'audit.act' | 'audit.type' | 'audit.key', code: string) => {
    const key = `${prefix}.${code}`
    return isMessageKey(key) ? t(key as MessageKey) : code
  }
}

export default function AuditLog() {
  const t = useT()
  const words = useWords()
  const { errors, entries, nextBefore, actors } = useLoaderData<typeof loader>()
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
          <SelectField
            label={t('audit.actor')}
            name="actor"
            defaultValue={value('actor')}
            errors={errors?.actor}
            options={[{ value: '', label: t('audit.anyActor') }, ...actors.map((a) => ({ value: a.username, label: a.name === a.username ? a.username : `${a.name}（${a.username}）` }))]}
          />
          <SelectField
            label={t('audit.action')}
            name="action"
            defaultValue={value('action')}
            errors={errors?.action}
            options={[{ value: '', label: t('audit.anyAction') }, ...AUDIT_ACTIONS.map((a) => ({ value: a, label: words('audit.act', a) }))]}
          />
        </div>
        {/* The rarer filters fold away on a phone, open when one is set (or wrong). */}
        <details open={MORE_FILTERS.some((name) => value(name) !== '' || errors?.[name])}>
          <summary>{t('audit.moreFilters')}</summary>
          <div className="form-grid">
            <SelectField
              label={t('audit.entityType')}
              name="entityType"
              defaultValue={value('entityType')}
              errors={errors?.entityType}
              options={[{ value: '', label: t('audit.anyType') }, ...AUDIT_ENTITY_TYPES.map((e) => ({ value: e, label: words('audit.type', e) }))]}
            />
            <Field label={t('audit.entityId')} name="entityId" type="search" autoCapitalize="none" maxLength={80} defaultValue={value('entityId')} errors={errors?.entityId} />
            <DateField label={t('audit.from')} name="from" defaultValue={value('from')} errors={errors?.from} />
            <DateField label={t('audit.to')} name="to" defaultValue={value('to')} errors={errors?.to} />
            <Field label={t('audit.ip')} name="ip" type="search" autoCapitalize="none" maxLength={45} defaultValue={value('ip')} errors={errors?.ip} />
          </div>
        </details>
        <FormErrorSummary errors={errors} />
        <button type="submit" className="primary">
          {t('common.search')}
        </button>
      </Form>

      <p className="muted small">{t('audit.timeZone')}</p>
      {entries.length === 0 ? (
        <p className="empty-state">{t('audit.none')}</p>
      ) : (
        // Cards rather than a table: eight columns do not fit a phone.
        <ol className="player-list" aria-label={t('audit.title')}>
          {entries.map((e) => (
            <li key={e.id} className="card player-card" data-audit-id={e.id}>
              <div className="player-card-head">
                <strong style={{ overflowWrap: 'anywhere' }} title={e.action}>
                  {words('audit.act', e.action)}
                </strong>
                <time dateTime={e.at} className="muted small">
                  {e.atChina}
                </time>
              </div>
              <div className="small" style={{ overflowWrap: 'anywhere' }}>{`${t('audit.actor')}：${e.actor ?? t('audit.unknownActor')} · ${t('audit.record')}：${words('audit.type', e.entityType)}${e.entityId ? ` #${e.entityId}` : ''} · ${t('audit.address')}：${e.ip ?? '—'}`}</div>
              {e.detail ? (
                <dl className="audit-detail small">
                  {detailLines(e.detail).map((line, i) => (
                    <div key={i}>
                      {line.key ? <dt>{words('audit.key', line.key)}</dt> : null}
                      <dd>{line.value}</dd>
                    </div>
                  ))}
                </dl>
              ) : null}
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
