// /loan-qr: the loan QR codes of the outlets and officers in the caller's scope. A manager
// (or admin) issues, re-issues (the old posters stop) and revokes them; an officer sees and
// prints their own. Each code's poster is /loan-qr/<id>/poster.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ActionResult } from '../components/field'
import { can } from '../domain/roles'
import { chinaTimeText } from '../domain/china-time'
import { idField, parseForm } from '../forms/fields'
import { actorOf, forbidden, notFound, requirePermission, requireUser, userScope } from '../http/guards.server'
import { toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { issueLoanQrCode } from '../services/loan-qr/issue-loan-qr-code.server'
import { listLiveLoanQrCodes, listLoanQrOwners } from '../services/loan-qr/loan-qr-codes.server'
import { revokeLoanQrCode } from '../services/loan-qr/revoke-loan-qr-code.server'

const issueSchema = z.object({
  intent: z.literal('issue'),
  orgUnitId: z.preprocess((v) => (v === '' || v === undefined ? null : v), idField.nullable()),
  officerId: z.preprocess((v) => (v === '' || v === undefined ? null : v), idField.nullable()),
})
const revokeSchema = z.object({ intent: z.literal('revoke'), id: idField })

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  if (user.role === 'hq') throw forbidden()
  const scope = userScope(user)
  const codes = await listLiveLoanQrCodes(context.db, scope)
  const manages = can(user.role, 'territories:manage')
  const owners = manages ? await listLoanQrOwners(context.db, scope) : { outlets: [], officers: [] }
  return { codes, owners, manages }
}

type ActionData = { done?: Message; formError?: Message; errors?: unknown }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'territories:manage')
  const form = await request.formData()
  const actor = actorOf(user, context)
  const scope = userScope(user)
  try {
    if (form.get('intent') === 'revoke') {
      const parsed = parseForm(form, revokeSchema)
      if (!parsed.ok) return data<ActionData>({ errors: parsed.errors }, { status: 400 })
      await revokeLoanQrCode(context.db, actor, scope, parsed.data.id)
      return { done: { key: 'loanQr.revoked' } } satisfies ActionData
    }
    const parsed = parseForm(form, issueSchema)
    if (!parsed.ok) return data<ActionData>({ errors: parsed.errors }, { status: 400 })
    await issueLoanQrCode(context.db, actor, scope, { orgUnitId: parsed.data.orgUnitId, officerId: parsed.data.officerId })
    return { done: { key: 'loanQr.issued' } } satisfies ActionData
  } catch (error) {
    const { status, formError } = toFormError(error)
    if (status === 404) throw notFound()
    return data<ActionData>({ formError }, { status })
  }
}

export default function LoanQrCodes() {
  const t = useT()
  const { codes, owners, manages } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const outletCode = new Map(codes.filter((c) => c.officerId === null).map((c) => [c.orgUnitId, c]))
  const officerCode = new Map(codes.filter((c) => c.officerId !== null).map((c) => [c.officerId!, c]))
  type Row = { key: string; label: string; code: (typeof codes)[number] | undefined; orgUnitId: number | null; officerId: number | null }
  const rows: Row[] = manages
    ? [
        ...owners.outlets.map((o) => ({ key: `u${o.id}`, label: o.name, code: outletCode.get(o.id), orgUnitId: o.id, officerId: null })),
        ...owners.officers.map((o) => ({ key: `o${o.id}`, label: `${o.name}（${o.orgUnitName}）`, code: officerCode.get(o.id), orgUnitId: null, officerId: o.id })),
      ]
    : codes.map((c) => ({ key: `c${c.id}`, label: c.officerName ?? c.orgUnitName, code: c, orgUnitId: null, officerId: null }))
  return (
    <div className="stack">
      <h1>{t('loanQr.title')}</h1>
      <p className="muted">{t('loanQr.intro')}</p>
      <ActionResult done={result?.done} formError={result?.formError} />
      {rows.length === 0 ? <p className="empty-state">{t('loanQr.none')}</p> : null}
      <div className="table-wrap card" hidden={rows.length === 0}>
        <table className="cards">
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} data-owner={row.key}>
                <td className="card-title">{row.label}</td>
                <td>{row.code ? t('loanQr.issuedAt', { at: chinaTimeText(row.code.createdAt) }) : t('loanQr.noCode')}</td>
                <td>
                  {row.code ? (
                    <Link to={`/loan-qr/${row.code.id}/poster`} reloadDocument>
                      {t('loanQr.poster')}
                    </Link>
                  ) : null}
                </td>
                {manages ? (
                  <td>
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="issue" />
                      <input type="hidden" name="orgUnitId" value={row.orgUnitId ?? ''} />
                      <input type="hidden" name="officerId" value={row.officerId ?? ''} />
                      <button type="submit" className="link-button">
                        {row.code ? t('loanQr.reissue') : t('loanQr.issue')}
                      </button>
                    </Form>
                    {row.code ? (
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="id" value={row.code.id} />
                        <button type="submit" className="link-button danger">
                          {t('loanQr.revoke')}
                        </button>
                      </Form>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
