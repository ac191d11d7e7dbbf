// The consent forms: the signing screen (a drawn signature as a PNG data URL and its pen
// strokes as signature_pad's JSON, the position the phone gave), the consent a phone signed
// offline as POST /api/v1/consents takes it, the withdrawal, and the admin's authorisation text. The service checks the signature's bytes again (a courtesy
// here, the rule there: domain/consent.ts).
import { z } from 'zod'
import { CONSENT_ID, MAX_CONSENT_TEXT_CHARS, MAX_VALID_DAYS, POSITION_FIXES, SIGNER_ROLES } from '../domain/consent'
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

const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/

/**
 * A consent as the phone's outbox sends it (JSON): the id the phone made, the player, the text
 * version shown, who signed, the signature (a PNG data URL) and signature_pad's strokes, the
 * position with its accuracy and whether the fix was live or cached, and when it was signed
 * (ISO-8601 with its offset: the phone sends China time).
 */
export const consentPayloadSchema = z.object({
  id: z.string({ required_error: msg('validation.required') }).regex(CONSENT_ID, msg('consent.badId')),
  playerId: z.number({ required_error: msg('validation.required'), invalid_type_error: msg('validation.choice') }).int(msg('validation.choice')).positive(msg('validation.choice')),
  textVersion: z.number({ required_error: msg('validation.required'), invalid_type_error: msg('validation.choice') }).int(msg('validation.choice')).positive(msg('validation.choice')),
  signerName: requiredText(50),
  signerRole: choice(SIGNER_ROLES),
  signature: z.string({ required_error: msg('consent.signature.empty'), invalid_type_error: msg('consent.signature.notPng') }).regex(PNG_DATA_URL, msg('consent.signature.notPng')),
  strokes: z.array(z.unknown(), { required_error: msg('consent.signature.empty'), invalid_type_error: msg('consent.signature.empty') }),
  lat: z.number({ invalid_type_error: msg('consent.badPosition') }).min(-90, msg('consent.badPosition')).max(90, msg('consent.badPosition')).nullable().default(null),
  lng: z.number({ invalid_type_error: msg('consent.badPosition') }).min(-180, msg('consent.badPosition')).max(180, msg('consent.badPosition')).nullable().default(null),
  accuracy: z.number({ invalid_type_error: msg('consent.badPosition') }).min(0, msg('consent.badPosition')).max(1e6, msg('consent.badPosition')).nullable().default(null),
  positionFix: z.enum(POSITION_FIXES, { errorMap: () => ({ message: msg('validation.choice') }) }).nullable().default(null),
  signedAt: z.string({ required_error: msg('validation.required') }).datetime({ offset: true, message: msg('validation.dateTime') }),
})
export type ConsentPayload = z.infer<typeof consentPayloadSchema>

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

