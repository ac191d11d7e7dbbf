// `npm run import:org -- FILE [--dry-run]` and `npm run import:staff -- FILE [--deactivate-missing]
// [--dry-run]`: the org tree or the staff from an HR export, as the admin pages do. One JSON
// object on stdout (the counts, each error and warning with row and column, and for new
// staff their one-time passwords, printed this once); exit 0 when applied (or checked clean
// with --dry-run), 1 when the file has errors (nothing written), 2 for a wrong command.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { loadConfig } from '../server/config.server'
import { isLocale, translator, type Message } from '../i18n/index'
import { setLogLevel } from '../server/logger.server'
import type { IssueReport } from '../services/hr-import/read-hr-table.server'
import { importOrgUnits } from '../services/hr-import/import-org-units.server'
import { importStaff } from '../services/hr-import/import-staff.server'
import { createPersonalDataCipher } from '../services/personal-data.server'
import { runCommand } from './run-command.server'

const usage = `usage: npm run import:org -- FILE [--dry-run] [--lang en|zh-CN]
       npm run import:staff -- FILE [--deactivate-missing] [--dry-run] [--lang en|zh-CN]`

async function main(): Promise<number> {
  const [kind, ...args] = process.argv.slice(2)
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean', default: false }, 'deactivate-missing': { type: 'boolean', default: false }, lang: { type: 'string', default: 'en' } },
    })
  } catch (error) {
    console.error(`import:${kind}: ${(error as Error).message}\n${usage}`)
    return 2
  }
  const { values, positionals } = parsed
  const file = positionals[0]
  if ((kind !== 'org' && kind !== 'staff') || !file || positionals.length > 1 || (kind === 'org' && values['deactivate-missing'])) {
    console.error(usage)
    return 2
  }
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    console.error(`import:${kind}: no such file: ${file}`)
    return 2
  }
  const t = translator(isLocale(values.lang) ? values.lang : 'en')
  const text = (m: Message) => t(m.key, m.params)
  const config = loadConfig()
  setLogLevel('warn')
  const { db } = openDatabase(config.databaseUrl)
  try {
    await migrateToLatest(db)
    const actor = { id: null, username: `import:${kind} (command line)`, ip: null }
    const input = { filePath: path.resolve(file), fileName: path.basename(file), apply: !values['dry-run'] }
    const result =
      kind === 'org'
        ? await importOrgUnits(db, actor, input)
        : await importStaff(db, actor, createPersonalDataCipher(config.dataKey), { ...input, deactivateMissing: values['deactivate-missing'] })
    if (result.fileError) {
      console.error(`import:${kind}: ${text(result.fileError)}`)
      return 1
    }
    const issues = (list: { row: number; column: string | null; message: Message }[]) => list.map((i) => ({ row: i.row, column: i.column, message: text(i.message) }))
    console.log(
      JSON.stringify(
        {
          ...result,
          fileError: undefined,
          errors: issues(result.errors),
          ...('warnings' in result ? { warnings: issues(result.warnings as IssueReport[]) } : {}),
        },
        null,
        2,
      ),
    )
    return result.errors.length > 0 ? 1 : 0
  } finally {
    await db.destroy()
  }
}

runCommand('import', main)
