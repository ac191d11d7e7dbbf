// GET /api/v1/consents/:id: the loan system fetches the consent a hand-off carried (the
// referral's `consent.href`), with its bearer token (purpose `loan_events`, the loan system's
// token). JSON: `consent` (the facts the hash covers, in CONSENT_HASH_FIELDS' order), `sha256`
// (SHA-256 of that object's JSON), `standing` (valid, expired, withdrawn) and `withdrawnAt`,
// `text` (the authorisation text signed; its SHA-256 is `consent.textSha256`), `signaturePng`
// (base64; its SHA-256 is `consent.signatureSha256`) and `form` (the signed PDF, base64, with
// its SHA-256). A bad token is 401; a consent no referral carried, 404. Each fetch is audited.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { AppError } from '../domain/app-error'
import { findLiveToken } from '../services/api-tokens/find-live-token.server'
import { readConsentForLoanSystem } from '../services/consents/read-consent-for-loan-system.server'
import { createStorage } from '../services/storage/storage.server'

const NO_STORE = { 'Cache-Control': 'no-store' }

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const token = await findLiveToken(context.db, request.headers.get('Authorization'), 'loan_events')
  if (!token) return Response.json({ error: 'unauthenticated', message: 'a valid bearer token is needed' }, { status: 401, headers: { ...NO_STORE, 'WWW-Authenticate': 'Bearer' } })
  try {
    return Response.json(await readConsentForLoanSystem(context.db, token, createStorage(context.config.storage), { consentId: params.id ?? '' }), { headers: NO_STORE })
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return Response.json({ error: 'not_found', message: 'no such consent carried by a referral' }, { status: 404, headers: NO_STORE })
    throw error
  }
}

export async function action(_: ActionFunctionArgs) {
  return Response.json({ error: 'method_not_allowed', message: 'GET the consent' }, { status: 405, headers: { Allow: 'GET' } })
}
