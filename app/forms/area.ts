// The forms of /admin/areas, one zod schema each, shared by server and browser.
import { z } from 'zod'
import { msg, requiredText } from './fields'

/** Division codes or names, separated by commas, spaces or 、. */
export const loadDivisionsSchema = z.object({
  divisions: requiredText(2000).transform((text) => text.split(/[,，、;；\s]+/).filter(Boolean)),
})

const coordinate = (min: number, max: number) =>
  z
    .string({ required_error: msg('validation.required') })
    .trim()
    .min(1, msg('validation.required'))
    .pipe(
      z.coerce
        .number({ invalid_type_error: msg('areas.coordinate', { min, max }) })
        .min(min, msg('areas.coordinate', { min, max }))
        .max(max, msg('areas.coordinate', { min, max })),
    )

export const townshipCentreSchema = z.object({
  code: z.string({ required_error: msg('validation.choice') }).regex(/^\d{9}$/, msg('validation.choice')),
  lat: coordinate(-90, 90),
  lng: coordinate(-180, 180),
})

export const boundaryPropertySchema = z.object({
  property: z.string().trim().max(100, msg('validation.tooLong', { max: 100 })).optional(),
})
