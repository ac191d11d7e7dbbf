// A fresh, migrated database per test file: a SQLite file in a temporary folder, or a new
// PostgreSQL database on the server TEST_DATABASE_URL names, dropped afterwards. Under the
// integration projects it is a copy of the template migrated once per run
// (test/support/migrated-template.ts); elsewhere (a benchmark) it is migrated here.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { openDatabase, type DatabaseHandle } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'

export interface TestDatabase extends DatabaseHandle {
  url: string
  destroy(): Promise<void>
}

export function testDialect(): 'sqlite' | 'postgres' {
  return process.env.WANQI_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite'
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const template = options.migrate === false ? undefined : await migratedTemplate()
  const handle = testDialect() === 'postgres' ? await createPostgres(template) : openTempSqlite('wanqi-test-', template)
  if (options.migrate !== false && template === undefined) await migrateToLatest(handle.db)
  return handle
}

/** The migrated template the run's globalSetup provides, if there is one. */
async function migratedTemplate(): Promise<string | undefined> {
  if (!process.env.VITEST) return undefined
  const { inject } = await import('vitest')
  return inject('migratedTemplate')
}

/** A SQLite database in a new temporary folder (a copy of `copyFrom`, or empty), removed by destroy(). */
export function openTempSqlite(prefix: string, copyFrom?: string): TestDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const file = path.join(dir, 'test.sqlite')
  if (copyFrom) fs.copyFileSync(copyFrom, file)
  const url = `file:${file}`
  const handle = openDatabase(url)
  return {
    ...handle,
    url,
    async destroy() {
      await handle.db.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function createPostgres(template?: string): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set: the postgres test project needs a PostgreSQL server')
  const name = `wanqi_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(template ? `create database ${name} template ${template}` : `create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const handle = openDatabase(url.toString())
  return {
    ...handle,
    url: url.toString(),
    async destroy() {
      await handle.db.destroy()
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    },
  }
}
