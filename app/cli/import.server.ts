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
    const unknownColumns = result.unknown
    for (const u of unknownColumns) process.stderr.write(`import: column ${u.column} "${u.header}" is not a known list column: not read\n`)
    // Written a page at a time, each write waited for: a list with 100,000 warnings is tens of
    // megabytes, and the process exits as soon as main returns (a pipe took only its first 64 KB).
    const issues = async function* (severity: 'rejected' | 'warning' | 'match') {
      for (let after = 0; ; ) {
        const page = await listImportIssues(db, jobId, severity, 1000, after)
        yield page.flatMap((issue) => issue.problems.map((p) => ({ row: issue.row, column: p.column, message: t(p.message.key, p.message.params) })))
        if (page.length < 1000) break
        after = page.at(-1)!.row
      }
    }
    await writeOut(JSON.stringify({ inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, rejected: counts.rejected, warnings: counts.warnings }).slice(0, -1))
    await writeList('errors', issues('rejected'))
    // Warnings and matches in row order (a row's warnings before its match).
    await writeList('warningList', mergeByRow(issues('warning'), issues('match')))
    await writeOut(`,"unknownColumns":${JSON.stringify(unknownColumns.map((u) => ({ column: u.column, header: u.header })))}}\n`)
    return 0
  } finally {
    await db.destroy()
  }
}

interface Listed {
  row: number
  column: string
  message: string
}

function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())))
}

async function writeList(key: string, pages: AsyncIterable<Listed[]>): Promise<void> {
  await writeOut(`,${JSON.stringify(key)}:[`)
  let first = true
  for await (const page of pages) {
    if (page.length === 0) continue
    await writeOut((first ? '' : ',') + page.map((item) => JSON.stringify(item)).join(','))
    first = false
  }
  await writeOut(']')
}

/** Two lists of pages, each in row order, as one in row order (the first list's item first on a tie). */
async function* mergeByRow(a: AsyncIterator<Listed[]>, b: AsyncIterator<Listed[]>): AsyncGenerator<Listed[]> {
  let left: Listed[] = []
  let right: Listed[] = []
  let leftDone = false
  let rightDone = false
  for (;;) {
    while (left.length === 0 && !leftDone) {
      const next = await a.next()
      if (next.done) leftDone = true
      else left = next.value
    }
    while (right.length === 0 && !rightDone) {
      const next = await b.next()
      if (next.done) rightDone = true
      else right = next.value
    }
    if (left.length === 0 && right.length === 0) return
    const page: Listed[] = []
    // Take while both have items; a page ends when either runs out (to be refilled).
    let i = 0
    let j = 0
    while (i < left.length && j < right.length) page.push(left[i].row <= right[j].row ? left[i++] : right[j++])
    if (leftDone) {
      page.push(...right.slice(j))
      j = right.length
    }
    if (rightDone) {
      page.push(...left.slice(i))
      i = left.length
    }
    left = left.slice(i)
    right = right.slice(j)
    yield page
  }
}

runCommand('import', main)
