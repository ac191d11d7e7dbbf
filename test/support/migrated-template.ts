// Vitest globalSetup of the integration projects: the migrations run once per run, into a
// template that every test file's database is copied from (a SQLite file copied per file;
// `CREATE DATABASE … TEMPLATE` on PostgreSQL), instead of once per file from scratch.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template: a SQLite file's path, or a PostgreSQL database's name. */
    migratedTemplate: string
    /** A folder of the run's own, for the seeded templates made on first use (test/support/seeded-copy.ts). */
    templateDir: string
  }
}

export default async function setup(project: TestProject) {
  const dialect = project.config.env?.WANQI_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite'
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-template-'))
  project.provide('templateDir', dir)
  if (dialect === 'sqlite') {
    const file = path.join(dir, 'migrated.sqlite')
    const handle = openDatabase(`file:${file}`)
    await migrateToLatest(handle.db)
    // Closing the last connection folds the write-ahead log into the file, so it copies whole.
    await handle.db.destroy()
    project.provide('migratedTemplate', file)
    return () => fs.rmSync(dir, { recursive: true, force: true })
  }

  const adminUrl = process.env.TEST_DATABASE_URL
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set: the postgres test project needs a PostgreSQL server')
  const name = `wanqi_template_${process.pid}_${crypto.randomBytes(4).toString('hex')}`
  await admin(adminUrl, `create database ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const handle = openDatabase(url.toString())
  try {
    await migrateToLatest(handle.db)
  } finally {
    // A template must have no connection open while it is copied.
    await handle.db.destroy()
  }
  project.provide('migratedTemplate', name)
  return async () => {
    // The seeded templates made from this one during the run (test/support/seeded-copy.ts) first.
    const seeded = await admin(adminUrl, `select datname from pg_database where datname like '${name}\\_%'`)
    for (const { datname } of seeded.rows as { datname: string }[]) await admin(adminUrl, `drop database if exists ${datname} with (force)`)
    await admin(adminUrl, `drop database if exists ${name} with (force)`)
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function admin(adminUrl: string, statement: string) {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await client.query(statement)
  } finally {
    await client.end()
  }
}
