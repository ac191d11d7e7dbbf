// Territories and workload: a manager's territories (by townships or drawn on /map), who
// looks after each, the workload per officer with a balancing suggestion, and assignment by
// filter. The map posts its drawings and lassos here too. Officers see their own, read-only.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { ActionResult, ErrorList, Field, SelectField } from '../components/field'
import { CANDIDATE_STATUSES } from '../domain/first-lender'
import { CAMPAIGN_STATUSES, LOAN_HISTORIES, PLAYER_KINDS } from '../domain/market-player'
import { can } from '../domain/roles'
import { choice, idField, msg, parseForm, requiredText, type FieldErrors } from '../forms/fields'
import { actorOf, notFound, requirePermission, requireUser, userScope } from '../http/guards.server'
import { toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { playerFilterFromSearch } from '../forms/player-filter'
import { listTownships } from '../services/areas.server'
import { findPlayerIdsMatching } from '../services/players/list-players.server'
import { assignPlayers, assignTerritory, createTerritory, deleteTerritory, listTerritories, redrawTerritory } from '../services/territories.server'
import { listUsers } from '../services/users.server'
import { pickPlayersToMove, workloadByOfficer } from '../services/workload.server'

/** Most players one balancing move or one filter may reassign. */
const MAX_MOVE = 200_000

const optionalOfficer = z.preprocess((v) => (v === '' || v === undefined ? null : v), idField.nullable())

export const createSchema = z.object({
  intent: z.literal('create'),
  name: requiredText(60),
  officerId: idField,
  geometry: z.string().max(500_000).optional(),
})
export const assignSchema = z.object({ intent: z.literal('assign'), territoryId: idField, officerId: optionalOfficer, reason: requiredText(200) })
export const deleteSchema = z.object({ intent: z.literal('delete'), territoryId: idField })
export const lassoSchema = z.object({ intent: z.literal('lasso'), officerId: idField, geometry: requiredText(500_000) })
export const redrawSchema = z.object({ intent: z.literal('redraw'), territoryId: idField, geometry: requiredText(500_000) })
export const balanceSchema = z.object({
  intent: z.literal('balance'),
  fromOfficerId: idField,
  toOfficerId: idField,
  players: z.coerce.number().int().positive().max(MAX_MOVE),
})
export const filterSchema = z.object({
  intent: z.literal('assign-filter'),
  officerId: idField,
  kind: z.union([choice(PLAYER_KINDS), z.literal('')]).optional(),
  township: z.union([z.string().regex(/^\d{9}$/, msg('validation.choice')), z.literal('')]).optional(),
  candidate: z.union([choice(CANDIDATE_STATUSES), z.literal('')]).optional(),
  loan: z.union([choice(LOAN_HISTORIES), z.literal('')]).optional(),
  status: z.union([choice(CAMPAIGN_STATUSES), z.literal('')]).optional(),
  unassigned: z.string().optional(),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const scope = userScope(user)
  const canManage = can(user.role, 'territories:manage')
  const [territories, townships] = await Promise.all([listTerritories(context.db, scope), listTownships(context.db)])
  const townshipNames = Object.fromEntries(townships.map((t) => [t.code, t.name]))
  const shown = territories.map(({ geometry, townshipCodes, ...t }) => ({
    ...t,
    drawn: geometry !== null,
    townships: townshipCodes ? (JSON.parse(townshipCodes) as string[]).map((c) => townshipNames[c] ?? c) : [],
  }))
  if (!canManage) return { canManage, territories: shown, townships: [], officers: [], workload: null }
  const [officers, workload] = await Promise.all([
    listUsers(context.db, scope, { role: 'officer', active: true }),
    workloadByOfficer(context.db, scope),
  ])
  return {
    canManage,
    territories: shown,
    townships: townships.map((t) => ({ code: t.code, name: t.name })),
    officers: officers.map((o) => ({ id: o.id, name: o.name, username: o.username, orgName: o.orgName })),
    workload,
  }
}

export type TerritoryActionData = {
  intent?: string
  territoryId?: number
  errors?: FieldErrors
  values?: Record<string, string>
  formError?: Message
  done?: Message
  created?: number
  moved?: number
}

function invalid(intent: string, errors: FieldErrors, values?: Record<string, string>, territoryId?: number) {
  return data<TerritoryActionData>({ intent, errors, values, territoryId }, { status: 400 })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'territories:manage')
  const scope = userScope(user)
  const actor = actorOf(user, context)
  const form = await request.formData()
  const intent = String(form.get('intent') ?? '')
  const territoryId = Number(form.get('territoryId')) || undefined
  try {
    switch (intent) {
      case 'create': {
        const parsed = parseForm(form, createSchema)
        if (!parsed.ok) return invalid(intent, parsed.errors, parsed.values)
        const townshipCodes = form.getAll('townships').filter((v): v is string => typeof v === 'string' && v !== '')
        let geometry: unknown
        if (parsed.data.geometry) {
          try {
            geometry = JSON.parse(parsed.data.geometry)
          } catch {
            return invalid(intent, { geometry: [{ key: 'geo.notJson' }] })
          }
        }
        const result = await createTerritory(context.db, actor, scope, {
          orgUnitId: user.orgUnitId,
          name: parsed.data.name,
          geometry,
          townshipCodes,
          officerId: parsed.data.officerId,
        })
        return { intent, created: result.id, moved: result.moved, done: { key: 'territory.created', params: { name: parsed.data.name, moved: result.moved } } } satisfies TerritoryActionData
      }
      case 'assign': {
        const parsed = parseForm(form, assignSchema)
        if (!parsed.ok) return invalid(intent, parsed.errors, parsed.values, territoryId)
        const result = await assignTerritory(context.db, actor, scope, parsed.data.territoryId, parsed.data.officerId, parsed.data.reason)
        return { intent, territoryId, moved: result.moved, done: { key: 'territory.reassigned', params: { moved: result.moved } } } satisfies TerritoryActionData
      }
      case 'redraw': {
        const parsed = parseForm(form, redrawSchema)
        if (!parsed.ok) return invalid(intent, parsed.errors, parsed.values, territoryId)
        let geometry: unknown
        try {
          geometry = JSON.parse(parsed.data.geometry)
        } catch {
          return invalid(intent, { geometry: [{ key: 'geo.notJson' }] }, undefined, territoryId)
        }
        const result = await redrawTerritory(context.db, actor, scope, parsed.data.territoryId, geometry)
        return { intent, territoryId, moved: result.moved, done: { key: 'territory.redrawn', params: { moved: result.moved } } } satisfies TerritoryActionData
      }
      case 'delete': {
        const parsed = parseForm(form, deleteSchema)
        if (!parsed.ok) return invalid(intent, parsed.errors, parsed.values, territoryId)
        await deleteTerritory(context.db, actor, scope, parsed.data.territoryId)
        return { intent, done: { key: 'territory.deleted' } } satisfies TerritoryActionData
      }
      case 'lasso': {
        const parsed = parseForm(form, lassoSchema)
        if (!parsed.ok) return invalid(intent, parsed.errors, parsed.values)
        let lasso: unknown
        try {
          lasso = JSON.parse(parsed.data.geometry)
        } catch {
          return invalid(intent, { geometry: [{ key: 'geo.notJson' }] })
        }
        const result = await assignPlayers(context.db, actor, scope, { lasso }, parsed.data.officerId, 'territory.reason.lasso')
        return { intent, moved: result.moved, done: { key: 'map.assigned', params: { count: result.moved } } } satisfies TerritoryActionData
      }
      case 'balance': {
        const parsed = parseForm(form, balanceSchema)
        if (!parsed.ok) return invalid(intent, parsed.errors, parsed.values)
        const { fromOfficerId, toOfficerId, players } = parsed.data
        const officers = await listUsers(context.db, scope, { role: 'officer', active: true })
        const from = officers.find((o) => o.id === fromOfficerId)
        const to = officers.find((o) => o.id === toOfficerId)
        if (!from || !to) return invalid(intent, { _form: [{ key: 'territory.officerNotHere' }] })
        const ids = await pickPlayersToMove(context.db, fromOfficerId, toOfficerId, players)
        const result = await assignPlayers(context.db, actor, scope, { playerIds: ids }, toOfficerId, 'territory.reason.balancing')
        return { intent, moved: result.moved, done: { key: 'workload.applied', params: { moved: result.moved, from: from.name, to: to.name } } } satisfies TerritoryActionData
      }
      case 'assign-filter': {
        const parsed = parseForm(form, filterSchema)
        if (!parsed.ok) return invalid(intent, parsed.errors, parsed.values)
        const params = new URLSearchParams()
        for (const key of ['kind', 'township', 'candidate', 'loan', 'status', 'unassigned'] as const) {
          const value = parsed.data[key]
          if (value) params.set(key, value)
        }
        // Never "every player in scope" by an empty form.
        if ([...params.keys()].length === 0) {
          return invalid(intent, { _form: [{ key: 'assign.nothing' }] }, Object.fromEntries(params))
        }
        const filter = playerFilterFromSearch(params)
        const result = await assignPlayers(
          context.db,
          actor,
          scope,
          { matching: (trx) => findPlayerIdsMatching(trx, { pii: context.pii, scope }, { filter, limit: MAX_MOVE + 1 }) },
          parsed.data.officerId,
          'territory.reason.filter',
        )
        return {
          intent,
          moved: result.moved,
          done: result.moved ? { key: 'assign.done', params: { count: result.moved } } : { key: 'assign.nothing' },
        } satisfies TerritoryActionData
      }
      default:
        return data<TerritoryActionData>({ intent, formError: { key: 'error.badRequest' } }, { status: 400 })
    }
  } catch (error) {
    const { status, formError } = toFormError(error)
    if (status === 404) throw notFound()
    return data<TerritoryActionData>({ intent, territoryId, formError }, { status })
  }
}

export default function Territories() {
  const { canManage, territories, townships, officers, workload } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as TerritoryActionData | undefined
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const t = useT()
  const officerOptions = [{ value: '', label: t('territory.chooseOfficer') }, ...officers.map((o) => ({ value: o.id, label: `${o.name} (${o.username})` }))]
  const errorsOf = (intent: string, field: string, id?: number) =>
    result?.intent === intent && (id === undefined || result.territoryId === id) ? result.errors?.[field] : undefined
  const valueOf = (intent: string, field: string) => (result?.intent === intent ? result.values?.[field] : undefined)
  const nameOf = (id: number) => officers.find((o) => o.id === id)?.name ?? String(id)
  const any = { value: '', label: t('users.all') }

  return (
    <div className="stack">
      <div className="title-row">
        <h1>{t('nav.territories')}</h1>
        <Link to="/map" className="button-link">
          {t('nav.map')}
        </Link>
        {canManage ? (
          <Link to="/areas/place" className="button-link">
            {t('areas.placeLink')}
          </Link>
        ) : null}
      </div>
      <ActionResult done={result?.done} formError={result?.formError} />
      <ErrorList errors={result?.errors?._form} />

      <section className="card" aria-labelledby="territory-list">
        <h2 id="territory-list">{t('territory.list')}</h2>
        {canManage ? null : <p className="muted">{t('territory.readOnly')}</p>}
        {territories.length === 0 ? (
          <p className="muted">{t('territory.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="territories">
              <thead>
                <tr>
                  <th>{t('table.name')}</th>
                  <th>{t('table.orgUnit')}</th>
                  <th>{t('territory.officer')}</th>
                  <th className="num">{t('territory.players')}</th>
                  <th>{t('territory.townships')}</th>
                  {canManage ? <th>{t('table.actions')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {territories.map((ter) => (
                  <tr key={ter.id} data-territory={ter.name}>
                    <td>{ter.name}</td>
                    <td>{ter.orgName}</td>
                    <td className="officer">{ter.officerName ?? t('territory.unassignedOfficer')}</td>
                    <td className="num players">{ter.players}</td>
                    <td>{[...ter.townships, ...(ter.drawn ? [t('territory.drawn')] : [])].join('、')}</td>
                    {canManage ? (
                      <td>
                        <details>
                          <summary>{t('territory.reassign')}</summary>
                          <Form method="post" className="inline-form">
                            <input type="hidden" name="intent" value="assign" />
                            <input type="hidden" name="territoryId" value={ter.id} />
                            <SelectField
                              label={t('territory.officer')}
                              name="officerId"
                              defaultValue={ter.officerId ?? ''}
                              options={[{ value: '', label: t('territory.unassignedOfficer') }, ...officerOptions.slice(1)]}
                              errors={errorsOf('assign', 'officerId', ter.id)}
                            />
                            <Field label={t('territory.reason')} name="reason" required maxLength={200} errors={errorsOf('assign', 'reason', ter.id)} />
                            <button type="submit" disabled={busy}>
                              {t('territory.reassign')}
                            </button>
                          </Form>
                        </details>
                        <Form method="post">
                          <input type="hidden" name="intent" value="delete" />
                          <input type="hidden" name="territoryId" value={ter.id} />
                          <button type="submit" className="link-button danger" disabled={busy}>
                            {t('territory.delete')}
                          </button>
                        </Form>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {canManage ? (
        <section className="card" aria-labelledby="territory-new">
          <h2 id="territory-new">{t('territory.new')}</h2>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="create" />
            <div className="form-grid">
              <Field label={t('territory.name')} name="name" required maxLength={60} defaultValue={valueOf('create', 'name')} errors={errorsOf('create', 'name')} />
              <SelectField label={t('territory.officer')} name="officerId" required defaultValue={valueOf('create', 'officerId') ?? ''} options={officerOptions} errors={errorsOf('create', 'officerId')} />
            </div>
            <fieldset className="township-picker">
              <legend>{t('territory.pickTownships')}</legend>
              {townships.map((tw) => (
                <label key={tw.code}>
                  <input type="checkbox" name="townships" value={tw.code} /> {tw.name}
                </label>
              ))}
            </fieldset>
            <div>
              <button type="submit" className="primary" disabled={busy}>
                {t('territory.create')}
              </button>
            </div>
          </Form>
        </section>
      ) : null}

      {canManage && workload ? (
        <section className="card" aria-labelledby="workload">
          <h2 id="workload">{t('workload.title')}</h2>
          <div className="table-wrap">
            <table className="workload">
              <thead>
                <tr>
                  <th>{t('workload.officer')}</th>
                  <th>{t('table.orgUnit')}</th>
                  <th className="num">{t('workload.players')}</th>
                  <th className="num">{t('workload.candidates')}</th>
                  <th className="num">{t('workload.notVisited')}</th>
                  <th className="num">{t('workload.followUpsDue')}</th>
                </tr>
              </thead>
              <tbody>
                {workload.rows.map((row) => (
                  <tr key={row.id} data-officer={row.username}>
                    <td>
                      {row.name} <span className="muted small">({row.username})</span>
                    </td>
                    <td>{row.orgName}</td>
                    <td className="num players">{row.players}</td>
                    <td className="num">{row.candidates}</td>
                    <td className="num">{row.notVisited}</td>
                    {/* Follow-ups come with visits. */}
                    <td className="num">—</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted" data-testid="unassigned">
            {t('workload.unassigned', { count: workload.unassigned })}
          </p>
          <p data-testid="spread">
            {t('workload.spread', {
              min: workload.balance.spread.min,
              max: workload.balance.spread.max,
              stdev: workload.balance.spread.stdev.toFixed(1),
            })}
          </p>
          <h3>{t('workload.suggestion')}</h3>
          {workload.balance.moves.length === 0 ? (
            <p className="muted">{t('workload.balanced')}</p>
          ) : (
            <>
              <p className="muted small">
                {t('workload.spreadAfter', {
                  min: workload.balance.spreadAfter.min,
                  max: workload.balance.spreadAfter.max,
                  stdev: workload.balance.spreadAfter.stdev.toFixed(1),
                })}
              </p>
              <ul className="moves">
                {workload.balance.moves.map((m) => (
                  <li key={`${m.fromOfficerId}-${m.toOfficerId}`}>
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="balance" />
                      <input type="hidden" name="fromOfficerId" value={m.fromOfficerId} />
                      <input type="hidden" name="toOfficerId" value={m.toOfficerId} />
                      <input type="hidden" name="players" value={m.players} />
                      <span>{t('workload.move', { from: nameOf(m.fromOfficerId), to: nameOf(m.toOfficerId), players: m.players })}</span>{' '}
                      <button type="submit" disabled={busy}>
                        {t('workload.apply')}
                      </button>
                    </Form>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      ) : null}

      {canManage ? (
        <section className="card" aria-labelledby="assign-filter">
          <h2 id="assign-filter">{t('assign.byFilter')}</h2>
          <p className="muted small">{t('assign.byFilterHint')}</p>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="assign-filter" />
            <div className="form-grid">
              <SelectField label={t('player.kind')} name="kind" defaultValue={valueOf('assign-filter', 'kind') ?? ''} options={[any, ...PLAYER_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))]} />
              <SelectField label={t('player.township')} name="township" defaultValue={valueOf('assign-filter', 'township') ?? ''} options={[any, ...townships.map((tw) => ({ value: tw.code, label: tw.name }))]} />
              <SelectField label={t('player.candidate')} name="candidate" defaultValue={valueOf('assign-filter', 'candidate') ?? ''} options={[any, ...CANDIDATE_STATUSES.map((s) => ({ value: s, label: t(`candidateStatus.${s}`) }))]} />
              <SelectField label={t('player.loanHistory')} name="loan" defaultValue={valueOf('assign-filter', 'loan') ?? ''} options={[any, ...LOAN_HISTORIES.map((l) => ({ value: l, label: t(`loanHistory.${l}`) }))]} />
              <SelectField label={t('player.campaignStatus')} name="status" defaultValue={valueOf('assign-filter', 'status') ?? ''} options={[any, ...CAMPAIGN_STATUSES.map((s) => ({ value: s, label: t(`campaignStatus.${s}`) }))]} />
              <div className="field checkbox-field">
                <label>
                  <input type="checkbox" name="unassigned" value="1" defaultChecked={valueOf('assign-filter', 'unassigned') === '1'} /> {t('player.unassigned')}
                </label>
              </div>
              <SelectField label={t('territory.officer')} name="officerId" required defaultValue={valueOf('assign-filter', 'officerId') ?? ''} options={officerOptions} errors={errorsOf('assign-filter', 'officerId')} />
            </div>
            <div>
              <button type="submit" className="primary" disabled={busy}>
                {t('assign.submit')}
              </button>
            </div>
          </Form>
        </section>
      ) : null}
    </div>
  )
}
