// The province on PostgreSQL, for benchmarks that print their figures on both databases: a
// PostgreSQL server of the benchmarks' own (data in db/bench/postgres, git-ignored, started
// for the run and stopped after), holding a copy of the cached province SQLite file, made
// once: migrated, then every table copied across with COPY (triggers off, as a restore).
// Needs Debian's postgresql (the same CI installs) and the sqlite3 and psql programs.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import pg from 'pg'
import { openDatabase, type DatabaseHandle } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { migrations } from '../../db/migrations/index'
import { provinceDatabaseFile } from './province'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DATA_DIR = path.join(ROOT, 'db/bench/postgres')
/** Marks a complete load; its name changes with the way of loading, so an older load is redone. */
const LOADED = 'bench_loaded_3'

function pgBin(): string | null {
  const base = '/usr/lib/postgresql'
  if (!fs.existsSync(base)) return null
  const versions = fs.readdirSync(base).sort((a, b) => Number(b) - Number(a))
  return versions.length ? path.join(base, versions[0], 'bin') : null
}

/** Why the PostgreSQL half cannot run here, or null when it can. */
export function postgresUnavailable(): string | null {
  if (!pgBin()) return 'PostgreSQL is not installed (apt-get install postgresql)'
  for (const program of ['sqlite3', 'psql']) if (spawnSync('which', [program]).status !== 0) return `${program} is not installed`
  return null
}

const asPostgres = (command: string[]) => {
  const quoted = command.map((c) => `'${c.replace(/'/g, `'\\''`)}'`).join(' ')
  return process.getuid?.() === 0 ? ['su', ['postgres', '-s', '/bin/sh', '-c', quoted]] as const : ['/bin/sh', ['-c', quoted]] as const
}

function run(command: string[]) {
  const [program, args] = asPostgres(command)
  execFileSync(program, [...args], { stdio: ['ignore', 'ignore', 'inherit'] })
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

export interface ProvincePostgres extends DatabaseHandle {
  destroy(): Promise<void>
}

/** The province on a PostgreSQL server started for the run; loaded on first use (minutes). */
export async function openProvincePostgres(log: (message: string) => void): Promise<ProvincePostgres> {
  const bin = pgBin()!
  const source = await provinceDatabaseFile(log)
  if (!fs.existsSync(path.join(DATA_DIR, 'PG_VERSION'))) {
    fs.mkdirSync(DATA_DIR, { recursive: true })
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', DATA_DIR])
    run([path.join(bin, 'initdb'), '-D', DATA_DIR, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8'])
  }
  const port = await freePort()
  const [program, args] = asPostgres([
    path.join(bin, 'pg_ctl'),
    '-D',
    DATA_DIR,
    '-l',
    path.join(DATA_DIR, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${DATA_DIR} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=2GB -c work_mem=64MB -c max_wal_size=8GB`,
    'start',
  ])
  execFileSync(program, [...args], { stdio: ['ignore', 'ignore', 'inherit'] })
  const stop = () => run([path.join(bin, 'pg_ctl'), '-D', DATA_DIR, '-m', 'fast', 'stop'])
  try {
    const name = `province_${Object.keys(migrations).length}`
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` })
    await admin.connect()
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1
    const url = `postgres://postgres@127.0.0.1:${port}/${name}`
    let loaded = false
    if (exists) {
      const probe = new pg.Client({ connectionString: url })
      await probe.connect()
      loaded = (await probe.query(`select 1 from information_schema.tables where table_name = $1`, [LOADED])).rowCount === 1
      await probe.end()
      if (!loaded) await admin.query(`drop database ${name}`)
    }
    // Older copies are left behind by a new migration: dropped.
    for (const row of (await admin.query(`select datname from pg_database where datname like 'province_%' and datname <> $1`, [name])).rows) await admin.query(`drop database ${row.datname}`)
    if (!loaded) {
      await admin.query(`create database ${name}`)
      await load(source, url, log)
    }
    await admin.end()
    const handle = openDatabase(url)
    return {
      ...handle,
      async destroy() {
        await handle.db.destroy()
        stop()
      },
    }
  } catch (error) {
    stop()
    throw error
  }
}

async function load(source: string, url: string, log: (message: string) => void) {
  const started = performance.now()
  log(`loading ${path.relative(ROOT, source)} into PostgreSQL (once; minutes)`)
  const handle = openDatabase(url)
  await migrateToLatest(handle.db)
  await handle.db.destroy()
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const tables = (await client.query(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_%' order by table_name`)).rows.map((r) => r.table_name as string)
  const inSqlite = new Set(execFileSync('sqlite3', [source, `select name from sqlite_master where type = 'table'`]).toString().split('\n'))
  const copied = tables.filter((t) => inSqlite.has(t))
  // Emptied together first (what the migrations seeded): one at a time, a cascade would
  // empty the tables already copied that refer to it.
  await client.query(`truncate ${copied.join(', ')}`)
  for (const table of copied) {
    const columns = (await client.query(`select column_name from information_schema.columns where table_name = $1 order by ordinal_position`, [table])).rows.map((r) => r.column_name as string)
    // sqlite3 writes NULL as an empty field and '' as "", which is what COPY reads them as.
    const exported = spawn('sqlite3', ['-csv', '-noheader', source, `select ${columns.map((c) => `"${c}"`).join(', ')} from "${table}"`], { stdio: ['ignore', 'pipe', 'inherit'] })
    const copy = spawn('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy ${table} (${columns.join(', ')}) from stdin with (format csv)`], {
      stdio: [exported.stdout, 'ignore', 'inherit'],
      // As a restore does: no triggers (the figures' queue stays as copied), no foreign key checks.
      env: { ...process.env, PGOPTIONS: '-c session_replication_role=replica' },
    })
    const code = await new Promise<number | null>((resolve) => copy.on('close', resolve))
    if (code !== 0) throw new Error(`copying ${table} into PostgreSQL failed (psql exited ${code})`)
    const count = (await client.query(`select count(*)::int as n from ${table}`)).rows[0].n as number
    log(`postgres: ${table}: ${count.toLocaleString('en')} rows (${((performance.now() - started) / 1000).toFixed(0)} s)`)
    if (columns.includes('id')) {
      const sequence = (await client.query(`select pg_get_serial_sequence($1, 'id') as s`, [table])).rows[0].s as string | null
      if (sequence) await client.query(`select setval($1, greatest(1, (select coalesce(max(id), 0) from ${table})))`, [sequence])
    }
  }
  await client.query('analyze')
  await client.query(`create table ${LOADED} (at text)`)
  await client.end()
  log(`postgres: loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`)
}
