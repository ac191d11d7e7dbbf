// One way to render a form field and its errors, with aria-invalid and a described-by link.
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react'
import type { Message } from '../i18n/index'
import { useTranslateMessage } from '../i18n/use-t'

export function ErrorList({ id, errors }: { id?: string; errors?: Message[] | null }) {
  const tm = useTranslateMessage()
  if (!errors?.length) return null
  return (
    <ul id={id} className="field-errors" role="alert">
      {errors.map((e, i) => (
        <li key={i}>{tm(e)}</li>
      ))}
    </ul>
  )
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: ReactNode
  name: string
  errors?: Message[] | null
}

export function Field({ label, errors, id, ...input }: FieldProps) {
  const fallbackId = useId()
  const inputId = id ?? fallbackId
  const errorId = errors?.length ? `${inputId}-error` : undefined
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} aria-invalid={errorId ? true : undefined} aria-describedby={errorId} {...input} />
      <ErrorList id={errorId} errors={errors} />
    </div>
  )
}

interface SelectFieldProps extends SelectHTMLAttributes<HTMLSelectElement> {
  label: ReactNode
  name: string
  errors?: Message[] | null
  options: { value: string | number; label: string }[]
}

export function SelectField({ label, errors, id, options, ...select }: SelectFieldProps) {
  const fallbackId = useId()
  const selectId = id ?? fallbackId
  const errorId = errors?.length ? `${selectId}-error` : undefined
  return (
    <div className="field">
      <label htmlFor={selectId}>{label}</label>
      <select id={selectId} aria-invalid={errorId ? true : undefined} aria-describedby={errorId} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <ErrorList id={errorId} errors={errors} />
    </div>
  )
}

/** What an action said: a success notice, and/or an error that belongs to no single field. */
export function ActionResult({ done, formError }: { done?: Message | null; formError?: Message | null }) {
  const tm = useTranslateMessage()
  return (
    <>
      {done ? (
        <p className="notice" role="status">
          {tm(done)}
        </p>
      ) : null}
      <ErrorList errors={formError ? [formError] : null} />
    </>
  )
}
