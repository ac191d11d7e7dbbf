// One day field for every form (decision 0621). A browser writes `<input type="date">` in its
// own locale (mm/dd/yyyy in an en-US Chromium), whatever the page's language; this field is a
// text box that always reads YYYY-MM-DD, the way a Chinese form writes a day and one no English
// reader can take the wrong way round. It posts YYYY-MM-DD before any script has run (the
// pattern stops anything else); once hydrated, a button beside it opens the browser's own date
// picker, and a day typed as 2026/12/4 or 2026年12月4日 is tidied to 2026-12-04.
import { useEffect, useRef, useState, type InputHTMLAttributes, type ReactNode } from 'react'
import { dayFromWriting } from '../domain/date-range'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { FieldFrame } from './field'

export const DAY_PATTERN = '\\d{4}-\\d{2}-\\d{2}'

type DateInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'value' | 'defaultValue' | 'onChange'> & {
  name: string
  /** Controlled: the day shown (YYYY-MM-DD or what is being typed), with `onValueChange`. */
  value?: string
  defaultValue?: string
  onValueChange?: (value: string) => void
  min?: string
  max?: string
}

/** The bare day box and its picker button; `DateField` adds a label and errors. */
export function DateInput({ value, defaultValue, onValueChange, min, max, onBlur, onKeyDown, className, ...input }: DateInputProps) {
  const t = useT()
  const textRef = useRef<HTMLInputElement>(null)
  const pickerRef = useRef<HTMLInputElement>(null)
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => setHydrated(true), [])

  const write = (day: string) => {
    if (onValueChange) onValueChange(day)
    else if (textRef.current) textRef.current.value = day
  }
  const tidy = () => {
    const text = textRef.current?.value ?? ''
    const day = dayFromWriting(text)
    if (day && day !== text) write(day)
  }
  const openPicker = () => {
    const picker = pickerRef.current
    if (!picker) return
    picker.value = dayFromWriting(textRef.current?.value ?? '') ?? ''
    try {
      picker.showPicker()
    } catch {
      picker.focus()
      picker.click()
    }
  }

  return (
    <span className={className ? `date-input ${className}` : 'date-input'}>
      <input
        ref={textRef}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        pattern={DAY_PATTERN}
        placeholder={t('common.dayFormat')}
        title={t('common.dayFormat')}
        maxLength={11}
        size={11}
        {...input}
        {...(value !== undefined ? { value, onChange: (e) => onValueChange?.(e.target.value) } : { defaultValue })}
        onBlur={(e) => {
          tidy()
          onBlur?.(e)
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') tidy()
          onKeyDown?.(e)
        }}
      />
      {hydrated ? (
        <>
          <button type="button" className="date-pick" aria-label={t('common.pickDay')} title={t('common.pickDay')} onClick={openPicker} disabled={input.disabled}>
            <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
              <path d="M5 1v3M15 1v3M2 6h16M3 3h14a1 1 0 0 1 1 1v13a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z" fill="none" stroke="currentColor" strokeWidth="1.6" />
            </svg>
          </button>
          <input ref={pickerRef} type="date" className="date-picker-native" tabIndex={-1} aria-hidden="true" min={min} max={max} onChange={(e) => e.target.value && write(e.target.value)} />
        </>
      ) : null}
    </span>
  )
}

/** A labelled day field with its errors, like `Field`. */
export function DateField({ label, errors, id, ...input }: DateInputProps & { label: ReactNode; errors?: Message[] | null }) {
  return (
    <FieldFrame label={label} errors={errors} id={id}>
      {(links) => <DateInput {...links} {...input} />}
    </FieldFrame>
  )
}
