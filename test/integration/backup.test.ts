// Backup and restore on a real database: a backup taken while rows are being committed holds
// every row committed before it began and no gaps after, restores into a sound database
// with the same migrations; bad files, newer backups and a database in use are refused
// without touching the target; the command lines explain their usage.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import SQLite from 'better-sqlite3'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { recordAudit, SYSTEM_ACTOR } from '../../app/services/audit.server'
import { backupDatabase, restoreDatabase } from '../../db/backup.server'
import { openDatabase, type DatabaseHandle } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { migrations } from '../../db/migrations/index'
import type { Database } from '../../db/schema'
import { createTestDatabase, testDialect, type TestDatabase } from '../support/test-db'
import { runCli } from '../support/cli'
import { makeTempDir, type TempDir } from '../support/spreadsheets'

const FILL_ROWS = 20_000
let t: TestDatabase
let dir: TempDir
const cleanups: (() => Promise<void>)[] = []

beforeAll(async () => {
  t = await createTestDatabase()
  dir = await makeTempDir('wanqi-backup-')
  // Enough data (about 10 MB) that the copy takes a while and the writer overlaps it.
  const detail = JSON.stringify({ filler: 'x'.repeat(400) })
  await t.db.transaction().execute(async (trx) => {
    for (let start = 0; start < FILL_ROWS; start += 500) {
      const rows = Array.from({ length: 500 }, (_, i) => ({
        at: new Date().toISOString(),
        actor_id: null,
        actor_username: 'system',
        action: 'backup.fill',
        entity_type: 'backup_fill',
        entity_id: String(start + i),
        ip: null,
        detail,
      }))
      await trx.insertInto('audit_log').values(rows).execute()
    }
  })
})

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup()
  await t.destroy()
  await dir.remove()
})

/** `tsx`: the script's run under tsx, as `npm run` starts it (test/support/cli.ts). */
function cli(script: 'backup' | 'restore', args: string[], databaseUrl: string, options: { tsx?: boolean } = {}) {
  return runCli(`db/cli/${script}.ts`, args, { env: { ...process.env, DATABASE_URL: databaseUrl }, tsx: options.tsx })
}

/** Commits audit entries one after another through the audit service until stopped; `committed` lists those done. */
function startWriter(db: Kysely<Database>) {
  const committed: number[] = []
  let stopped = false
  const done = (async () => {
    for (let n = 0; !stopped; n++) {
      await recordAudit(db, SYSTEM_ACTOR, { action: 'backup.load', entityType: 'backup_load', entityId: n })
      committed.push(n)
      // Pacing the load (a write a millisecond or so), not waiting for anything.
      await sleep(1)
    }
  })()
  return {
    committed,
    stop: async () => {
      stopped = true
      await done
    },
  }
}

/** A database that does not exist yet (SQLite) or is empty (PostgreSQL), to restore into. */
async function freshTarget(name: string): Promise<{ url: string; open: () => DatabaseHandle }> {
  if (testDialect() === 'postgres') {
    const target = await createTestDatabase({ migrate: false })
    cleanups.push(() => target.destroy())
    return { url: target.url, open: () => target }
  }
  const url = `file:${dir.path(name)}`
  let handle: DatabaseHandle | undefined
  cleanups.push(async () => {
    await handle?.db.destroy()
  })
  return { url, open: () => (handle ??= openDatabase(url)) }
}

async function migrationNames(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
  return rows.map((r) => r.name)
}

async function markers(db: Kysely<Database>, entityType: string): Promise<number[]> {
  const rows = await db.selectFrom('audit_log').select('entity_id').where('entity_type', '=', entityType).execute()
  return rows.map((r) => Number(r.entity_id)).sort((a, b) => a - b)
}

/**
 * On SQLite, the files in the target's folder (where a restore puts its working copy and
 * the file it replaces) and the database file's identity and size: `stat`, because reading
 * the file would drop this process's locks on it (POSIX locks go with any descriptor closed).
 */
function targetFiles(): unknown {
  if (testDialect() !== 'sqlite') return null
  const { ino, size } = fs.statSync(t.location)
  return { files: fs.readdirSync(path.dirname(t.location)).sort(), ino, size }
}

async function countAudit(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

describe('npm run db:backup under write load, then npm run db:restore', () => {
  it('holds every write committed before the backup began, no gaps after, in a sound database with the same migrations', async () => {
    const writer = startWriter(t.db)
    await vi.waitFor(() => expect(writer.committed.length).toBeGreaterThanOrEqual(20), { timeout: 60_000, interval: 5 })
    const before = writer.committed.slice()
    const file = dir.path('under-load.backup')
    let backup: { stdout: string; stderr: string }
    try {
      backup = await cli('backup', [file], t.url, { tsx: true })
    } finally {
      await writer.stop()
    }
    // The writer kept committing while the backup ran: the test exercised what it claims to.
    const whileBackingUp = writer.committed.length - before.length
    expect(whileBackingUp).toBeGreaterThan(0)
    expect(backup.stdout).toMatch(/^backed up .+ to .+under-load\.backup \(\d+(\.\d+)? (B|kB|MB)\) in \d+\.\d s\n$/)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.readdirSync(dir.dir).filter((f) => f.includes('.partial-'))).toEqual([])
    if (testDialect() === 'sqlite') {
      const copy = new SQLite(file, { readonly: true, fileMustExist: true })
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
      copy.close()
    }

    const target = await freshTarget('restored.sqlite')
    const restore = await cli('restore', [file], target.url, { tsx: true })
    expect(restore.stdout).toMatch(new RegExp(`^restored .+under-load\\.backup \\(.+, ${Object.keys(migrations).length} migrations\\) into .+ in \\d+\\.\\d s\\n$`))
    const restored = target.open()
    if (testDialect() === 'sqlite') expect(restored.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok')
    const written = await markers(restored.db, 'backup_load')
    expect(written.slice(0, before.length)).toEqual(before)
    // A consistent snapshot: of the writes that raced the backup, a prefix and nothing skipped.
    expect(written).toEqual(Array.from({ length: written.length }, (_, i) => i))
    expect(written.length).toBeLessThanOrEqual(writer.committed.length)
    expect(await markers(restored.db, 'backup_fill')).toHaveLength(FILL_ROWS)
    expect(await migrationNames(restored.db)).toEqual(await migrationNames(t.db))
  })

  it('replaces a database that is not in use, on SQLite keeping the previous file aside', async () => {
    const file = dir.path('api.backup')
    const summary = await backupDatabase(t, file)
    expect(summary).toMatchObject({ file, bytes: fs.statSync(file).size })

    const target = await freshTarget('replaced.sqlite')
    const previous = openDatabase(target.url)
    await migrateToLatest(previous.db)
    await recordAudit(previous.db, SYSTEM_ACTOR, { action: 'backup.old', entityType: 'backup_old', entityId: 1 })
    await previous.db.destroy()

    const steps: string[] = []
    const result = await restoreDatabase(target.url, file, { onStep: (m) => steps.push(m) })
    expect(result).toMatchObject({ migrations: Object.keys(migrations).length, pendingMigrations: 0 })
    expect(steps.length).toBeGreaterThan(0)
    const restored = target.open()
    expect(await markers(restored.db, 'backup_old')).toEqual([])
    expect(await markers(restored.db, 'backup_fill')).toHaveLength(FILL_ROWS)
    if (testDialect() === 'sqlite') {
      expect(result.replaced).toMatch(/replaced\.sqlite\.before-restore-/)
      const kept = openDatabase(`file:${result.replaced}`)
      expect(await markers(kept.db, 'backup_old')).toEqual([1])
      await kept.db.destroy()
    } else {
      expect(result.replaced).toBeNull()
    }
  })
})

describe('a restore that cannot go ahead changes nothing', () => {
  it('refuses a file of random bytes with a clear message', async () => {
    const file = dir.path('random.bin')
    fs.writeFileSync(file, crypto.randomBytes(64 * 1024))
    const rowsBefore = await countAudit(t.db)
    const filesBefore = targetFiles()
    const expected = testDialect() === 'sqlite' ? /random\.bin is not a SQLite database: nothing was changed/ : /random\.bin is not a pg_dump custom-format archive/
    await expect(cli('restore', [file], t.url)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(expected) })
    expect(await countAudit(t.db)).toBe(rowsBefore)
    expect(await migrationNames(t.db)).toEqual(Object.keys(migrations).sort())
    expect(targetFiles()).toEqual(filesBefore)
  })

  it('refuses a backup from a newer version, naming the migrations it does not know', async () => {
    const newer = await createTestDatabase()
    cleanups.push(() => newer.destroy())
    await sql`insert into kysely_migration (name, "timestamp") values ('9999-from-the-future', ${new Date().toISOString()})`.execute(newer.db)
    const file = dir.path('newer.backup')
    await backupDatabase(newer, file)

    const target = await freshTarget('from-newer.sqlite')
    await expect(restoreDatabase(target.url, file)).rejects.toThrow(/newer version of Wanqi: its migrations 9999-from-the-future are not in this code/)
    if (testDialect() === 'sqlite') {
      expect(fs.existsSync(target.url.slice('file:'.length))).toBe(false)
    } else {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(target.open().db)
      expect(rows[0]!.n).toBe(0)
    }
  })

  it('refuses to restore into a database the server still has open', async () => {
    const file = dir.path('in-use.backup')
    await backupDatabase(t, file)
    // This process is the "server": its connection to t is open.
    const rowsBefore = await countAudit(t.db)
    const filesBefore = targetFiles()
    // Held for the whole attempt, so that PostgreSQL sees a session too.
    await t.db.connection().execute(async (connection) => {
      await sql`select 1`.execute(connection)
      await expect(cli('restore', [file], t.url)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/is in use .*stop the server/) })
    })
    expect(await countAudit(t.db)).toBe(rowsBefore)
    expect(targetFiles()).toEqual(filesBefore)
  })
})

describe('the command lines', () => {
  it('print their usage and exit 1 without a FILE', async () => {
    await expect(cli('backup', [], t.url)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('usage: npm run db:backup -- FILE') })
    await expect(cli('restore', [], t.url)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('usage: npm run db:restore -- FILE') })
  })
})
