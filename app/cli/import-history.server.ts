// `npm run import:history -- --kind visits|referrals [--as USERNAME] [--dry-run] FILE`
// Brings a bank's past visits or referrals (CSV/XLSX) as the browser's /imports/history
// does: progress on stderr, one JSON object on stdout ({"kind","rows","inserted",
// "unchanged","rejected","unknownColumns","notStoredColumns","errors":[{"row","column",
// "message"}]}). Runs as the system (the whole bank) unless `--as` names a user whose scope
// it keeps. `--dry-run` checks every row and writes nothing. Run again, it adds nothing
// twice. Exit 0 when the file was read (even with rejected rows), 1 when it could not be.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { loadConfig } from '../server/config.server'
import { HISTORY_KINDS, type HistoryKind } from '../domain/history-rows'
import { can } from '../domain/roles'
import { scopeOf, type Scope } from '../domain/scope'
import { loadClockContext } from '../services/clocks/clock-context.server'
import { isLocale, translator } from '../i18n/index'
import { setLogLevel } from '../server/logger.server'
import { SYSTEM_ACTOR, type Actor } from '../services/audit.server'
import { importReferralHistory } from '../services/history/import-referral-history.server'
import { importVisitHistory } from '../services/history/import-visit-history.server'
import { runCommand } from './run-command.server'

const usage = `usage: npm run import:history -- --kind ${HISTORY_KINDS.join('|')} [--as USERNAME] [--dry-run] [--lang en|zh-CN] FILE`

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      as: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      lang: { type: 'string', default: 'en' },
    },
  })
  const file = positionals[0]
  if (!file || !(HISTORY_KINDS as readonly string[]).includes(values.kind ?? '')) {
    console.error(usage)
    return 2
  }
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    console.error(`import:history: no such file: ${file}`)
    return 2
  }
  const kind = values.kind as HistoryKind
  const t = translator(isLocale(values.lang) ? values.lang : 'en')
  const config = loadConfig()
  setLogLevel('warn')
  const { db } = openDatabase(config.databaseUrl)
  try {
    await migrateToLatest(db)
    let actor: Actor = { ...SYSTEM_ACTOR, username: 'cli' }
    let scope: Scope = { kind: 'all' }
    if (values.as) {
      const user = await db
        .selectFrom('users')
        .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
        .select(['users.id', 'users.username', 'users.role', 'org_units.path'])
        .where('users.username', '=', values.as.toLowerCase())
        .where('users.active', '=', 1)
        .executeTakeFirst()
      if (!user || !can(user.role, 'history:import')) {
        console.error(`import:history: ${values.as} is not an active user allowed to import history (a manager or an admin)`)
        return 2
      }
      actor = { id: user.id, username: user.username, ip: null }
      scope = scopeOf({ id: user.id, role: user.role, orgPath: user.path })
    }
    const input = {
      filePath: path.resolve(file),
      fileName: path.basename(file),
      apply: !values['dry-run'],
      onProgress: (rows: number) => process.stderr.write(`import:history: ${rows.toLocaleString('en')} rows read\n`),
    }
    process.stderr.write(`import:history: ${kind} from ${input.fileName}${input.apply ? '' : ' (dry run: nothing is written)'}\n`)
    const result =
      kind === 'visits'
        ? await importVisitHistory(db, { actor, scope }, input)
        : await importReferralHistory(db, { actor, scope, clocks: await loadClockContext(db) }, input)
    process.stderr.write(`import:history: ${result.inserted} added, ${result.unchanged} already there, ${result.rejected} rejected\n`)
    const { errors, applied: _applied, ...counts } = result
    process.stdout.write(JSON.stringify({ ...counts, dryRun: !input.apply, errors: errors.map((e) => ({ row: e.row, column: e.column, message: t(e.message.key, e.message.params) })) }) + '\n')
    // Nothing read at all (an unreadable file, a column missing): the file is the problem.
    return result.rows === 0 && errors.length > 0 ? 1 : 0
  } finally {
    await db.destroy()
  }
}

runCommand('import:history', main)
