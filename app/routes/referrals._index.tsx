// The pipeline: referrals in scope by stage (a bar per stage, then the table), those
// overdue for the bank's acceptance first.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { chinaTimeText } from '../domain/china-time'
import { STAGES, isStage } from '../domain/pipeline'
import { requireUser, userScope } from '../http/guards.server'
import { useLocale, useT } from '../i18n/use-t'
import { productLabel } from '../components/product-label'
import { CardTable } from '../components/card-table'
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
          <CardTable
            rows={referrals}
            rowKey={(r) => r.id}
            rowProps={(r) => ({ className: r.overdue ? 'flagged-row' : undefined, 'data-referral': r.id })}
            columns={[
              {
                header: t('visits.player'),
                title: true,
                cell: (r) => (
                  <>
                    <Link to={`/referrals/${r.id}`}>{r.playerName}</Link> {r.firstLender ? <span className="badge candidate-candidate">{t('referral.firstLender')}</span> : null}
                  </>
                ),
              },
              { header: t('referral.product'), cell: (r) => productLabel(t, r.productCode, r.productName) },
              { header: t('referral.amountYuan'), className: 'num', cell: (r) => r.amountYuan.toLocaleString(locale) },
              { header: t('referral.stage'), cell: (r) => <span className="badge">{t(`stage.${r.stage as 'referred'}`)}</span> },
              { header: t('referral.referredAt'), cell: (r) => when(r.referredAt) },
              { header: t('referral.acceptDue'), cell: (r) => (r.overdue ? <span className="badge flag">{t('referral.overdue')}</span> : r.acceptedAt ? '✓' : when(r.acceptDueAt)) },
              { header: t('visits.officer'), cell: (r) => r.officerName },
            ]}
          />
        ) : (
          <p className="muted">{t('referral.none')}</p>
        )}
      </section>
    </div>
  )
}
