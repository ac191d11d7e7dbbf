// Issue 23: every main page of every role opened in Chromium against the real server on the
// demo county, in Chinese and on a laptop, and none may throw (a hydration mismatch, React's
// #418 on /dashboard/loans, is a page error), log an error, or ask for anything that answers
// 4xx or 5xx, or ask the server for routes. One server, one browser context per role, the pages
// one after another.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { navFor } from '../../app/components/navigation'
import type { Role } from '../../app/domain/roles'
import { openBrowserApp } from '../support/browser-app'

const { app, session, seeded } = openBrowserApp({
  env: { MAP_TILES: 'none', LOAN_SIM: 'none' },
})

/** The pages a role reaches from its navigation, and the ones a step further that it opens daily. */
async function pagesOf(role: Role, username: string): Promise<string[]> {
  const user = await seeded.selectFrom('users').select(['id', 'org_unit_id']).where('username', '=', username).executeTakeFirstOrThrow()
  const player = await seeded.selectFrom('market_players').select('id').where('assigned_officer_id', '=', user.id).orderBy('id').executeTakeFirst()
  const referral = await seeded.selectFrom('referrals').select('id').where('org_unit_id', '=', user.org_unit_id).orderBy('id').executeTakeFirst()
  const visit = await seeded.selectFrom('visits').select('id').where('officer_id', '=', user.id).orderBy('id').executeTakeFirst()
  const more: Partial<Record<Role, string[]>> = {
    officer: ['/my/route', ...(player ? [`/players/${player.id}`, `/players/${player.id}/visit`] : []), ...(visit ? [`/visits/${visit.id}`] : [])],
    manager: ['/dashboard/loans?figure=disbursed', '/dashboard/players?figure=visited', '/imports/history', '/clocks/ranking', ...(referral ? [`/referrals/${referral.id}`] : [])],
    hq: ['/dashboard/loans?figure=disbursed', '/dashboard/players?figure=referred'],
    admin: ['/imports/history', '/admin/import/org', '/admin/import/staff'],
  }
  return [...navFor(role).map((item) => item.to), ...(more[role] ?? []), '/account/password']
}

/**
 * Waits until React has committed the page's first render (its hydration): a stand-in for
 * React's developer tools hook counts the commits, and React reports a hydration mismatch in
 * the same task as that commit, so by then any #418 has reached the page's errors.
 */
async function hydrated(page: Page) {
  await page.waitForFunction(() => ((window as { __commits?: number }).__commits ?? 0) > 0)
}

const ROLES: [Role, string][] = [
  ['officer', 'officer'],
  ['manager', 'manager'],
  ['hq', 'hq'],
  ['admin', 'admin'],
]

describe('every main page of every role', () => {
  it.each(ROLES)('%s: no page error, console error or failed request on any page', async (role, username) => {
    await visitCleanly(username, await pagesOf(role, username), true)
  })

  it('the manager in English: home, dashboard and the lists behind its figures', async () => {
    await visitCleanly('manager', ['/', '/dashboard', '/dashboard/loans?figure=disbursed', '/dashboard/players?figure=visited'], false)
  })
})

/** Signs in and opens each page, failing on any page error or 4xx/5xx response (console errors fail in afterEach). */
async function visitCleanly(username: string, paths: string[], chinese: boolean) {
  const { context, page } = await session.newPage({ chinese })
  await context.addInitScript(() => {
    // React's production build calls the developer tools' hook on every commit when one is there.
    const w = window as {
      __commits?: number
      __REACT_DEVTOOLS_GLOBAL_HOOK__?: unknown
    }
    w.__commits = 0
    w.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
      supportsFiber: true,
      renderers: new Map(),
      inject: () => 1,
      onScheduleFiberRoot: () => undefined,
      onCommitFiberRoot: () => void (w.__commits! += 1),
      onCommitFiberUnmount: () => undefined,
      onPostCommitFiberRoot: () => undefined,
      checkDCE: () => undefined,
    }
  })
  const failed: string[] = []
  // Page errors again here, named by the page they happened on (the session's list has no path).
  page.on('pageerror', (error) => failed.push(`${new URL(page.url()).pathname}: ${error.message.slice(0, 60)}`))
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()} (on ${page.url()})`)
  })
  // The whole route manifest comes with the page (decision 0871): no link sends the phone back to ask for routes.
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/__manifest') failed.push(`route discovery ${request.url()} (on ${page.url()})`)
  })
  // Signed in without the form (sign-in.test.ts opens /login in both languages): the first page is the first of `paths`.
  await session.signInByPost(page, username, { at: null })
  for (const path of paths) {
    const response = await page.goto(`${app.url}${path}`)
    expect(response?.status(), path).toBe(200)
    await hydrated(page)
  }
  expect(failed).toEqual([])
}
