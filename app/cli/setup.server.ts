// `npm run setup -- --bank-name NAME --bank-code CODE --admin-username USERNAME [--admin-name NAME]`:
// sets an empty database's bank up (head office and first administrator) and prints the
// administrator's one-time password, once. Run again, it says the bank exists and changes
// nothing. `npm run setup -- --link` prints a fresh one-time set-up link for the browser instead.
import { parseArgs } from 'node:util'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { setupSchema } from '../forms/account'
import { loadConfig } from '../server/config.server'
import { parseValues } from '../forms/fields'
import { translator } from '../i18n/index'
import { setLogLevel } from '../server/logger.server'
import { SETUP_LINK_HOURS, findBank, issueSetupLink, setUpBank } from '../services/setup.server'
import { runCommand } from './run-command.server'

const usage = `usage: npm run setup -- --bank-name NAME --bank-code CODE --admin-username USERNAME [--admin-name NAME]
       npm run setup -- --link [--url http://HOST:PORT]   (a one-time set-up link for the browser)`

async function main(): Promise<number> {
  let values
  try {
    values = parseArgs({
      options: {
        'bank-name': { type: 'string' },
        'bank-code': { type: 'string' },
        'admin-username': { type: 'string' },
        'admin-name': { type: 'string' },
        link: { type: 'boolean', default: false },
        url: { type: 'string' },
      },
    }).values
  } catch (error) {
    console.error(`setup: ${(error as Error).message}\n${usage}`)
    return 2
  }
  const config = loadConfig()
  setLogLevel('warn')
  const t = translator('en')

  if (values.link) {
    const { db } = openDatabase(config.databaseUrl)
    try {
      await migrateToLatest(db)
      const token = await issueSetupLink(db)
      if (!token) {
        const bank = await findBank(db)
        console.log(`The bank is already set up${bank ? `: ${bank.name}` : ''}. Nothing changed.`)
        return 0
      }
      console.log(`${values.url ?? `http://localhost:${config.port}`}/setup?token=${token}\n(usable once, for ${SETUP_LINK_HOURS} hours, while no user exists)`)
      return 0
    } finally {
      await db.destroy()
    }
  }

  const form = parseValues(
    { token: 'cli', bankName: values['bank-name'], headOfficeCode: values['bank-code'], adminUsername: values['admin-username'], adminName: values['admin-name'] ?? values['admin-username'] },
    setupSchema,
  )
  if (!form.ok) {
    const names: Record<string, string> = { bankName: '--bank-name', headOfficeCode: '--bank-code', adminUsername: '--admin-username', adminName: '--admin-name' }
    for (const [field, messages] of Object.entries(form.errors)) console.error(`setup: ${names[field] ?? field}: ${messages.map((m) => t(m.key, m.params)).join(' ')}`)
    console.error(usage)
    return 2
  }
  const { db } = openDatabase(config.databaseUrl)
  try {
    await migrateToLatest(db)
    const { token: _cli, ...input } = form.data
    const result = await setUpBank(db, { ...input, via: 'cli' })
    if (result.status === 'alreadySetUp') {
      console.log(`The bank is already set up${result.bankName ? `: ${result.bankName}` : ''}. Nothing changed.`)
      return 0
    }
    console.log(`The bank is set up: ${input.bankName} (head office ${input.headOfficeCode}).
Administrator: ${result.adminUsername}
One-time password: ${result.initialPassword}
It is shown only now (only its hash is kept); sign in with it and choose a new password.`)
    return 0
  } catch (error) {
    const key = (error as { messageKey?: unknown }).messageKey
    console.error(`setup: ${typeof key === 'string' ? t(key as never, (error as { params?: Record<string, string> }).params) : (error as Error).message}`)
    return 1
  } finally {
    await db.destroy()
  }
}

runCommand('setup', main)
