// A lead to verify (no USCC) that an import found named like a player with a code: the match
// shown, and (one who may edit) the answer whether they are the same.
import { Form, Link } from '@remix-run/react'
import { useT } from '../../i18n/use-t'

export interface LeadMatch {
  id: number
  name: string
  uscc: string | null
  address: string | null
}

export function LeadToVerify({ leadMatch, canEdit }: { leadMatch: LeadMatch | null; canEdit: boolean }) {
  const t = useT()
  return (
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
  )
}
