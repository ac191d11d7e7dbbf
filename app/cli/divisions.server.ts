// The divisions the bank serves, from the command line, as /admin/areas does it:
//   npm run divisions:load -- --codes 410225,411622   (or --names 兰考县,西华县)
//   npm run divisions:boundaries -- [--property adcode] FILE.geojson
//   npm run divisions:place
// Progress and errors on stderr, one JSON object on stdout; exit 0 when done, 1 when the
// input was refused (nothing written), 2 for a wrong command line.
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { AppError } from '../domain/app-error'
import { loadConfig } from '../server/config.server'
import { translator, isLocale, type Message } from '../i18n/index'
import { setLogLevel } from '../server/logger.server'
import { SYSTEM_ACTOR } from '../services/audit.server'
import { uploadBoundaries } from '../services/divisions/area-centres.server'
import { loadDivisions } from '../services/divisions/load-divisions.server'
import { placePlayersAgain } from '../services/divisions/place-players.server'
import { runCommand } from './run-command.server'

const usage = `usage:
  npm run divisions:load -- --codes 410225,411622 | --names 兰考县
  npm run divisions:boundaries -- [--property NAME] FILE
  npm run divisions:place`

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2)
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { codes: { type: 'string' }, names: { type: 'string' }, property: { type: 'string' }, lang: { type: 'string', default: 'en' } },
  })
  const t = translator(isLocale(values.lang) ? values.lang : 'en')
  const say = (m: Message) => t(m.key, m.params)
  const wanted = [values.codes, values.names, ...positionals].filter((v): v is string => Boolean(v)).flatMap((v) => v.split(/[,，、\s]+/)).filter(Boolean)
  if (command === 'load' && wanted.length === 0) return fail(usage, 2)
  if (command === 'boundaries' && (positionals.length !== 1 || !fs.existsSync(positionals[0]))) return fail(positionals[0] ? `divisions: no such file: ${positionals[0]}` : usage, 2)
  if (!['load', 'boundaries', 'place'].includes(command ?? '')) return fail(usage, 2)

  setLogLevel('warn')
  const { db } = openDatabase(loadConfig().databaseUrl)
  const actor = { ...SYSTEM_ACTOR, username: 'cli' }
  try {
    await migrateToLatest(db)
    if (command === 'load') {
      const result = await loadDivisions(db, actor, { divisions: wanted })
      process.stderr.write(`divisions: loaded ${result.divisions.map((d) => `${d.name} ${d.code}`).join(', ')}: ${result.added} added, ${result.renamed} renamed, ${result.removed} removed\n`)
      if (result.orphans.count > 0) process.stderr.write(`divisions: ${result.orphans.count} players have an area code that no longer exists (listed in "orphans")\n`)
      print(result)
      return 0
    }
    if (command === 'boundaries') {
      const result = await uploadBoundaries(db, actor, { text: fs.readFileSync(positionals[0], 'utf8'), property: values.property ?? null })
      if (!result.ok) {
        if (result.fileError) process.stderr.write(`divisions: ${say(result.fileError)}\n`)
        const errors = result.errors.map((e) => ({ feature: e.feature, code: e.code, message: say(e.message) }))
        for (const e of errors) process.stderr.write(`divisions: ${t('boundaries.feature', { feature: e.feature, code: e.code ?? '-', reason: e.message })}\n`)
        print({ stored: 0, property: result.property, errors })
        return 1
      }
      print({ stored: result.stored, property: result.property, moved: result.moved, errors: [] })
      return 0
    }
    print(await placePlayersAgain(db, actor, { kind: 'all' }))
    return 0
  } catch (error) {
    if (error instanceof AppError) return fail(`divisions: ${say({ key: error.messageKey, params: error.params } as Message)}`, 1)
    throw error
  } finally {
    await db.destroy()
  }
}

function print(value: unknown) {
  process.stdout.write(JSON.stringify(value) + '\n')
}

function fail(message: string, code: number): number {
  console.error(message)
  return code
}

runCommand('divisions', main)
