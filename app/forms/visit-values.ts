// The visit form's values, read without zod, so the phone can queue a visit even when the
// schema (forms/visit.ts, loaded apart) has not reached it.

/** A form's values as the schema reads them: repeated obstacle boxes joined into one list. */
export function visitFormValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [key, value] of form) if (typeof value === 'string' && !(key in values)) values[key] = value
  values.obstacles = form.getAll('obstacles').filter((v): v is string => typeof v === 'string').join(',')
  return values
}
