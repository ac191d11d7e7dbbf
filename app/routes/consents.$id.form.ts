// GET /consents/:id/form: the signed consent form (PDF) for whoever may see its player (scope
// in the query; another outlet's is 404); `?part=signature` the signature image alone. Every
// opening is audited (services/consents/read-signed-form.server.ts).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { callerOf, requireUser } from '../http/guards.server'
import { httpErrorOf } from '../http/errors.server'
import { readSignedForm } from '../services/consents/read-signed-form.server'
import { createStorage } from '../services/storage/storage.server'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const part = new URL(request.url).searchParams.get('part') === 'signature' ? 'signature' : 'form'
  try {
    const file = await readSignedForm(context.db, callerOf(user, context), createStorage(context.config.storage), { consentId: params.id ?? '', part })
    return new Response(new Uint8Array(file.bytes), {
      headers: {
        'Content-Type': file.contentType,
        'Content-Length': String(file.bytes.length),
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Disposition': `inline; filename="consent-${params.id}.${part === 'form' ? 'pdf' : 'png'}"`,
      },
    })
  } catch (error) {
    throw httpErrorOf(error)
  }
}
