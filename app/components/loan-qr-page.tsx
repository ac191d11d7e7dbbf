// The loan QR code's public page, rendered on the server to plain HTML (no app bundle, no
// Leaflet, no hydration): a few kilobytes that read on a phone over slow 3G and without
// JavaScript. A tiny inline script does the proof of work while the firm types.
import type { ReactNode } from 'react'
import { LOAN_QR_CONSENT_VERSION, LOAN_QR_MAX, LOAN_QR_POW_BITS, type LoanQrField } from '../domain/loan-qr'
import type { Locale, MessageKey, Translate } from '../i18n/index'

const STYLE = `body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2937;background:#f5f6f8}
main{max-width:30rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh;box-sizing:border-box}
h1{font-size:1.3rem;margin:.2rem 0 .6rem}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input,select,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.55rem;border:1px solid #9ca3af;border-radius:6px}
.consent{display:flex;gap:.5rem;font-weight:400;font-size:.9rem}.consent input{width:auto;margin-top:.3rem}
button{margin-top:1rem;width:100%;padding:.8rem;font:inherit;font-weight:600;color:#fff;background:#b91c1c;border:0;border-radius:6px}
.lang{text-align:right}.lang button{width:auto;margin:0;padding:.2rem .6rem;background:none;color:#1d4ed8;font-weight:400}
.note{font-size:.9rem;color:#4b5563}ul{padding-left:1.2rem}`

function script(bits: number): string {
  // Kept tiny and dependency-free; the server checks the same rule (loan-qr-challenge.server.ts).
  return `(function(){var f=document.getElementById('qr-form');if(!f||!window.crypto||!crypto.subtle)return;
var c=f.elements.challenge.value,n=f.elements.nonce,w=document.getElementById('qr-working'),ready=false,asked=false,e=new TextEncoder();
function ok(d){var b=${bits};for(var k=0;b>0;k++){if(b>=8){if(d[k])return false;b-=8}else return(d[k]>>(8-b))===0}return true}
(async function(){for(var i=0;;i++){var d=new Uint8Array(await crypto.subtle.digest('SHA-256',e.encode(c+':'+i)));if(ok(d)){n.value=String(i);ready=true;if(asked)f.submit();return}}})();
f.addEventListener('submit',function(ev){if(!ready){ev.preventDefault();asked=true;w.hidden=false}})})();`
}

export interface LoanQrPageProps {
  t: Translate
  locale: Locale
  nonce: string
  bankName: string
  outletName: string
  officerName: string | null
  /** Where the page lives, for the language switch to come back to. */
  path: string
}

function Shell({ t, locale, bankName, path, children, nonce, withScript }: LoanQrPageProps & { children: ReactNode; withScript?: boolean }) {
  const other: Locale = locale === 'en' ? 'zh-CN' : 'en'
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{t('loanQr.pageTitle', { bank: bankName })}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <main>
          <form method="post" action="/lang" className="lang">
            <input type="hidden" name="locale" value={other} />
            <input type="hidden" name="redirectTo" value={path} />
            <button type="submit">{other === 'en' ? 'English' : '中文'}</button>
          </form>
          {children}
        </main>
        {withScript ? <script nonce={nonce} dangerouslySetInnerHTML={{ __html: script(LOAN_QR_POW_BITS) }} /> : null}
      </body>
    </html>
  )
}

/** The form, with a fresh challenge. */
export function LoanQrForm(props: LoanQrPageProps & { challenge: string }) {
  const { t, bankName, outletName, officerName } = props
  const who = officerName ? t('loanQr.pageIntroOfficer', { name: officerName, outlet: outletName }) : t('loanQr.pageIntroOutlet', { outlet: outletName })
  return (
    <Shell {...props} withScript>
      <h1>{t('loanQr.pageTitle', { bank: bankName })}</h1>
      <p className="note">{t('loanQr.pageIntro', { who })}</p>
      <noscript>
        <p className="note">{t('loanQr.noScript')}</p>
      </noscript>
      <form method="post" id="qr-form">
        <label htmlFor="kind">{t('loanQr.kind')}</label>
        <select id="kind" name="kind" required defaultValue="enterprise">
          <option value="enterprise">{t('loanQr.kind.enterprise')}</option>
          <option value="household">{t('loanQr.kind.household')}</option>
        </select>
        <label htmlFor="name">{t('loanQr.name')}</label>
        <input id="name" name="name" required maxLength={LOAN_QR_MAX.name} autoComplete="organization" />
        <label htmlFor="uscc">{t('loanQr.uscc')}</label>
        <input id="uscc" name="uscc" maxLength={18} pattern="[0-9A-Za-z ]{18,22}" autoCapitalize="characters" />
        <label htmlFor="contactName">{t('loanQr.contactName')}</label>
        <input id="contactName" name="contactName" required maxLength={LOAN_QR_MAX.contactName} autoComplete="name" />
        <label htmlFor="phone">{t('loanQr.phone')}</label>
        <input id="phone" name="phone" required type="tel" inputMode="numeric" maxLength={14} pattern="(\+?86)?1[3-9][0-9]{9}" autoComplete="tel" />
        <label htmlFor="amountWan">{t('loanQr.amount')}</label>
        <input id="amountWan" name="amountWan" required type="number" inputMode="numeric" min={1} max={LOAN_QR_MAX.amountWan} step={1} />
        <label htmlFor="purpose">{t('loanQr.purpose')}</label>
        <textarea id="purpose" name="purpose" required maxLength={LOAN_QR_MAX.purpose} rows={2} />
        <label className="consent">
          <input type="checkbox" name="consent" value={LOAN_QR_CONSENT_VERSION} required />
          <span>{t('loanQr.consent', { bank: bankName })}</span>
        </label>
        <input type="hidden" name="challenge" value={props.challenge} />
        <input type="hidden" name="nonce" value="" />
        <button type="submit">{t('loanQr.submit')}</button>
        <p id="qr-working" className="note" hidden>
          {t('loanQr.working')}
        </p>
      </form>
    </Shell>
  )
}

/** Every answer after a post: it names what went wrong, never what was sent. */
export function LoanQrAnswer(props: LoanQrPageProps & { heading: MessageKey; line: MessageKey; errors?: Partial<Record<LoanQrField, MessageKey>> }) {
  const { t, errors } = props
  const labels: Record<LoanQrField, MessageKey> = {
    kind: 'loanQr.kind', name: 'loanQr.name', uscc: 'loanQr.uscc', contactName: 'loanQr.contactName', phone: 'loanQr.phone',
    amountWan: 'loanQr.amount', purpose: 'loanQr.purpose', consent: 'loanQr.error.consent',
  }
  return (
    <Shell {...props}>
      <h1>{t(props.heading)}</h1>
      <p>{t(props.line)}</p>
      {errors ? (
        <ul>
          {(Object.entries(errors) as [LoanQrField, MessageKey][]).map(([field, message]) => (
            <li key={field} data-field={field}>
              {field === 'consent' ? t(message) : `${t(labels[field])}：${t(message)}`}
            </li>
          ))}
        </ul>
      ) : null}
      {props.heading === 'loanQr.thanks' || props.heading === 'loanQr.notFound' ? null : (
        <p>
          <a href={props.path}>{t('loanQr.back')}</a>
        </p>
      )}
    </Shell>
  )
}
