// One referral: the case as it was handed off (with the verdict it was made with), its
// delivery to the loan system, and its stage history beside the visit that started it.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData, useRevalidator, useSearchParams } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { PROGRESS_STAGES, isFinished } from '../domain/pipeline'
import { FactList, type Fact } from '../components/fact-list'
import { chinaTimeText } from '../domain/china-time'
import { notFound, requireUser, userScope } from '../http/guards.server'
import { idParam } from '../http/errors.server'
import { useLocale, useT, useTranslateMessage } from '../i18n/use-t'
import { productLabel } from '../components/product-label'
import { getReferral } from '../services/referrals.server'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const found = await getReferral(context.db, userScope(user), idParam(params.id))
  if (!found) throw notFound()
  return { ...found, now: new Date().toISOString() }
}

export default function ReferralPage() {
  const t = useT()
  const tm = useTranslateMessage()
  const locale = useLocale()
  const [params] = useSearchParams()
  const { referral: r, events, delivery, verdict, now } = useLoaderData<typeof loader>()
  const when = (iso: string | null) => (iso ? chinaTimeText(iso) : null)
  const finished = isFinished(r.stage)
  useLiveStage(finished)
  const overdue = !r.accepted_at && r.stage === 'referred' && r.accept_due_at < now
  const facts: Fact[] = [
    [t('visits.player'), <Link key="p" to={`/players/${r.player_id}`}>{r.player_name}</Link>],
    // The catalogue's version is for audit (the verdict records it), not for the officer.
    [t('referral.product'), productLabel(t, r.product_code, r.product_name)],
    [t('referral.amountYuan'), Number(r.amount_yuan).toLocaleString(locale)],
    [t('visit.needTermMonths'), r.term_months],
    [t('referral.credit'), r.credit ? t('common.yes') : t('common.no')],
    [t('referral.firstLender'), r.first_lender ? t('common.yes') : t('common.no')],
    [t('referral.stage'), t(`stage.${r.stage as 'referred'}`)],
    [t('referral.referredAt'), when(r.referred_at)],
    // The acceptance deadline matters only until the loan system accepts (or the case ends).
    ...(r.stage === 'referred' ? [[t('referral.acceptDue'), overdue ? `${when(r.accept_due_at)} · ${t('referral.overdue')}` : when(r.accept_due_at)] as Fact] : []),
    [t('referral.externalRef'), r.external_ref],
    [t('visits.officer'), r.officer_name],
    [t('referral.delivery'), delivery ? `${t(`referral.delivery.${delivery.state as 'pending'}`)}${delivery.attempts ? ` · ${t('outbox.attempts', { count: delivery.attempts })}` : ''}${delivery.last_error ? ` · ${delivery.last_error}` : ''}` : null],
  ]
  return (
    <div className="stack">
      <p>
        <Link to="/referrals">← {t('referral.title')}</Link>
      </p>
      <h1>{t('referral.one', { name: r.player_name })}</h1>
      {params.get('handedOff') ? <p className="notice" role="status">{t('referral.handedOff')}</p> : null}
      <StageStepper stage={r.stage} reached={events.map((e) => e.stage)} />
      <div className="two-columns">
        <section className="card">
          <FactList facts={facts} />
        </section>
        <section className="card" aria-labelledby="history">
          <h2 id="history">{t('referral.history')}</h2>
          <ol className="stage-history" data-testid="stage-history">
            {events.map((e, i) => (
              <li key={i}>
                <strong>{t(`stage.${e.stage as 'referred'}`)}</strong> · <time dateTime={e.at}>{when(e.at)}</time>
                {e.reason ? ` · ${e.reason}` : ''}
              </li>
            ))}
          </ol>
          {r.visit_id ? (
            <p>
              <Link to={`/visits/${r.visit_id}`}>{t('referral.fromVisit')}</Link>
            </p>
          ) : null}
          <h3>{t('referral.verdict')}</h3>
          <ul className="reasons">
            {verdict.reasons.map((reason, i) => (
              <li key={i}>{(reason.ok ? '✓ ' : '✗ ') + tm(reason.message)}</li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  )
}

/** How often an open referral's page asks for its stage: the loan system reports in seconds. */
const POLL_MS = 4_000

/**
 * Reloads the page's data every few seconds while the referral is open and the page is seen
 * (a hidden tab asks nothing, and asks at once when shown again), so stages appear live.
 */
function useLiveStage(finished: boolean) {
  const revalidator = useRevalidator()
  const latest = useRef(revalidator)
  latest.current = revalidator
  useEffect(() => {
    if (finished) return
    const tick = () => {
      if (document.visibilityState === 'visible' && latest.current.state === 'idle') latest.current.revalidate()
    }
    const timer = window.setInterval(tick, POLL_MS)
    document.addEventListener('visibilitychange', tick)
    return () => {
      window.clearInterval(timer)
      document.removeEventListener('visibilitychange', tick)
    }
  }, [finished])
}

/** The seven stages of a hand-off in a row: those passed, the current one, those to come (or how it closed). */
function StageStepper({ stage, reached }: { stage: string; reached: string[] }) {
  const t = useT()
  const furthest = Math.max(0, ...reached.map((s) => PROGRESS_STAGES.indexOf(s as (typeof PROGRESS_STAGES)[number])))
  const closed = !(PROGRESS_STAGES as readonly string[]).includes(stage)
  return (
    <ol className="stepper" aria-label={t('referral.stage')} data-testid="stepper">
      {PROGRESS_STAGES.map((s, i) => {
        const state = i < furthest || (i === furthest && (closed || s === 'disbursed')) ? 'done' : i === furthest ? 'current' : 'todo'
        return (
          <li key={s} className={`step step-${state}`} aria-current={state === 'current' ? 'step' : undefined} data-stage={s}>
            <span className="step-mark" aria-hidden="true">{state === 'done' ? '✓' : i + 1}</span>
            <span className="step-name">{t(`stage.${s}`)}</span>
          </li>
        )
      })}
      {closed ? (
        <li className="step step-closed" aria-current="step" data-stage={stage}>
          <span className="step-mark" aria-hidden="true">✗</span>
          <span className="step-name">{t(`stage.${stage as 'declined'}`)}</span>
        </li>
      ) : null}
    </ol>
  )
}
