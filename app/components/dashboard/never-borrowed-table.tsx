// Per source list and channel, how often its "never borrowed" was right (of the players
// disbursed in the period with no loan history when referred, the share the loan system
// flagged first lender).
import type { NeverBorrowedRow } from '../../services/never-borrowed.server'
import { useLocale, useT } from '../../i18n/use-t'
import { formatValue } from './figure-format'
import { countText } from '../../domain/number-text'

export function NeverBorrowedTable({ rows }: { rows: NeverBorrowedRow[] }) {
  const t = useT()
  const locale = useLocale()
  return (
    <section className="card" aria-labelledby="never-borrowed" data-testid="never-borrowed">
      <h2 id="never-borrowed">{t('dashboard.neverBorrowed')}</h2>
      <p className="muted small">{t('dashboard.neverBorrowedHint')}</p>
      {rows.length === 0 ? (
        <p className="muted">{t('dashboard.neverBorrowedNone')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('dashboard.neverBorrowedSource')}</th>
                <th scope="col">{t('reconciliation.column.channel')}</th>
                <th scope="col">{t('dashboard.neverBorrowedPlayers')}</th>
                <th scope="col">{t('dashboard.neverBorrowedFlagged')}</th>
                <th scope="col">{t('dashboard.neverBorrowedNotFlagged')}</th>
                <th scope="col">{t('dashboard.neverBorrowedUnflagged')}</th>
                <th scope="col">{t('dashboard.neverBorrowedRight')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.source}:${row.channel}`} data-source={row.source} data-channel={row.channel}>
                  <th scope="row">{row.source}</th>
                  <td>{t(`reconciliation.channel.${row.channel}`)}</td>
                  <td>{countText(row.players)}</td>
                  <td>{row.flagged}</td>
                  <td>{row.notFlagged}</td>
                  <td>{row.unflagged}</td>
                  <td data-right>{formatValue(row.right, 'ratio', locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
