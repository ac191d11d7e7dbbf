// The view as a file: XLSX or CSV, masked; unmasked only by a POST from one who may unmask.
import { Form, useSearchParams } from '@remix-run/react'
import { useT } from '../../i18n/use-t'
import { withParam } from './figure-format'

export function ExportLinks({ canUnmask }: { canUnmask: boolean }) {
  const t = useT()
  const [params] = useSearchParams()
  return (
    // A div, not a p: a p cannot hold the unmasking form, and the browser would split it.
    <div className="toolbar" aria-label={t('dashboard.export')}>
      <a href={`/dashboard/export?${withParam(params, 'format', 'xlsx')}`} download>
        {t('dashboard.exportXlsx')}
      </a>
      <a href={`/dashboard/export?${withParam(params, 'format', 'csv')}`} download>
        {t('dashboard.exportCsv')}
      </a>
      {canUnmask ? (
        // A post, not a link: unmasking is an act, and another site cannot make it.
        <Form reloadDocument method="post" action={`/dashboard/export?${withParam(params, 'format', 'xlsx')}`} className="inline-form">
          <input type="hidden" name="unmask" value="1" />
          <button type="submit" className="link-button">
            {t('dashboard.exportUnmasked')}
          </button>
        </Form>
      ) : null}
    </div>
  )
}
