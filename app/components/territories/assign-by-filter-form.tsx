// "All unassigned households in 城关镇 → this officer": assignment by the registry's filters.
import { Form } from '@remix-run/react'
import { SelectField } from '../field'
import { CANDIDATE_STATUSES } from '../../domain/first-lender'
import { CAMPAIGN_STATUSES, LOAN_HISTORIES, PLAYER_KINDS } from '../../domain/market-player'
import type { Message } from '../../i18n/index'
import { useT } from '../../i18n/use-t'

export function AssignByFilterForm({
  townships,
  officerOptions,
  busy,
  errorsOf,
  valueOf,
}: {
  townships: { code: string; name: string }[]
  officerOptions: { value: string | number; label: string }[]
  busy: boolean
  errorsOf: (intent: string, field: string) => Message[] | undefined
  valueOf: (intent: string, field: string) => string | undefined
}) {
  const t = useT()
  const any = { value: '', label: t('users.all') }
  return (
    <section className="card" aria-labelledby="assign-filter">
      <h2 id="assign-filter">{t('assign.byFilter')}</h2>
      <p className="muted small">{t('assign.byFilterHint')}</p>
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="assign-filter" />
        <div className="form-grid">
          <SelectField label={t('player.kind')} name="kind" defaultValue={valueOf('assign-filter', 'kind') ?? ''} options={[any, ...PLAYER_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))]} />
          <SelectField label={t('player.township')} name="township" defaultValue={valueOf('assign-filter', 'township') ?? ''} options={[any, ...townships.map((tw) => ({ value: tw.code, label: tw.name }))]} />
          <SelectField label={t('player.candidate')} name="candidate" defaultValue={valueOf('assign-filter', 'candidate') ?? ''} options={[any, ...CANDIDATE_STATUSES.map((s) => ({ value: s, label: t(`candidateStatus.${s}`) }))]} />
          <SelectField label={t('player.loanHistory')} name="loan" defaultValue={valueOf('assign-filter', 'loan') ?? ''} options={[any, ...LOAN_HISTORIES.map((l) => ({ value: l, label: t(`loanHistory.${l}`) }))]} />
          <SelectField label={t('player.campaignStatus')} name="status" defaultValue={valueOf('assign-filter', 'status') ?? ''} options={[any, ...CAMPAIGN_STATUSES.map((s) => ({ value: s, label: t(`campaignStatus.${s}`) }))]} />
          <div className="field checkbox-field">
            <label>
              <input type="checkbox" name="unassigned" value="1" defaultChecked={valueOf('assign-filter', 'unassigned') === '1'} /> {t('player.unassigned')}
            </label>
          </div>
          <SelectField label={t('territory.officer')} name="officerId" required defaultValue={valueOf('assign-filter', 'officerId') ?? ''} options={officerOptions} errors={errorsOf('assign-filter', 'officerId')} />
        </div>
        <div>
          <button type="submit" className="primary" disabled={busy}>
            {t('assign.submit')}
          </button>
        </div>
      </Form>
    </section>
  )
}
