// The territories the user may see: officer, players (and how many of them keep an officer
// chosen by hand, which is why fewer move with a territory than it holds), townships; for
// a manager, reassigning and deleting.
import { Form } from '@remix-run/react'
import { Field, SelectField } from '../field'
import type { Message } from '../../i18n/index'
import { useT } from '../../i18n/use-t'
import { countText } from '../../domain/number-text'
import { CardTable } from '../card-table'

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
      <CardTable
        rows={territories}
        rowKey={(ter) => ter.id}
        rowProps={(ter) => ({ 'data-territory': ter.name })}
        className="territories"
        empty={t('territory.none')}
        columns={[
          { header: t('table.name'), title: true, cell: (ter) => ter.name },
          { header: t('table.orgUnit'), cell: (ter) => ter.orgName },
          { header: t('territory.officer'), cellProps: () => ({ className: 'officer' }), cell: (ter) => ter.officerName ?? t('territory.unassignedOfficer') },
          { header: t('territory.players'), className: 'num', cellProps: () => ({ className: 'players' }), cell: (ter) => countText(ter.players) },
          { header: t('territory.byHand'), className: 'num', cellProps: () => ({ className: 'by-hand' }), cell: (ter) => ter.byHand },
          { header: t('territory.townships'), cell: (ter) => [...ter.townships, ...(ter.drawn ? [t('territory.drawn')] : [])].join('、') },
          canManage && {
            header: t('table.actions'),
            cell: (ter) => (
              <>
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
              </>
            ),
          },
        ]}
      />
      {territories.length ? <p className="muted small">{t('territory.playersNote')}</p> : null}
    </section>
  )
}
