// What /dashboard reads for one request: the figures query from the URL (a refused period
// falls back to this month, its problems kept to show), the view (dashboard.server.ts), what
// the scope can be narrowed to, and the "never borrowed" table. Null: the scope asked for is
// not the caller's to see.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import type { Figures } from '../domain/figures'
import type { ScopedUser } from '../domain/scope'
import { loadDashboard, narrowingChoices } from './dashboard.server'
import { readFigureQuery } from './figure-query.server'
import { neverBorrowedBySource } from './never-borrowed.server'

export async function readDashboardPage(db: Kysely<Database>, user: ScopedUser, input: { params: URLSearchParams; rankedBy: keyof Figures }) {
  const query = await readFigureQuery(db, user, input.params)
  if (!query.ok && query.status === 404) return null
  // A bad period shows this month, saying so.
  const chosen = query.ok ? query : await readFigureQuery(db, user, new URLSearchParams())
  if (!chosen.ok) throw new Error('the default figures query cannot fail')
  const view = await loadDashboard(db, user, chosen, { rankedBy: input.rankedBy })
  const [choices, neverBorrowed] = await Promise.all([
    narrowingChoices(db, user, view.top, { hasUnitsBelow: view.hasUnitsBelow, officers: view.officers }),
    neverBorrowedBySource(db, chosen.scope, chosen.period),
  ])
  return { problems: query.ok ? null : query.problems, chosen, view, choices, neverBorrowed }
}
