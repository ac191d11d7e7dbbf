// Admin: the working-day calendar (days off and 调休 workdays per year, from the State
// Council's notice) and the number of days each channel's clock allows. A year a clock needs
// with no days entered is a warning at the top.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ActionResult, Field, SelectField } from '../components/field'
import { CLOCKS, type ClockSubject } from '../domain/clocks'
import { todayInChina } from '../domain/china-time'
import { choice, msg, parseForm, requiredText, type FieldErrors } from '../forms/fields'
import { actorOf, requirePermission } from '../http/guards.server'
import { toFieldOrFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { editCalendarDay, listCalendar } from '../services/clocks/edit-calendar.server'
import { listClockSettings, updateClockSetting } from '../services/clocks/update-clock-settings.server'
import { FormErrorSummary } from '../components/form-error-summary'
import { IntentButton } from '../components/intent-button'
import { DateField } from '../components/date-field'
import { CardTable } from '../components/card-table'

const SUBJECTS = ['working_group', 'loan_qr', 'credit_platform', 'own_list', 'referral'] as const satisfies readonly ClockSubject[]
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, msg('calendar.badDay'))
export const daySchema = z.object({ intent: z.literal('day'), day, kind: choice(['off', 'work'] as const), note: requiredText(100) })
const removeSchema = z.object({ intent: z.literal('remove'), day })
export const settingSchema = z.object({
  intent: z.literal('setting'),
  subject: choice(SUBJECTS),
  clock: choice(CLOCKS),
  days: z.coerce.number({ invalid_type_error: msg('clockSettings.badDays') }).int(msg('clockSettings.badDays')).min(1, msg('clockSettings.badDays')).max(365, msg('clockSettings.badDays')),
  unit: choice(['working', 'calendar'] as const),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'calendar:manage')
  const [calendar, settings] = await Promise.all([listCalendar(context.db, todayInChina()), listClockSettings(context.db)])
  return { ...calendar, settings }
}

type ActionData = { errors?: FieldErrors; formError?: Message; done?: Message; intent?: string }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'calendar:manage')
  const form = await request.formData()
  const intent = String(form.get('intent') ?? '')
  try {
    if (intent === 'setting') {
      const parsed = parseForm(form, settingSchema)
      if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, intent }, { status: 400 })
      await updateClockSetting(context.db, actorOf(user, context), { subject: parsed.data.subject, clock: parsed.data.clock, days: parsed.data.days, unit: parsed.data.unit })
      return { done: { key: 'clockSettings.saved' } } satisfies ActionData
    }
    if (intent === 'remove') {
      const parsed = parseForm(form, removeSchema)
      if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, intent }, { status: 400 })
      await editCalendarDay(context.db, actorOf(user, context), { day: parsed.data.day, kind: 'remove' })
      return { done: { key: 'calendar.removed' } } satisfies ActionData
    }
    const parsed = parseForm(form, daySchema)
    if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, intent: 'day' }, { status: 400 })
    await editCalendarDay(context.db, actorOf(user, context), parsed.data)
    return { done: { key: 'calendar.saved' } } satisfies ActionData
  } catch (error) {
    const { status, errors, formError } = toFieldOrFormError(error)
    return data<ActionData>({ errors, formError, intent }, { status })
  }
}

export default function AdminCalendar() {
  const t = useT()
  const { years, missingYears, settings } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const dayErrors = result?.intent === 'day' ? result.errors : undefined
  return (
    <div className="stack">
      <h1>{t('calendar.title')}</h1>
      <p className="muted">{t('calendar.intro')}</p>
      {missingYears.map((y) => (
        <p key={y} className="card flag" role="alert" data-testid="missing-year">
          {t('calendar.missingYear', { year: y })}
        </p>
      ))}
      <ActionResult done={result?.done} formError={result?.formError} />
      <Form method="post" className="card form-grid" aria-label={t('calendar.add')}>
        <input type="hidden" name="intent" value="day" />
        <DateField label={t('calendar.day')} name="day" required errors={dayErrors?.day} />
        <SelectField
          label={t('calendar.kind')}
          name="kind"
          options={[
            { value: 'off', label: t('calendar.kind.off') },
            { value: 'work', label: t('calendar.kind.work') },
          ]}
          errors={dayErrors?.kind}
        />
        <Field label={t('calendar.note')} name="note" required maxLength={100} errors={dayErrors?.note} />
        <FormErrorSummary errors={dayErrors} />
        <button type="submit" className="primary">
          {t('calendar.add')}
        </button>
      </Form>
      {years.length === 0 ? (
        <p className="empty-state" data-testid="no-calendar-days">
          {t('calendar.none')}
        </p>
      ) : null}
      {years.map((y) => (
        <details key={y.year} className="card" open={y.year === Number(new Date().getFullYear())}>
          <summary>{t('calendar.year', { year: y.year, count: y.days.length })}</summary>
          <CardTable
            rows={y.days}
            rowKey={(d) => d.day}
            rowProps={(d) => ({ 'data-day': d.day })}
            testId={`calendar-${y.year}`}
            columns={[
              { header: t('calendar.day'), title: true, cell: (d) => d.day },
              { header: t('calendar.kind'), cell: (d) => t(`calendar.kind.${d.kind}`) },
              { header: t('calendar.note'), cell: (d) => d.note },
              {
                header: '',
                label: false,
                cell: (d) => (
                  <IntentButton intent="remove" fields={{ day: d.day }} className="link-button danger">
                    {t('calendar.remove')}
                  </IntentButton>
                ),
              },
            ]}
          />
        </details>
      ))}
      <section className="card" aria-labelledby="settings">
        <h2 id="settings">{t('clockSettings.title')}</h2>
        <CardTable
          rows={settings}
          rowKey={(s) => `${s.channel}.${s.clock}`}
          rowProps={(s) => ({ 'data-setting': `${s.channel}.${s.clock}` })}
          columns={[
            { header: t('clockSettings.subject'), title: true, cell: (s) => t(`channel.${s.channel as 'loan_qr'}`) },
            { header: t('clockSettings.clock'), cell: (s) => t(`clocks.${s.clock}`) },
            {
              header: t('clockSettings.days'),
              cell: (s) => (
                <Form method="post" className="inline-form">
                  <input type="hidden" name="intent" value="setting" />
                  <input type="hidden" name="subject" value={s.channel} />
                  <input type="hidden" name="clock" value={s.clock} />
                  <input name="days" type="number" min={1} max={365} defaultValue={s.days} aria-label={t('clockSettings.days')} />
                  <select name="unit" defaultValue={s.unit} aria-label={t('clockSettings.unit')}>
                    <option value="working">{t('clockSettings.unit.working')}</option>
                    <option value="calendar">{t('clockSettings.unit.calendar')}</option>
                  </select>
                  <button type="submit">{t('common.save')}</button>
                </Form>
              ),
            },
          ]}
        />
        {result?.intent === 'setting' && result.errors ? <p className="field-errors">{Object.values(result.errors).flat().map((m) => t(m.key, m.params)).join(' ')}</p> : null}
      </section>
    </div>
  )
}
