// The pipeline: referrals in scope by stage (a bar per stage, then the table), those
// overdue for the bank's acceptance first.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { chinaTimeText } from '../domain/china-time'
import { STAGES, isStage } from '../domain/pipeline'
import { requireUser, userScope } from '../http/guards.server'
import { useLocale, useT } from '../i18n/use-t'
import { productLabel } from '../components/product-label'
import { listReferrals } from '../services/referrals.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const params = new URL(request.url).searchParams
  const stage = params.get('stage')
  const overdueOnly = params.get('overdue') === '1'
  const firstLenderOnly = params.get('firstLender') === '1'
  const list = await listReferrals(context.db, userScope(user), { stage: isStage(stage) ? stage : undefined, overdueOnly, firstLenderOnly })
  return { ...list, stage: isStage(stage) ? stage : '', overdueOnly, firstLenderOnly }
}

export default function Referrals() {
  const t = useT()
  const locale = useLocale()
  const { referrals, byStage, stage, overdueOnly, firstLenderOnly } = useLoaderData<typeof loader>()
  const most = Math.max(1, ...Object.values(byStage))
  const when = chinaTimeText
  return (
    <div className="stack">
      <h1>{t('referral.title')}</h1>
      <section className="card" aria-labelledby="board">
        <h2 id="board">{t('referral.board')}</h2>
        <ol className="stage-board">
          {STAGES.map((s) => (
            <li key={s}>
              <Link to={`?stage=${s}`} className={stage === s ? 'active' : undefined}>
                <span className="stage-name">{t(`stage.${s}`)}</span>
                <span className="stage-bar" style={{ width: `${Math.round(((byStage[s] ?? 0) / most) * 100)}%` }} />
                <span className="num">{byStage[s] ?? 0}</span>
              </Link>
            </li>
          ))}
        </ol>
      </section>
      <Form method="get" className="toolbar">
        <label>
          {t('referral.stage')}{' '}
          <select name="stage" defaultValue={stage}>
            <option value="">{t('referral.allStages')}</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {t(`stage.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox-field">
          <input type="checkbox" name="overdue" value="1" defaultChecked={overdueOnly} /> {t('referral.overdueOnly')}
        </label>
        <label className="checkbox-field">
          <input type="checkbox" name="firstLender" value="1" defaultChecked={firstLenderOnly} /> {t('referral.firstLenderOnly')}
        </label>
        <button type="submit">{t('common.apply')}</button>
      </Form>
      <section className="card">
        {referrals.length ? (
          <div className="table-wrap">
            {/* A table on a laptop, a card per referral on a phone (pages.css), each cell labelled. */}
            <table className="cards-on-phone">
              <thead>
                <tr>
                  <th>{t('visits.player')}</th>
                  <th>{t('referral.product')}</th>
                  <th className="num">{t('referral.amountYuan')}</th>
                  <th>{t('referral.stage')}</th>
                  <th>{t('referral.referredAt')}</th>
                  <th>{t('referral.acceptDue')}</th>
                  <th>{t('visits.officer')}</th>
                </tr>
              </thead>
              <tbody>
                {referrals.map((r) => (
                  <tr key={r.id} className={r.overdue ? 'flagged-row' : undefined} data-referral={r.id}>
                    <td className="card-title">
                      <Link to={`/referrals/${r.id}`}>{r.playerName}</Link> {r.firstLender ? <span className="badge candidate-candidate">{t('referral.firstLender')}</span> : null}
                    </td>
                    <td data-label={t('referral.product')}>{productLabel(t, r.productCode, r.productName)}</td>
                    <td className="num" data-label={t('referral.amountYuan')}>{r.amountYuan.toLocaleString(locale)}</td>
                    <td data-label={t('referral.stage')}>
                      <span className="badge">{t(`stage.${r.stage as 'referred'}`)}</span>
                    </td>
                    <td data-label={t('referral.referredAt')}>{when(r.referredAt)}</td>
                    <td data-label={t('referral.acceptDue')}>{r.overdue ? <span className="badge flag">{t('referral.overdue')}</span> : r.acceptedAt ? '✓' : when(r.acceptDueAt)}</td>
                    <td data-label={t('visits.officer')}>{r.officerName}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t('referral.none')}</p>
        )}
      </section>
    </div>
  )
}
