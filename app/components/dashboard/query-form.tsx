// The dashboard's query: the scope (a unit, and within it an officer, a territory or a
// township) and the period, sent as a GET so the view lives in the URL; and why a period
// was refused.
import { Form } from '@remix-run/react'
import type { DayProblem } from '../../domain/date-range'
import type { Period, PeriodKind } from '../../domain/figures'
import { useT } from '../../i18n/use-t'
import { DateInput } from '../date-field'

type Choice = { value: string | number; name: string }

export interface QueryFormData {
  unit: { code: string } | null
  officer: { id: number } | null
  territory: { id: number } | null
  township: { code: string } | null
  units: { code: string; name: string; depth: number }[]
  choices: { officers: { id: number; name: string }[]; territories: { id: number; name: string }[]; townships: { code: string; name: string }[] }
  kind: PeriodKind | 'range'
  period: Period
}

export function DashboardQueryForm({ data }: { data: QueryFormData }) {
  const t = useT()
  return (
    <Form method="get" className="toolbar dashboard-query">
      <label>
        {t('dashboard.scope')}{' '}
        <select name="scope" defaultValue={data.unit?.code ?? ''}>
          <option value="">{t('dashboard.allOfMine')}</option>
          {data.units.map((u) => (
            <option key={u.code} value={u.code}>
              {'\u00a0'.repeat(u.depth * 2)}
              {u.name}
            </option>
          ))}
        </select>
      </label>
      <Narrowing label={t('dashboard.officer')} all={t('dashboard.allOfficers')} name="officer" chosen={data.officer?.id} choices={data.choices.officers.map((o) => ({ value: o.id, name: o.name }))} />
      <Narrowing label={t('dashboard.territory')} all={t('dashboard.allTerritories')} name="territory" chosen={data.territory?.id} choices={data.choices.territories.map((o) => ({ value: o.id, name: o.name }))} />
      <Narrowing label={t('dashboard.township')} all={t('dashboard.allTownships')} name="township" chosen={data.township?.code} choices={data.choices.townships.map((o) => ({ value: o.code, name: o.name }))} />
      <label>
        {t('dashboard.period')}{' '}
        <select name="period" defaultValue={data.kind}>
          {(['month', 'quarter', 'year', 'range'] as const).map((k) => (
            <option key={k} value={k}>
              {t(`dashboard.period.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('dashboard.from')} <DateInput name="from" defaultValue={data.kind === 'range' ? data.period.from : ''} />
      </label>
      <label>
        {t('dashboard.to')} <DateInput name="to" defaultValue={data.kind === 'range' ? data.period.to : ''} />
      </label>
      <button type="submit">{t('common.apply')}</button>
    </Form>
  )
}

/** A pick-list narrowing the scope (an officer, a territory, a township); none when there is nothing to pick. */
function Narrowing({ label, all, name, chosen, choices }: { label: string; all: string; name: string; chosen: string | number | undefined; choices: Choice[] }) {
  if (choices.length === 0) return null
  return (
    <label>
      {label}{' '}
      <select name={name} defaultValue={chosen ?? ''}>
        <option value="">{all}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  )
}

/** Why the period asked for was refused, field by field (the page shows this month instead). */
export function PeriodErrors({ errors }: { errors: { field: string; problem: DayProblem }[] | null }) {
  const t = useT()
  if (!errors) return null
  return (
    <div className="field-errors" role="alert">
      <p>{t('dashboard.badPeriod')}</p>
      <ul>
        {errors.map(({ field, problem }) => (
          <li key={field}>
            {t(field === 'from' ? 'dashboard.from' : field === 'to' ? 'dashboard.to' : 'dashboard.period')}: {t(`period.${problem}`)}
          </li>
        ))}
      </ul>
    </div>
  )
}
