// The consent forms: the signing screen (a drawn signature as a PNG data URL and its pen
// strokes as signature_pad's JSON, the position the phone gave), the withdrawal, and the
// admin's authorisation text. The service checks the signature's bytes again (a courtesy
// here, the rule there: domain/consent.ts).
import { z } from 'zod'
import { MAX_CONSENT_TEXT_CHARS, MAX_VALID_DAYS, SIGNER_ROLES } from '../domain/consent'
import { choice, msg, requiredText } from './fields'

const optionalCoordinate = (limit: number) =>
  z.preprocess((v) => (v === '' || v === null || v === undefined ? null : v), z.coerce.number().min(-limit).max(limit).nullable())

export const signConsentSchema = z.object({
  intent: z.literal('sign'),
  consentId: requiredText(64),
  textVersion: z.coerce.number().int().positive(),
  signerName: requiredText(50),
  signerRole: choice(SIGNER_ROLES),
  signature: z
    .string({ required_error: msg('consent.signature.empty') })
    .min(1, msg('consent.signature.empty'))
    .regex(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/, msg('consent.signature.notPng')),
  strokes: z.string({ required_error: msg('consent.signature.empty') }).min(2, msg('consent.signature.empty')),
  lat: optionalCoordinate(90),
  lng: optionalCoordinate(180),
  accuracy: z.preprocess((v) => (v === '' || v === null || v === undefined ? null : v), z.coerce.number().min(0).max(1e6).nullable()),
})

export const withdrawConsentSchema = z.object({
  intent: z.literal('withdraw'),
  consentId: requiredText(64),
  reason: requiredText(200),
})

export const consentTextSchema = z.object({
  body: requiredText(MAX_CONSENT_TEXT_CHARS),
  validDays: z.coerce
    .number({ invalid_type_error: msg('validation.wholeNumberBetween', { min: 1, max: MAX_VALID_DAYS }) })
    .int(msg('validation.wholeNumberBetween', { min: 1, max: MAX_VALID_DAYS }))
    .min(1, msg('validation.wholeNumberBetween', { min: 1, max: MAX_VALID_DAYS }))
    .max(MAX_VALID_DAYS, msg('validation.wholeNumberBetween', { min: 1, max: MAX_VALID_DAYS })),
  expectedVersion: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int().positive().nullable()),
})

