// One market player: everything known, where it sits, who looks after it, which lists said
// what. Personal data masked unless revealed by a role allowed to (and then audited).
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import leafletStyles from 'leaflet/dist/leaflet.css'
import { z } from 'zod'
import { ActionResult } from '../components/field'
import { FactList, type Fact } from '../components/fact-list'
import { ClientOnly } from '../components/hydrated'
import { PlayerMap } from '../components/player-map.client'
import { LeadToVerify } from '../components/player/lead-to-verify'
import { ConsentStanding, PlayerTimeline, PlayerVisits } from '../components/player/player-history'
import { ProductsSection } from '../components/player/products-section'
import { SizeClassSection } from '../components/player/size-class-section'
import { choice, msg, parseForm, requiredText, type FieldErrors } from '../forms/fields'
import { industrySectionName } from '../domain/industry'
import { SIZE_CLASSES } from '../domain/market-player'
import { tileLayerFor } from '../domain/map-tiles'
import { can } from '../domain/roles'
import { actorOf, callerOf, notFound, requirePermission, requireUser, userScope } from '../http/guards.server'
import { idParam, toFieldOrFormError, toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useLocale, useT, useTranslateMessage } from '../i18n/use-t'
import { resolveLeadMatch } from '../services/resolve-lead-match.server'
import { getPlayer, getPlayerContext } from '../services/players/get-player.server'
import { overrideSizeClass } from '../services/players/override-size-class.server'
import { revealPersonalData } from '../services/players/reveal-personal-data.server'
import { findLatestNeed } from '../services/visits/find-latest-need.server'
import { findPlayerVisits } from '../services/visits/find-player-visits.server'
import { handOffCase } from '../services/referrals.server'
import { loadCatalogue } from '../services/products/load-catalogue.server'
import { loadClockContext } from '../services/clocks/clock-context.server'
import { caseFactsOf, checkProducts } from '../domain/products'
import { todayInChina } from '../domain/china-time'
import { decisionSchema, PlayerClocks } from '../components/player-clocks'
import { findPlayerClock } from '../services/clocks/player-clock.server'
import { acceptLead } from '../services/clocks/accept-lead.server'
import { recordContact } from '../services/clocks/record-contact.server'
import { recordDecision } from '../services/clocks/record-decision.server'
import { findPlayerConsents } from '../services/consents/find-player-consents.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: leafletStyles }]

export const overrideSchema = z.object({ intent: z.literal('override'), sizeClass: choice(SIZE_CLASSES), reason: requiredText(200) })

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const caller = callerOf(user, context)
  const player = await getPlayer(context.db, caller, { id: idParam(params.id) })
  if (!player) throw notFound()
  const [more, visits, need, clock, consents] = await Promise.all([
    getPlayerContext(context.db, player),
    findPlayerVisits(context.db, { scope: userScope(user) }, { playerId: player.id, limit: 20 }),
    findLatestNeed(context.db, player.id),
    findPlayerClock(context.db, userScope(user), player.id),
    findPlayerConsents(context.db, caller, { playerId: player.id }),
  ])
  // Which products the case qualifies for, from its latest visit's need (PRODUCT.md, "Qualifying for hand-off").
  const catalogue = await loadCatalogue(context.db)
  const verdicts = checkProducts(
    catalogue,
    caseFactsOf(player, need),
    todayInChina(),
  ).map((v) => ({ ...v, name: catalogue.find((p) => p.code === v.product)!.name }))
  const { phone_enc: _p, id_number_enc: _i, phone_hash: _ph, id_number_hash: _ih, match_key: _m, ...shown } = player
  // A lead to verify that an import found named like a player with a code.
  const leadMatch = player.lead_match_id === null ? null : ((await getPlayer(context.db, caller, { id: player.lead_match_id })) ?? null)
  return {
    player: shown,
    leadMatch: leadMatch ? { id: leadMatch.id, name: leadMatch.name, uscc: leadMatch.uscc, address: leadMatch.address } : null,
    ...more,
    tiles: tileLayerFor(context.config.mapTiles, context.config.mapTilesKey),
    canUnmask: can(user.role, 'personal-data:unmask'),
    canEdit: can(user.role, 'players:edit'),
    canLogVisit: can(user.role, 'visits:log'),
    visits,
    need,
    verdicts,
    clock: clock ?? null,
    now: new Date().toISOString(),
    consent: consents[0] ? { standing: consents[0].standing, expiresAt: consents[0].expiresAt, signedAt: consents[0].signedAt } : null,
  }
}

/** `intent`: the form that was sent, whose button its errors are summed up at. */
type ActionData = { intent?: string; revealed?: { phone: string | null; idNumber: string | null }; errors?: FieldErrors; formError?: Message; done?: Message; handOffProduct?: string }

export const handOffSchema = z.object({
  intent: z.literal('hand-off'),
  productCode: requiredText(40),
  /** 万元, as the visit form says amounts. */
  amount: z.coerce.number({ invalid_type_error: msg('validation.numberBetween', { min: 0.01, max: 100_000 }) }).min(0.01, msg('validation.numberBetween', { min: 0.01, max: 100_000 })).max(100_000, msg('validation.numberBetween', { min: 0.01, max: 100_000 })),
  termMonths: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int(msg('validation.wholeNumberBetween', { min: 1, max: 360 })).min(1, msg('validation.wholeNumberBetween', { min: 1, max: 360 })).max(360, msg('validation.wholeNumberBetween', { min: 1, max: 360 })).optional()),
})

export async function action({ request, context, params }: ActionFunctionArgs) {
  const id = idParam(params.id)
  const form = await request.formData()
  const intent = form.get('intent')
  const sent = typeof intent === 'string' && intent ? intent : 'override'
  try {
    if (intent === 'clock-accept' || intent === 'clock-contact' || intent === 'clock-decide') {
      const user = await requirePermission(request, context, 'visits:log')
      const caller = { actor: { ...actorOf(user, context), id: user.id }, scope: userScope(user) }
      if (intent === 'clock-accept') await acceptLead(context.db, caller, { playerId: id })
      else if (intent === 'clock-contact') await recordContact(context.db, caller, { playerId: id })
      else {
        const parsed = parseForm(form, decisionSchema)
        if (!parsed.ok) return data<ActionData>({ intent: sent, errors: parsed.errors }, { status: 400 })
        const d = parsed.data
        await recordDecision(
          context.db,
          caller,
          d.decision === 'approved'
            ? { playerId: id, decision: 'approved', amountYuan: Math.round(d.grantedAmount! * 10_000) }
            : { playerId: id, decision: 'refused', reason: d.refusalReason!, note: d.refusalNote ?? null },
        )
      }
      return { done: { key: intent === 'clock-accept' ? 'clocks.accepted' : intent === 'clock-contact' ? 'clocks.contacted' : 'clocks.decided' } } satisfies ActionData
    }
    if (intent === 'hand-off') {
      const user = await requirePermission(request, context, 'visits:log')
      const parsed = parseForm(form, handOffSchema)
      if (!parsed.ok) return data<ActionData>({ intent: sent, errors: parsed.errors, handOffProduct: String(form.get('productCode') ?? '') }, { status: 400 })
      try {
        const referral = await handOffCase(
          context.db,
          { actor: { ...actorOf(user, context), id: user.id }, scope: userScope(user), clocks: await loadClockContext(context.db) },
          { playerId: id, productCode: parsed.data.productCode, amountYuan: Math.round(parsed.data.amount * 10_000), termMonths: parsed.data.termMonths ?? null },
        )
        return redirect(`/referrals/${referral.id}?handedOff=1`)
      } catch (error) {
        const { status, errors, formError } = toFieldOrFormError(error)
        if (status === 404) throw notFound()
        return data<ActionData>({ intent: sent, errors, formError, handOffProduct: parsed.data.productCode }, { status })
      }
    }
    if (intent === 'unmask') {
      const user = await requirePermission(request, context, 'personal-data:unmask')
      return { revealed: await revealPersonalData(context.db, callerOf(user, context), { id }) } satisfies ActionData
    }
    const user = await requirePermission(request, context, 'players:edit')
    if (intent === 'lead-same' || intent === 'lead-not-same') {
      const { playerId } = await resolveLeadMatch(context.db, callerOf(user, context), { leadId: id, same: intent === 'lead-same' })
      if (playerId !== id) return redirect(`/players/${playerId}`)
      return { done: { key: 'player.leadMatchDismissed' } } satisfies ActionData
    }
    if (intent === 'clear-override') {
      await overrideSizeClass(context.db, callerOf(user, context), { id, override: null })
      return { done: { key: 'player.overrideCleared' } } satisfies ActionData
    }
    const parsed = parseForm(form, overrideSchema)
    if (!parsed.ok) return data<ActionData>({ intent: sent, errors: parsed.errors }, { status: 400 })
    await overrideSizeClass(context.db, callerOf(user, context), { id, override: parsed.data })
    return { done: { key: 'player.overridden' } } satisfies ActionData
  } catch (error) {
    const { status, formError } = toFormError(error)
    if (status === 404) throw notFound()
    return data<ActionData>({ intent: sent, formError }, { status })
  }
}

export default function PlayerPage() {
  const { player, leadMatch, orgUnit, officer, township, assignments, sources, tiles, canUnmask, canEdit, canLogVisit, visits, need, verdicts, clock, now, consent } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  // These forms sum their refusals up at their own button, not at the top of the page.
  const summedAtButton = result?.intent === 'override' || result?.intent === 'clock-decide' || result?.intent === 'hand-off'
  const t = useT()
  const tm = useTranslateMessage()
  const locale = useLocale()
  const candidateReasons = JSON.parse(player.candidate_reasons) as Message[]
  // The labels say the unit (万元), as the lists do.
  const yuan = (v: number | null) => (v === null ? null : (v / 10_000).toLocaleString(locale, { maximumFractionDigits: 2 }))
  const facts: Fact[] = [
    [t('player.kind'), t(`kind.${player.kind}`)],
    [t('column.uscc'), player.uscc],
    [t('column.legalRepresentative'), player.legal_representative],
    [t('column.owner'), player.owner],
    [t('column.phone'), result?.revealed ? result.revealed.phone : player.phone_masked],
    [t('column.idNumber'), result?.revealed ? result.revealed.idNumber : player.id_number_masked],
    [t('player.industry'), player.industry ? `${player.industry} ${industrySectionName(player.industry as 'A', locale)}${player.industry_code ? ` (${player.industry_code})` : ''}` : null],
    [t('column.employees'), player.employees],
    [t('column.revenue'), yuan(player.revenue_yuan)],
    [t('column.assets'), yuan(player.assets_yuan)],
    [t('column.registeredOn'), player.registered_on],
    [t('column.registrationStatus'), player.registration_status ? t(`registrationStatus.${player.registration_status as 'active'}`) : null],
    [t('column.taxGrade'), player.tax_grade],
    [t('column.loanHistory'), t(`loanHistory.${player.loan_history}`)],
    [t('column.loanCheckedOn'), player.loan_checked_on],
    [t('column.address'), player.address],
    [
      t('player.township'),
      player.area_basis && player.area_code
        ? `${t(`player.areaBasis.${player.area_basis}`, { name: township?.name ?? player.area_code })} (${township?.code ?? player.area_code})`
        : township
          ? `${township.name} (${township.code})`
          : player.area_code,
    ],
    [t('table.orgUnit'), orgUnit?.name],
    [t('player.officer'), officer?.name ?? t('player.unassigned')],
    [t('player.campaignStatus'), t(`campaignStatus.${player.campaign_status as 'visited'}`)],
    [t('player.source'), t(`source.${player.source as 'tax'}`)],
  ]

  return (
    <div className="stack">
      <p>
        <Link to="/players">← {t('nav.players')}</Link>
      </p>
      <div className="title-row">
        <h1>{player.name}</h1>
        <div className="row-actions">
          {canLogVisit ? (
            <Link to={`/players/${player.id}/visit`} className="button-link primary">
              {t('my.logVisit')}
            </Link>
          ) : null}
          {canEdit ? (
            <Link to={`/players/${player.id}/edit`} className="button-link">
              {t('users.edit')}
            </Link>
          ) : null}
        </div>
      </div>
      <ActionResult done={result?.done} formError={summedAtButton ? null : result?.formError} />
      {clock ? <PlayerClocks clock={clock} now={now} canAct={canLogVisit} errors={result?.intent === 'clock-decide' ? result.errors : undefined} formError={result?.intent === 'clock-decide' ? result.formError : null} /> : null}

      {player.lead_to_verify ? <LeadToVerify leadMatch={leadMatch} canEdit={canEdit} /> : null}

      <section className="card" aria-labelledby="candidate">
        <h2 id="candidate">
          <span className={`badge candidate-${player.candidate_status}`}>{t(`candidateStatus.${player.candidate_status as 'candidate'}`)}</span>
        </h2>
        <ul className="reasons">
          {candidateReasons.map((r, i) => (
            <li key={i}>{tm(r)}</li>
          ))}
        </ul>
      </section>

      <div className="two-columns">
        <section className="card" aria-labelledby="facts">
          <h2 id="facts">{t('player.facts')}</h2>
          <FactList facts={facts} />
          {canUnmask && !result?.revealed && (player.phone_masked || player.id_number_masked) ? (
            <Form method="post">
              <input type="hidden" name="intent" value="unmask" />
              <button type="submit">{t('player.unmask')}</button>
              <p className="muted small">{t('player.unmaskNote')}</p>
            </Form>
          ) : null}
        </section>

        <section className="card" aria-labelledby="where">
          <h2 id="where">{t('player.where')}</h2>
          {player.lat !== null && player.lng !== null ? (
            <>
              <ClientOnly fallback={<div className="player-map" />}>
                {() => <PlayerMap lat={player.lat!} lng={player.lng!} label={player.name} approximate={player.position_approximate === 1} tiles={tiles} />}
              </ClientOnly>
              <p className="muted small">
                {player.lat.toFixed(6)}, {player.lng.toFixed(6)} {player.position_approximate ? `· ${t('player.approximate')}` : ''}
              </p>
            </>
          ) : (
            <p className="muted">{t('player.noPosition')}</p>
          )}
        </section>
      </div>

      <SizeClassSection player={player} canEdit={canEdit} errors={result?.errors} sent={result?.intent === 'override' ? result : null} />
      <ProductsSection playerId={player.id} need={need} verdicts={verdicts} canHandOff={canLogVisit} handOff={result ? { product: result.handOffProduct, errors: result.errors, formError: result.formError } : undefined} />
      <ConsentStanding playerId={player.id} consent={consent} canSign={canLogVisit} />
      <PlayerVisits visits={visits} />
      <PlayerTimeline assignments={assignments} sources={sources} />
    </div>
  )
}
