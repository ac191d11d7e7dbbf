// `npm run import -- --source tax [--org CODE] [--accept-bad-check] [--no-merge-households] FILE`
// The same import as the browser's, for bulk loads and scripts: progress on stderr, one
// JSON object on stdout and nothing else (inserted, updated, unchanged, rejected, warnings,
// errors, warningList, unknownColumns). Exit 0 when the file was read (even with rejected rows).
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { loadConfig } from '../server/config.server'
import { translator, isLocale } from '../i18n/index'
import { setLogLevel } from '../server/logger.server'
import { SYSTEM_ACTOR } from '../services/audit.server'
import { IMPORT_SOURCES, type ImportSource } from '../domain/import-sources'
import { commitImportJob, createImportJob, listImportIssues } from '../services/import/import-jobs.server'
import { findOrgUnitByCode } from '../services/org-units/find-org-units.server'
import { createPersonalDataCipher } from '../services/personal-data.server'
import { parseListChannel } from '../domain/clocks'
import { runCommand } from './run-command.server'

const usage = `usage: npm run import -- --source ${IMPORT_SOURCES.join('|')} [--org CODE] [--channel own_list|working_group|credit_platform --group NAME --list-date YYYY-MM-DD] [--accept-bad-check] [--no-merge-households] [--lang en|zh-CN] FILE`

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      org: { type: 'string' },
      channel: { type: 'string' },
      group: { type: 'string' },
      'list-date': { type: 'string' },
      'accept-bad-check': { type: 'boolean', default: false },
      'no-merge-households': { type: 'boolean', default: false },
      lang: { type: 'string', default: 'en' },
    },
  })
  const file = positionals[0]
  if (!file || !values.source || !(IMPORT_SOURCES as readonly string[]).includes(values.source)) {
    console.error(usage)
    return 2
  }
  const channel = parseListChannel({ channel: values.channel, group: values.group, day: values['list-date'] })
  if (channel === 'missing') {
    console.error(`import: --channel ${values.channel} needs --group NAME and --list-date YYYY-MM-DD\n${usage}`)
    return 2
  }
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    console.error(`import: no such file: ${file}`)
    return 2
  }
  const t = translator(isLocale(values.lang) ? values.lang : 'en')
  const config = loadConfig()
  setLogLevel('warn')
  const { db } = openDatabase(config.databaseUrl)
  try {
    await migrateToLatest(db)
    const org = values.org
      ? await findOrgUnitByCode(db, values.org)
      : await db.selectFrom('org_units').select(['id', 'code']).where('parent_id', 'is', null).executeTakeFirst()
    if (!org) {
      console.error(values.org ? `import: no org unit with code ${values.org}` : 'import: the database has no org units yet; run npm run db:seed or create them first')
      return 2
    }
    const actor = { ...SYSTEM_ACTOR, username: 'cli' }
    const jobId = await createImportJob(db, actor, {
      source: values.source as ImportSource,
      fileName: path.basename(file),
      filePath: path.resolve(file),
      fileBytes: fs.statSync(file).size,
      orgUnitId: org.id,
      acceptBadCheck: values['accept-bad-check'],
      channel,
    })
    await db
      .updateTable('import_jobs')
      .set({ status: 'running', merge_households: values['no-merge-households'] ? 0 : 1 })
      .where('id', '=', jobId)
      .execute()
    let lastReport = 0
    const result = await commitImportJob(db, createPersonalDataCipher(config.dataKey), jobId, {
      onProgress(done) {
        if (Date.now() - lastReport > 1000) {
          process.stderr.write(`import: ${done.toLocaleString('en')} rows\n`)
          lastReport = Date.now()
        }
      },
    })
    if (result.status === 'failed') {
      const message = result.error
      console.error(`import: ${t(message.key, message.params)}`)
      return 1
    }
    const counts = result.counts
    process.stderr.write(`import: ${counts.totalRows.toLocaleString('en')} rows done\n`)
    const listed = async (severity: 'rejected' | 'warning' | 'match') => {
      const out: { row: number; column: string; message: string }[] = []
      for (let after = 0; ; ) {
        const page = await listImportIssues(db, jobId, severity, 1000, after)
        for (const issue of page) for (const p of issue.problems) out.push({ row: issue.row, column: p.column, message: t(p.message.key, p.message.params) })
        if (page.length < 1000) break
        after = page.at(-1)!.row
      }
      return out
    }
    const errors = await listed('rejected')
    const warningList = [...(await listed('warning')), ...(await listed('match'))].sort((a, b) => a.row - b.row)
    const unknownColumns = result.unknown
    for (const u of unknownColumns) process.stderr.write(`import: column ${u.column} "${u.header}" is not a known list column: not read\n`)
    process.stdout.write(
      JSON.stringify({
        inserted: counts.inserted,
        updated: counts.updated,
        unchanged: counts.unchanged,
        rejected: counts.rejected,
        warnings: counts.warnings,
        errors,
        warningList,
        unknownColumns: unknownColumns.map((u) => ({ column: u.column, header: u.header })),
      }) + '\n',
    )
    return 0
  } finally {
    await db.destroy()
  }
}

runCommand('import', main)
