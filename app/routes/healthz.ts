import type { LoaderFunctionArgs } from '@remix-run/node'
import { countAppliedMigrations } from '../../db/migrate.server'

export async function loader({ context }: LoaderFunctionArgs) {
  try {
    const migrations = await countAppliedMigrations(context.db)
    return Response.json({ ok: true, db: context.dialect, migrations }, { headers: { 'Cache-Control': 'no-store' } })
  } catch {
    return Response.json({ ok: false, db: context.dialect }, { status: 503, headers: { 'Cache-Control': 'no-store' } })
  }
}
