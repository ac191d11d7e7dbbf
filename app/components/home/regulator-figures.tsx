// hq's home: the two figures the regulator scores a bank by, for the year so far, each with
// its month-by-month trend, and the way to the dashboard.
import { Link } from '@remix-run/react'
import { useLocale, useT } from '../../i18n/use-t'
import { TrendChart } from './trend-chart'

interface Month {
  month: string
  firstLenderConversions: number
  creditLoanShareByCount: number | null
}

export interface RegulatorFiguresData {
  year: { from: string; to: string }
  figures: { newLoanCustomers: number; firstLenderConversions: number; firstLenderRatio: number | null; creditLoanShareByCount: number | null; creditLoanShareByAmount: number | null }
  months: Month[]
}

export function RegulatorFigures({ data }: { data: RegulatorFiguresData }) {
  const t = useT()
  const locale = useLocale()
  const count = new Intl.NumberFormat(locale)
  const percent = (v: number | null) => (v === null ? t('home.regulator.none') : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(v))
  const monthName = new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' })
  const label = (m: Month) => monthName.format(new Date(`${m.month}-01T00:00:00Z`))
  const { figures } = data
  return (
    <section className="card regulator-figures home-regulator" aria-labelledby="regulator-title" data-testid="regulator-figures">
      <h2 id="regulator-title">{t('home.regulator.title', { year: data.year.from.slice(0, 4) })}</h2>
      <ul>
        <li className="regulator-figure" data-testid="first-lender-conversions">
          <span className="figure-label">{t('home.regulator.conversions')}</span>
          <span className="figure-value">{count.format(figures.firstLenderConversions)}</span>
          <span className="figure-note">{t('home.regulator.ratio', { ratio: percent(figures.firstLenderRatio), customers: count.format(figures.newLoanCustomers) })}</span>
          <TrendChart
            kind="bars"
            title={`${t('home.regulator.trendConversions')} · ${t('home.regulator.trend', { count: data.months.length })}`}
            points={data.months.map((m) => ({ label: label(m), value: m.firstLenderConversions, shown: count.format(m.firstLenderConversions) }))}
          />
        </li>
        <li className="regulator-figure" data-testid="credit-loan-share">
          <span className="figure-label">{t('home.regulator.creditShare')}</span>
          <span className="figure-value">{percent(figures.creditLoanShareByCount)}</span>
          <span className="figure-note">{t('home.regulator.creditShareAmount', { ratio: percent(figures.creditLoanShareByAmount) })}</span>
          <TrendChart
            kind="line"
            title={`${t('home.regulator.trendCreditShare')} · ${t('home.regulator.trend', { count: data.months.length })}`}
            points={data.months.map((m) => ({ label: label(m), value: m.creditLoanShareByCount, shown: percent(m.creditLoanShareByCount) }))}
          />
        </li>
      </ul>
      <p className="home-actions">
        <Link to="/dashboard?period=year" className="button-link primary">
          {t('home.regulator.dashboard')}
        </Link>
      </p>
    </section>
  )
}
