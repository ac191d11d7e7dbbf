// The preview of a list beyond its counts: each column with the field it fills and sample
// values (a manager's choice can be changed or forgotten here), and the first rows as they
// will be stored. The data comes masked from the server (import-preview.server.ts).
import { Form } from '@remix-run/react'
import { LIST_COLUMNS } from '../domain/list-columns'
import { FormErrorSummary } from './form-error-summary'
import type { Message } from '../i18n/index'
import type { useT } from '../i18n/use-t'
import type { ImportPreview } from '../services/import/import-preview.server'

type T = ReturnType<typeof useT>

export function PreviewColumns({ preview, t, editable, formError }: { preview: ImportPreview; t: T; editable: boolean; formError?: Message | null }) {
  const changeable = (how: string) => how === 'unknown' || how === 'remembered' || how === 'ignored'
  return (
    <section className="card" aria-labelledby="preview-columns">
      <h2 id="preview-columns">{t('import.columnsTitle')}</h2>
      <Form method="post">
        <input type="hidden" name="intent" value="mapping" />
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('import.column')}</th>
                <th>{t('import.field')}</th>
                <th>{t('import.samples')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.columns.map((c) => (
                <tr key={c.index} data-testid={`column-${c.column}`}>
                  <td>
                    {c.column} · {c.header || '—'}
                  </td>
                  <td>
                    {c.field ? t(`column.${c.field}`) : null}
                    <div className="muted small">{t(`import.how.${c.how}`)}</div>
                    {editable && changeable(c.how) ? (
                      <div className="stack">
                        <label className="small">
                          {t('import.changeMapping')}{' '}
                          <select name={`column-${c.index}`} defaultValue={c.field ?? (c.how === 'ignored' ? 'ignore' : '')}>
                            <option value="">—</option>
                            <option value="ignore">{t('import.ignoreColumn')}</option>
                            {LIST_COLUMNS.map((f) => (
                              <option key={f} value={f}>
                                {t(`column.${f}`)}
                              </option>
                            ))}
                          </select>
                        </label>
                        {c.how !== 'unknown' ? (
                          <label className="checkbox-field small">
                            <input type="checkbox" name={`reset-${c.index}`} value="1" /> {t('import.resetMapping')}
                          </label>
                        ) : null}
                      </div>
                    ) : null}
                  </td>
                  <td className="small">{c.samples.join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {editable && preview.columns.some((c) => changeable(c.how)) ? (
          <>
            <FormErrorSummary formError={formError} />
            <button type="submit" className="secondary">
              {t('import.saveMapping')}
            </button>
          </>
        ) : null}
      </Form>
    </section>
  )
}

/** The stored fields shown, each under its catalogue label, its value in words where it is a code. */
const SHOWN_COLUMNS = [
  { field: 'name', label: 'column.name' },
  { field: 'uscc', label: 'column.uscc' },
  { field: 'kind', label: 'column.kind', words: 'kind' },
  { field: 'legal_representative', label: 'column.legalRepresentative' },
  { field: 'phone_masked', label: 'column.phone' },
  { field: 'registration_status', label: 'column.registrationStatus', words: 'registrationStatus' },
  { field: 'address', label: 'column.address' },
  { field: 'area_code', label: 'column.areaCode' },
  { field: 'size_class', label: 'player.sizeClass', words: 'sizeClass' },
  { field: 'tax_grade', label: 'column.taxGrade' },
] as const

function shownValue(t: T, column: (typeof SHOWN_COLUMNS)[number], value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  if (!('words' in column)) return String(value)
  return t(`${column.words}.${String(value)}` as 'kind.enterprise')
}

export function PreviewRows({ preview, t, tm }: { preview: ImportPreview; t: T; tm: (m: Message) => string }) {
  if (preview.rows.length === 0) return null
  const hasBasis = preview.rows.some((r) => r.stored && 'area_basis' in r.stored)
  return (
    <section className="card" aria-labelledby="preview-rows">
      <h2 id="preview-rows">{t('import.rowsTitle')}</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th className="num">{t('import.row')}</th>
              {SHOWN_COLUMNS.map((c) => (
                <th key={c.field}>{t(c.label)}</th>
              ))}
              {hasBasis ? <th>{t('column.areaBasis')}</th> : null}
              <th>{t('import.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r) => (
              <tr key={r.row} data-testid={`preview-row-${r.row}`}>
                <td className="num">{r.row}</td>
                {r.stored ? (
                  <>
                    {SHOWN_COLUMNS.map((c) => (
                      <td key={c.field}>{shownValue(t, c, r.stored?.[c.field])}</td>
                    ))}
                    {hasBasis ? <td>{r.stored.area_basis ? t(`player.areaBasis.${String(r.stored.area_basis)}` as 'player.areaBasis.uscc', { name: String(r.stored.area_code ?? '') }) : ''}</td> : null}
                  </>
                ) : (
                  <td colSpan={SHOWN_COLUMNS.length + (hasBasis ? 1 : 0)}>{t('import.refused')}</td>
                )}
                <td className="small">
                  {r.stored?.lead_to_verify ? <div>{t('import.leadFlag')}</div> : null}
                  {r.stored?.candidate_status ? <div>{t(`candidateStatus.${r.stored.candidate_status as 'candidate'}`)}</div> : null}
                  {r.problems.map((p, i) => (
                    <div key={i}>{tm(p.message)}</div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
