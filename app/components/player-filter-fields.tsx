// The registry's filters as form fields, read from and written to the URL (see
// app/forms/player-filter.ts): the list, the map and the territories page share them.
import { useSearchParams } from '@remix-run/react'
import { CANDIDATE_STATUSES } from '../domain/first-lender'
import { QUALIFICATIONS } from '../domain/products'
import { industrySectionName } from '../domain/industry'
import { CAMPAIGN_STATUSES, INDUSTRY_SECTIONS, LOAN_HISTORIES, PLAYER_KINDS, SIZE_CLASSES, TAX_GRADES } from '../domain/market-player'
import { useLocale, useT } from '../i18n/use-t'
import { SelectField } from './field'

export type PlayerFilterName = 'kind' | 'township' | 'industry' | 'size' | 'grade' | 'loan' | 'status' | 'candidate' | 'qualification' | 'officer' | 'unassigned'

export function PlayerFilterFields({
  only,
  townships = [],
  officers = [],
}: {
  only: readonly PlayerFilterName[]
  townships?: { code: string; name: string }[]
  officers?: { id: number; name: string }[]
}) {
  const t = useT()
  const locale = useLocale()
  const [params] = useSearchParams()
  const any = { value: '', label: t('users.all') }
  const select = (name: PlayerFilterName, label: string, options: { value: string | number; label: string }[]) => (
    <SelectField key={name} label={label} name={name} defaultValue={params.get(name) ?? ''} options={[any, ...options]} />
  )
  const fields: Record<PlayerFilterName, () => JSX.Element> = {
    kind: () => select('kind', t('player.kind'), PLAYER_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))),
    township: () => select('township', t('player.township'), townships.map((tw) => ({ value: tw.code, label: tw.name }))),
    industry: () =>
      select('industry', t('player.industry'), INDUSTRY_SECTIONS.map((s) => ({ value: s, label: `${s} ${industrySectionName(s, locale)}` }))),
    size: () => select('size', t('player.sizeClass'), SIZE_CLASSES.map((s) => ({ value: s, label: t(`sizeClass.${s}`) }))),
    grade: () =>
      select('grade', t('player.taxGrade'), [...TAX_GRADES.map((g) => ({ value: g, label: g })), { value: 'unknown', label: t('taxGrade.unknown') }]),
    loan: () => select('loan', t('player.loanHistory'), LOAN_HISTORIES.map((l) => ({ value: l, label: t(`loanHistory.${l}`) }))),
    status: () => select('status', t('player.campaignStatus'), CAMPAIGN_STATUSES.map((s) => ({ value: s, label: t(`campaignStatus.${s}`) }))),
    qualification: () => select('qualification', t('player.qualification'), QUALIFICATIONS.map((s) => ({ value: s, label: t(`qualification.${s}`) }))),
    candidate: () => select('candidate', t('player.candidate'), CANDIDATE_STATUSES.map((s) => ({ value: s, label: t(`candidateStatus.${s}`) }))),
    officer: () => select('officer', t('player.officer'), officers.map((o) => ({ value: o.id, label: o.name }))),
    unassigned: () => (
      <div key="unassigned" className="field checkbox-field">
        <label>
          <input type="checkbox" name="unassigned" value="1" defaultChecked={params.get('unassigned') === '1'} /> {t('player.unassigned')}
        </label>
      </div>
    ),
  }
  return <>{only.map((name) => fields[name]())}</>
}
