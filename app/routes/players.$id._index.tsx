// One market player: everything known, where it sits, who looks after it, which lists said
// what. Personal data masked unless revealed by a role allowed to (and then audited).
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import leafletStyles from 'leaflet/dist/leaflet.css'
import { z } from 'zod'
import { ActionResult, Field, SelectField } from '../components/field'
import { FormErrorSummary } from '../components/form-error-summary'
import { FactList, type Fact } from '../components/fact-list'
import { ClientOnly } from '../components/hydrated'
import { PlayerMap } from '../components/player-map.client'
import { choice, msg, parseForm, requiredText, type FieldErrors } from '../forms/fields'
import { industrySectionName } from '../domain/industry'
import { SIZE_CLASSES } from '../domain/market-player'
import { tileLayerFor } from '../domain/map-tiles'
import { can } from '../domain/roles'
import { actorOf, callerOf, notFound, requirePermission, requireUser, userScope } from '../http/guards.server'
import { idParam, toFieldOrFormError, toFormError } from '../http/errors.server'
import { isMessageKey, type Message } from '../i18n/index'
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
import { chinaDay, chinaTimeText, todayInChina } from '../domain/china-time'
import { formatDistance } from '../components/visit-form'
import { decisionSchema, PlayerClocks } from '../components/player-clocks'
import { findPlayerClock } from '../services/clocks/player-clock.server'
import { acceptLead } from '../services/clocks/accept-lead.server'
import { recordContact } from '../services/clocks/record-contact.server'
import { recordDecision } from '../services/clocks/record-decision.server'
import { productLabel } from '../components/product-label'
import { moneyText } from '../domain/money-text'
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
  const sizeBasis = player.size_class_basis ? (JSON.parse(player.size_class_basis) as Message) : null
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

      {player.lead_to_verify ? (
        <section className="card" aria-labelledby="lead" data-testid="lead-to-verify">
          <h2 id="lead">{t('player.leadToVerify')}</h2>
          <p>{t('player.leadToVerifyHelp')}</p>
          {leadMatch ? (
            <>
              <p>
                {t('player.leadMatch')} <Link to={`/players/${leadMatch.id}`}>#{leadMatch.id} {leadMatch.name}</Link> ({leadMatch.uscc}
                {leadMatch.address ? `, ${leadMatch.address}` : ''})
              </p>
              {canEdit ? (
                <div className="row-actions">
                  <Form method="post">
                    <input type="hidden" name="intent" value="lead-same" />
                    <button type="submit" className="primary">
                      {t('player.leadSame')}
                    </button>
                  </Form>
                  <Form method="post">
                    <input type="hidden" name="intent" value="lead-not-same" />
                    <button type="submit">{t('player.leadNotSame')}</button>
                  </Form>
                </div>
              ) : null}
            </>
          ) : null}
        </section>
      ) : null}

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

      <section className="card" aria-labelledby="size">
        <h2 id="size">
          {t('player.sizeClass')}: {player.size_class ? t(`sizeClass.${player.size_class as 'micro'}`) : '—'}
        </h2>
        {sizeBasis ? <p className="muted">{tm(sizeBasis)}</p> : null}
        {player.size_class_override_reason ? (
          <p>
            {t('player.overrideReason')}: {player.size_class_override_reason}
            {player.size_class_computed ? ` (${t('player.computed')}: ${t(`sizeClass.${player.size_class_computed as 'micro'}`)})` : ''}
          </p>
        ) : null}
        {canEdit ? (
          <details>
            <summary>{t('player.override')}</summary>
            <Form method="post" className="form-grid">
              <input type="hidden" name="intent" value="override" />
              <SelectField label={t('player.sizeClass')} name="sizeClass" options={SIZE_CLASSES.map((s) => ({ value: s, label: t(`sizeClass.${s}`) }))} errors={result?.errors?.sizeClass} />
              <Field label={t('player.overrideReason')} name="reason" required maxLength={200} errors={result?.errors?.reason} />
              <FormErrorSummary errors={result?.intent === 'override' ? result.errors : null} formError={result?.intent === 'override' ? result.formError : null} />
              <button type="submit" className="secondary">
                {t('common.save')}
              </button>
            </Form>
            {player.size_class_override_reason ? (
              <Form method="post">
                <input type="hidden" name="intent" value="clear-override" />
                <button type="submit" className="link-button">
                  {t('player.clearOverride')}
                </button>
              </Form>
            ) : null}
          </details>
        ) : null}
      </section>

      <section className="card" aria-labelledby="products">
        <h2 id="products">{t('product.title')}</h2>
        {need ? (
          <p className="muted">
            {t('product.needFrom', { date: chinaDay(need.visitedAt), amount: need.amountYuan !== null ? moneyText(need.amountYuan, locale) : '—' })}
          </p>
        ) : (
          <p className="muted">{t('product.noNeedYet')}</p>
        )}
        <ul className="verdicts">
          {verdicts.map((v) => (
            <li key={v.product} className={v.qualifies ? 'qualifies' : 'refused'} data-product={v.product}>
              <strong>{productLabel(t, v.product, v.name)}</strong>{' '}
              {v.qualifies ? (
                <span className="badge candidate-candidate">{t('product.qualifies', { amount: (v.amountYuan ?? 0).toLocaleString(locale), limit: (v.limitYuan ?? 0).toLocaleString(locale) })}</span>
              ) : (
                <span className="badge">{t('product.refused')}</span>
              )}
              {v.qualifies && canLogVisit ? (
                // The hand-off in plain sight, its primary action a button (no disclosure to find it behind).
                <Form method="post" className="form-grid hand-off" aria-label={t('referral.handOff')}>
                  <input type="hidden" name="intent" value="hand-off" />
                  <input type="hidden" name="productCode" value={v.product} />
                  <Field label={t('referral.amount')} name="amount" inputMode="decimal" defaultValue={String((v.amountYuan ?? 0) / 10_000)} errors={result?.handOffProduct === v.product ? (result.errors?.amount ?? result.errors?.amountYuan) : undefined} />
                  <Field label={t('visit.needTermMonths')} name="termMonths" inputMode="numeric" defaultValue={need?.termMonths ? String(need.termMonths) : ''} errors={result?.handOffProduct === v.product ? result.errors?.termMonths : undefined} />
                  {result?.handOffProduct === v.product ? (
                    <div>
                      <FormErrorSummary errors={result.errors} formError={result.formError} />
                      {result.errors?.productCode ? <Link to={`/players/${player.id}/consent`}>{t('consent.signNow')}</Link> : null}
                    </div>
                  ) : null}
                  <button type="submit" className="primary">
                    {t('referral.handOffTo', { product: v.name })}
                  </button>
                </Form>
              ) : null}
              <ul className="reasons">
                {v.reasons.map((r, i) => (
                  <li key={i} className={r.ok ? 'ok' : 'failed'}>
                    {r.ok ? '✓ ' : '✗ '}
                    {tm(r.message)}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="player-consent">
        <h2 id="player-consent">{t('consent.title')}</h2>
        <p data-testid="consent-standing">
          {consent ? (
            <>
              <span className={`badge${consent.standing === 'valid' ? ' candidate-candidate' : ''}`}>{t(`consent.standing.${consent.standing}`)}</span>{' '}
              {consent.standing === 'valid' ? t('consent.expiresAt', { at: chinaTimeText(consent.expiresAt) }) : null}
            </>
          ) : (
            t('consent.none')
          )}
        </p>
        <Link to={`/players/${player.id}/consent`} className={canLogVisit ? 'button-link' : undefined}>
          {canLogVisit ? t('consent.signNow') : t('consent.title')}
        </Link>
      </section>

      <section className="card" aria-labelledby="player-visits">
        <h2 id="player-visits">{t('nav.visits')}</h2>
        {visits.length ? (
          <ul className="audit">
            {visits.map((v) => (
              <li key={v.id}>
                <Link to={`/visits/${v.id}`}>
                  <time dateTime={v.visitedAt}>{chinaTimeText(v.visitedAt)}</time>
                </Link>{' '}
                · {v.officerName} · {t(`visit.channel.${v.channel}`)}
                {v.outcome ? ` · ${t(`visit.outcome.${v.outcome as 'refer'}`)}` : ''}
                {v.need.has ? ` · ${t('visit.hasNeed')}${v.need.amountYuan !== null ? ` ${t('visits.needAmount', { amount: moneyText(v.need.amountYuan, locale) })}` : ''}` : ''}
                {v.checkIn.distanceMetres !== null ? ` · ${formatDistance(v.checkIn.distanceMetres)}` : ''}
                {v.checkIn.flag ? <span className="badge flag"> {t(`visit.flag.${v.checkIn.flag as 'far'}`)}</span> : null}
                {v.conflict ? <span className="badge flag"> {t('visit.flag.conflict')}</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('campaignStatus.not_visited')}</p>
        )}
      </section>

      <section className="card" aria-labelledby="timeline">
        <h2 id="timeline">{t('player.timeline')}</h2>
        <ul className="audit">
          {[
            ...assignments.map((a) => ({
              at: a.at,
              text: `${t('player.assignedTo', { officer: a.officerName ?? t('player.unassigned') })}${a.byName ? ` · ${a.byName}` : ''}${
                a.reason ? ` · ${isMessageKey(a.reason) ? t(a.reason) : a.reason}` : ''
              }`,
            })),
            ...sources.map((s) => ({
              at: s.at,
              text: `${t(`source.${s.source as 'tax'}`)}${s.importJobId ? ` #${s.importJobId}${s.row ? ` ${t('player.row', { row: s.row })}` : ''}` : ''}: ${Object.keys(JSON.parse(s.said) as object)
                .map((k) => t(`column.${k === 'revenueYuan' ? 'revenue' : k === 'assetsYuan' ? 'assets' : k === 'industryCode' ? 'industry' : k}` as 'column.uscc'))
                .join('、')}`,
            })),
          ]
            .sort((a, b) => b.at.localeCompare(a.at))
            .map((e, i) => (
              <li key={i}>
                <time dateTime={e.at}>{chinaTimeText(e.at)}</time> · {e.text}
              </li>
            ))}
        </ul>
      </section>
    </div>
  )
}
