// The form for entering or correcting a market player; its field names are the list columns.
import { Form } from '@remix-run/react'
import type { FieldErrors } from '../forms/fields'
import { INDUSTRY_SECTIONS, LOAN_HISTORIES, PLAYER_KINDS, REGISTRATION_STATUSES, TAX_GRADES } from '../domain/market-player'
import { industrySectionName } from '../domain/industry'
import type { Message } from '../i18n/index'
import { useLocale, useT } from '../i18n/use-t'
import { ErrorList, Field, SelectField } from './field'
import { FormErrorSummary } from './form-error-summary'

export function PlayerForm({
  values,
  errors,
  formError,
  submitLabel,
  maskedPhone,
  maskedIdNumber,
}: {
  values: Record<string, string>
  errors?: FieldErrors
  formError?: Message
  submitLabel: string
  maskedPhone?: string | null
  maskedIdNumber?: string | null
}) {
  const t = useT()
  const locale = useLocale()
  const text = (name: string, props: Record<string, unknown> = {}) => (
    <Field label={t(`column.${name}` as 'column.uscc')} name={name} defaultValue={values[name] ?? ''} errors={errors?.[name]} {...props} />
  )
  const choose = (name: string, options: { value: string; label: string }[]) => (
    <SelectField label={t(`column.${name}` as 'column.uscc')} name={name} defaultValue={values[name] ?? ''} options={[{ value: '', label: '—' }, ...options]} errors={errors?.[name]} />
  )
  return (
    <Form method="post" className="card form-grid" noValidate>
      <ErrorList errors={formError ? [formError] : null} />
      {text('name', { required: true, maxLength: 200 })}
      {choose('kind', PLAYER_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })))}
      {text('uscc', { maxLength: 30, autoCapitalize: 'characters' })}
      {text('legalRepresentative', { maxLength: 60 })}
      {text('owner', { maxLength: 60 })}
      {text('phone', { type: 'tel', inputMode: 'tel', placeholder: maskedPhone ?? '' })}
      {text('idNumber', { placeholder: maskedIdNumber ?? '' })}
      {choose('industry', INDUSTRY_SECTIONS.map((s) => ({ value: s, label: `${s} ${industrySectionName(s, locale)}` })))}
      {text('employees', { inputMode: 'numeric' })}
      {text('revenue', { inputMode: 'decimal' })}
      {text('assets', { inputMode: 'decimal' })}
      {text('registeredOn', { type: 'date' })}
      {choose('registrationStatus', REGISTRATION_STATUSES.map((s) => ({ value: s, label: t(`registrationStatus.${s}`) })))}
      {text('address', { maxLength: 300 })}
      {text('areaCode', { inputMode: 'numeric', maxLength: 12 })}
      {text('lat', { inputMode: 'decimal' })}
      {text('lng', { inputMode: 'decimal' })}
      {choose('taxGrade', TAX_GRADES.map((g) => ({ value: g, label: g })))}
      {choose('loanHistory', LOAN_HISTORIES.filter((l) => l !== 'unknown').map((l) => ({ value: l, label: t(`loanHistory.${l}`) })))}
      {text('loanCheckedOn', { type: 'date' })}
      <div className="field checkbox-field">
        <label>
          <input type="checkbox" name="acceptBadCheck" value="1" defaultChecked={values.acceptBadCheck === '1'} /> {t('player.acceptBadCheck')}
        </label>
      </div>
      <FormErrorSummary errors={errors} />
      <button type="submit" className="primary">
        {submitLabel}
      </button>
    </Form>
  )
}
