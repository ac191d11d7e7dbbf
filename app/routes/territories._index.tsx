// Territories and workload: a manager's territories (by townships or drawn on /map), who
// looks after each, the workload per officer with a balancing suggestion, and assignment by
// filter. The map posts its drawings and lassos here too. Officers see their own, read-only.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { ActionResult, ErrorList, Field, SelectField } from '../components/field'
import { AssignByFilterForm } from '../components/territories/assign-by-filter-form'
import { TerritoryTable } from '../components/territories/territory-table'
import { WorkloadSection, type MovePreview } from '../components/territories/workload-section'
import { can } from '../domain/roles'
import { parseForm, parseValues, type FieldErrors } from '../forms/fields'
import { playerFilterFromSearch } from '../forms/player-filter'
import { FILTER_FIELDS, MAX_MOVE, assignSchema, balancePreviewSchema, balanceSchema, createSchema, deleteSchema, filterSchema, lassoSchema, redrawSchema } from '../forms/territory'
import type { AppContext } from '../http/context.server'
import { callerOf, notFound, requirePermission, requireUser, userScope } from '../http/guards.server'
import { toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { listTownships } from '../services/areas.server'
import type { Caller } from '../services/caller.server'
import type { CurrentUser } from '../services/sessions.server'
import { assignPlayersByFilter } from '../services/territories/assign-by-filter.server'
import { balanceWorkload } from '../services/territories/balance-workload.server'
import { assignPlayers } from '../services/territories/assign-players.server'
import { assignTerritory } from '../services/territories/assign-territory.server'
import { createTerritory } from '../services/territories/create-territory.server'
import { deleteTerritory } from '../services/territories/delete-territory.server'
import { listTerritories } from '../services/territories/list-territories.server'
import { previewBalance } from '../services/territories/preview-balance.server'
import { redrawTerritory } from '../services/territories/redraw-territory.server'
import { listUsers } from '../services/users/list-users.server'
import { workloadByOfficer } from '../services/workload/workload-by-officer.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const scope = userScope(user)
  const canManage = can(user.role, 'territories:manage')
  const [territories, townships] = await Promise.all([listTerritories(context.db, { scope }), listTownships(context.db)])
  const townshipNames = Object.fromEntries(townships.map((t) => [t.code, t.name]))
  const shown = territories.map(({ geometry, townshipCodes, ...t }) => ({
    ...t,
    drawn: geometry !== null,
    townships: townshipCodes ? (JSON.parse(townshipCodes) as string[]).map((c) => townshipNames[c] ?? c) : [],
  }))
  if (!canManage) return { canManage, territories: shown, townships: [], officers: [], workload: null, movePreview: null }
  const [officers, workload, movePreview] = await Promise.all([
    listUsers(context.db, scope, { role: 'officer', active: true }),
    workloadByOfficer(context.db, scope),
    previewMove(context.db, { scope }, new URL(request.url).searchParams),
  ])
  return {
    canManage,
    territories: shown,
    townships: townships.map((t) => ({ code: t.code, name: t.name })),
    officers: officers.map((o) => ({ id: o.id, name: o.name, username: o.username, orgName: o.orgName })),
    workload,
    movePreview,
  }
}

/** "执行" on a balancing move asks first: `?fromOfficerId=…&toOfficerId=…&players=…` previews it. */
async function previewMove(db: AppContext['db'], caller: Pick<Caller, 'scope'>, search: URLSearchParams): Promise<MovePreview | null> {
  if (!search.has('fromOfficerId')) return null
  const parsed = parseValues(Object.fromEntries(search), balancePreviewSchema)
  if (!parsed.ok) return null
  const preview = await previewBalance(db, caller, parsed.data)
  return preview ? { ...parsed.data, ...preview } : null
}

export type TerritoryActionData = {
  intent?: string
  territoryId?: number
  errors?: FieldErrors
  values?: Record<string, string>
  formError?: Message
  done?: Message
  /** Why fewer players moved than the territory holds. */
  detail?: Message
  created?: number
  moved?: number
}

function invalid(intent: string, errors: FieldErrors, values?: Record<string, string>, territoryId?: number) {
  return data<TerritoryActionData>({ intent, errors, values, territoryId }, { status: 400 })
}

/** A drawing posted as GeoJSON text, or not ok when it is not JSON at all. */
function parseGeometry(text: string): { ok: true; geometry: unknown } | { ok: false } {
  try {
    return { ok: true, geometry: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

type IntentArgs = { form: FormData; db: AppContext['db']; caller: Caller; user: CurrentUser; territoryId: number | undefined }
type IntentHandler = (args: IntentArgs) => Promise<TerritoryActionData | ReturnType<typeof invalid>>

async function createIntent({ form, db, caller, user }: IntentArgs) {
  const parsed = parseForm(form, createSchema)
  if (!parsed.ok) return invalid('create', parsed.errors, parsed.values)
  const townshipCodes = form.getAll('townships').filter((v): v is string => typeof v === 'string' && v !== '')
  let geometry: unknown
  if (parsed.data.geometry) {
    const drawn = parseGeometry(parsed.data.geometry)
    if (!drawn.ok) return invalid('create', { geometry: [{ key: 'geo.notJson' }] })
    geometry = drawn.geometry
  }
  const result = await createTerritory(db, caller, {
    orgUnitId: user.orgUnitId,
    name: parsed.data.name,
    geometry,
    townshipCodes,
    officerId: parsed.data.officerId,
  })
  const { id, moved, inside, keepOwn } = result
  return {
    intent: 'create',
    created: id,
    moved,
    done: { key: 'territory.created', params: { name: parsed.data.name, moved } },
    detail: { key: 'territory.makeup', params: { inside, moved, keepOwn, same: Math.max(0, inside - moved - keepOwn) } },
  } satisfies TerritoryActionData
}

async function assignIntent({ form, db, caller, territoryId }: IntentArgs) {
  const parsed = parseForm(form, assignSchema)
  if (!parsed.ok) return invalid('assign', parsed.errors, parsed.values, territoryId)
  const result = await assignTerritory(db, caller, { id: parsed.data.territoryId, officerId: parsed.data.officerId, reason: parsed.data.reason })
  return { intent: 'assign', territoryId, moved: result.moved, done: { key: 'territory.reassigned', params: { moved: result.moved } } } satisfies TerritoryActionData
}

async function redrawIntent({ form, db, caller, territoryId }: IntentArgs) {
  const parsed = parseForm(form, redrawSchema)
  if (!parsed.ok) return invalid('redraw', parsed.errors, parsed.values, territoryId)
  const drawn = parseGeometry(parsed.data.geometry)
  if (!drawn.ok) return invalid('redraw', { geometry: [{ key: 'geo.notJson' }] }, undefined, territoryId)
  const result = await redrawTerritory(db, caller, { id: parsed.data.territoryId, geometry: drawn.geometry })
  return { intent: 'redraw', territoryId, moved: result.moved, done: { key: 'territory.redrawn', params: { moved: result.moved } } } satisfies TerritoryActionData
}

async function deleteIntent({ form, db, caller, territoryId }: IntentArgs) {
  const parsed = parseForm(form, deleteSchema)
  if (!parsed.ok) return invalid('delete', parsed.errors, parsed.values, territoryId)
  await deleteTerritory(db, caller, { id: parsed.data.territoryId })
  return { intent: 'delete', done: { key: 'territory.deleted' } } satisfies TerritoryActionData
}

async function lassoIntent({ form, db, caller }: IntentArgs) {
  const parsed = parseForm(form, lassoSchema)
  if (!parsed.ok) return invalid('lasso', parsed.errors, parsed.values)
  const drawn = parseGeometry(parsed.data.geometry)
  if (!drawn.ok) return invalid('lasso', { geometry: [{ key: 'geo.notJson' }] })
  const result = await assignPlayers(db, caller, { lasso: drawn.geometry, officerId: parsed.data.officerId, reason: 'territory.reason.lasso' })
  return { intent: 'lasso', moved: result.moved, done: { key: 'map.assigned', params: { count: result.moved } } } satisfies TerritoryActionData
}

async function balanceIntent({ form, db, caller }: IntentArgs) {
  const parsed = parseForm(form, balanceSchema)
  if (!parsed.ok) return invalid('balance', parsed.errors, parsed.values)
  const result = await balanceWorkload(db, caller, parsed.data)
  if (!result) return invalid('balance', { _form: [{ key: 'territory.officerNotHere' }] })
  return { intent: 'balance', moved: result.moved, done: { key: 'workload.applied', params: { moved: result.moved, from: result.from, to: result.to } } } satisfies TerritoryActionData
}

async function assignByFilterIntent({ form, db, caller }: IntentArgs) {
  const parsed = parseForm(form, filterSchema)
  if (!parsed.ok) return invalid('assign-filter', parsed.errors, parsed.values)
  const params = new URLSearchParams()
  for (const key of FILTER_FIELDS) {
    const value = parsed.data[key]
    if (value) params.set(key, value)
  }
  // Never "every player in scope" by an empty form.
  if ([...params.keys()].length === 0) return invalid('assign-filter', { _form: [{ key: 'assign.nothing' }] }, Object.fromEntries(params))
  const result = await assignPlayersByFilter(db, caller, { filter: playerFilterFromSearch(params), officerId: parsed.data.officerId, limit: MAX_MOVE })
  return {
    intent: 'assign-filter',
    moved: result.moved,
    done: result.moved ? { key: 'assign.done', params: { count: result.moved } } : { key: 'assign.nothing' },
  } satisfies TerritoryActionData
}

const INTENTS: Record<string, IntentHandler> = {
  create: createIntent,
  assign: assignIntent,
  redraw: redrawIntent,
  delete: deleteIntent,
  lasso: lassoIntent,
  balance: balanceIntent,
  'assign-filter': assignByFilterIntent,
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'territories:manage')
  const form = await request.formData()
  const intent = String(form.get('intent') ?? '')
  const territoryId = Number(form.get('territoryId')) || undefined
  const handle = Object.hasOwn(INTENTS, intent) ? INTENTS[intent] : undefined
  if (!handle) return data<TerritoryActionData>({ intent, formError: { key: 'error.badRequest' } }, { status: 400 })
  try {
    return await handle({ form, db: context.db, caller: callerOf(user, context), user, territoryId })
  } catch (error) {
    const { status, formError } = toFormError(error)
    if (status === 404) throw notFound()
    return data<TerritoryActionData>({ intent, territoryId, formError }, { status })
  }
}

export default function Territories() {
  const { canManage, territories, townships, officers, workload, movePreview } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as TerritoryActionData | undefined
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const t = useT()
  const officerOptions = [{ value: '', label: t('territory.chooseOfficer') }, ...officers.map((o) => ({ value: o.id, label: `${o.name} (${o.username})` }))]
  const errorsOf = (intent: string, field: string, id?: number) =>
    result?.intent === intent && (id === undefined || result.territoryId === id) ? result.errors?.[field] : undefined
  const valueOf = (intent: string, field: string) => (result?.intent === intent ? result.values?.[field] : undefined)
  const nameOf = (id: number) => officers.find((o) => o.id === id)?.name ?? String(id)

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
      {result?.detail ? (
        <p className="muted" data-testid="makeup">
          {t(result.detail.key, result.detail.params)}
        </p>
      ) : null}
      <ErrorList errors={result?.errors?._form} />

      <TerritoryTable territories={territories} canManage={canManage} officerOptions={officerOptions} busy={busy} errorsOf={errorsOf} />
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

      {canManage && workload ? <WorkloadSection workload={workload} preview={movePreview} busy={busy} nameOf={nameOf} /> : null}

      {canManage ? <AssignByFilterForm townships={townships} officerOptions={officerOptions} busy={busy} errorsOf={errorsOf} valueOf={valueOf} /> : null}
    </div>
  )
}
