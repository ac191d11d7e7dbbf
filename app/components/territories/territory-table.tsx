// The territories the user may see: officer, players (and how many of them keep an officer
// chosen by hand, which is why fewer move with a territory than it holds), townships; for
// a manager, reassigning and deleting.
import { Form } from '@remix-run/react'
import { Field, SelectField } from '../field'
import type { Message } from '../../i18n/index'
import { useT } from '../../i18n/use-t'
import { countText } from '../../domain/number-text'

export interface ShownTerritory {
  id: number
  name: string
  orgName: string
  officerId: number | null
  officerName: string | null
  players: number
  byHand: number
  townships: string[]
  drawn: boolean
}

export function TerritoryTable({
  territories,
  canManage,
  officerOptions,
  busy,
  errorsOf,
}: {
  territories: ShownTerritory[]
  canManage: boolean
  officerOptions: { value: string | number; label: string }[]
  busy: boolean
  errorsOf: (intent: string, field: string, id?: number) => Message[] | undefined
}) {
  const t = useT()
  return (
    <section className="card" aria-labelledby="territory-list">
      <h2 id="territory-list">{t('territory.list')}</h2>
      {canManage ? null : <p className="muted">{t('territory.readOnly')}</p>}
      {territories.length === 0 ? (
        <p className="empty-state">{t('territory.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="cards territories">
            <thead>
              <tr>
                <th>{t('table.name')}</th>
                <th>{t('table.orgUnit')}</th>
                <th>{t('territory.officer')}</th>
                <th className="num">{t('territory.players')}</th>
                <th className="num">{t('territory.byHand')}</th>
                <th>{t('territory.townships')}</th>
                {canManage ? <th>{t('table.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {territories.map((ter) => (
                <tr key={ter.id} data-territory={ter.name}>
                  <td className="card-title">{ter.name}</td>
                  <td data-label={t('table.orgUnit')}>{ter.orgName}</td>
                  <td data-label={t('territory.officer')} className="officer">{ter.officerName ?? t('territory.unassignedOfficer')}</td>
                  <td data-label={t('territory.players')} className="num players">{countText(ter.players)}</td>
                  <td data-label={t('territory.byHand')} className="num by-hand">{ter.byHand}</td>
                  <td data-label={t('territory.townships')}>{[...ter.townships, ...(ter.drawn ? [t('territory.drawn')] : [])].join('、')}</td>
                  {canManage ? (
                    <td data-label={t('table.actions')}>
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
      {territories.length ? <p className="muted small">{t('territory.playersNote')}</p> : null}
    </section>
  )
}
