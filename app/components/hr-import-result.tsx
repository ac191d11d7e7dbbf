// What an org or staff import found or did: the counts, each error and warning with its row
// and column, the columns not recognised, and (once, after a staff import) the new users'
// one-time passwords, with a CSV made in the page itself so that no copy stays on the server.
import type { ReactNode } from 'react'
import { Form, Link, useNavigation } from '@remix-run/react'
import { csvLine } from '../domain/csv'
import { SPREADSHEET_ACCEPT } from '../forms/fields'
import type { Message, MessageKey } from '../i18n/index'
import { useT, useTranslateMessage } from '../i18n/use-t'
import { FormErrorSummary } from './form-error-summary'

export interface IssueRow {
  row: number
  column: string | null
  message: Message
}

export interface HrResultView {
  applied: boolean
  rows: number
  created: number
  updated: number
  unchanged: number
  missing?: number
  deactivated?: number
  unknownColumns: string[]
  errors: IssueRow[]
  warnings?: IssueRow[]
  initialPasswords?: { row: number; username: string; name: string; password: string }[]
}

export function HrImportResult({ result }: { result: HrResultView }) {
  const t = useT()
  return (
    <section className="card stack" aria-live="polite" id="import-result">
      {result.errors.length > 0 ? (
        <p className="field-errors" role="alert">
          {t('hr.hasErrors', { count: result.errors.length })}
        </p>
      ) : (
        <p className="notice" role="status">
          {result.applied ? t('hr.applied') : t('hr.previewOk')}
        </p>
      )}
      <p>{t('hr.summary', { rows: result.rows, created: result.created, updated: result.updated, unchanged: result.unchanged })}</p>
      {result.missing !== undefined ? (
        <p>
          {t('hr.missingUsers', { count: result.missing })} {result.deactivated ? t('hr.deactivatedUsers', { count: result.deactivated }) : null}
        </p>
      ) : null}
      {result.unknownColumns.length > 0 ? <p className="muted">{t('hr.unknownColumns', { columns: result.unknownColumns.join(', ') })}</p> : null}
      <IssueTable title={t('hr.errorsTitle')} issues={result.errors} />
      <IssueTable title={t('hr.warningsTitle')} issues={result.warnings ?? []} />
      {result.initialPasswords && result.initialPasswords.length > 0 ? <InitialPasswords list={result.initialPasswords} /> : null}
    </section>
  )
}

function IssueTable({ title, issues }: { title: string; issues: IssueRow[] }) {
  const t = useT()
  const tm = useTranslateMessage()
  if (issues.length === 0) return null
  return (
    <>
      <h2>{title}</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('hr.row')}</th>
              <th>{t('hr.column')}</th>
              <th>{t('hr.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {issues.map((issue, i) => (
              <tr key={i}>
                <td>{issue.row}</td>
                <td>{issue.column ?? ''}</td>
                <td>{tm(issue.message)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

function InitialPasswords({ list }: { list: NonNullable<HrResultView['initialPasswords']> }) {
  const t = useT()
  const header = [t('hr.row'), t('table.username'), t('users.name'), t('hr.password')]
  const csv = '\uFEFF' + csvLine(header) + list.map((p) => csvLine([String(p.row), p.username, p.name, p.password])).join('')
  return (
    <>
      <h2>{t('hr.initialPasswords')}</h2>
      <p>
        <a className="button-link" href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`} download="initial-passwords.csv">
          {t('hr.downloadPasswords')}
        </a>
      </p>
      <div className="table-wrap">
        <table id="initial-passwords">
          <thead>
            <tr>
              {header.map((h) => (
                <th key={h}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.username}>
                <td>{p.row}</td>
                <td>{p.username}</td>
                <td>{p.name}</td>
                <td>
                  <code>{p.password}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

/**
 * The page both HR imports share: the file, what else the import asks (children), Preview and
 * Import, a link to the other import, and what the last answer found.
 */
export function HrImportPage(props: {
  id: string
  title: MessageKey
  intro: MessageKey
  other: { to: string; label: MessageKey }
  answer: { formError?: Message; result?: HrResultView } | undefined
  children?: ReactNode
}) {
  const t = useT()
  const busy = useNavigation().state === 'submitting'
  const { answer } = props
  return (
    <div className="stack">
      <h1>{t(props.title)}</h1>
      <section className="card stack">
        <p className="muted">{t(props.intro)}</p>
        <Form method="post" encType="multipart/form-data" className="form-grid">
          <div className="field">
            <label htmlFor={`${props.id}-file`}>{t('hr.file')}</label>
            <input id={`${props.id}-file`} type="file" name="file" accept={SPREADSHEET_ACCEPT} required />
          </div>
          {props.children}
          <FormErrorSummary formError={answer?.formError} />
          <div className="actions">
            <button type="submit" name="intent" value="preview" disabled={busy}>
              {t('hr.preview')}
            </button>
            <button type="submit" name="intent" value="apply" className="primary" disabled={busy}>
              {t('hr.apply')}
            </button>
          </div>
        </Form>
        <p>
          <Link to={props.other.to}>{t(props.other.label)}</Link>
        </p>
      </section>
      {answer?.result ? <HrImportResult result={answer.result} /> : null}
    </div>
  )
}
