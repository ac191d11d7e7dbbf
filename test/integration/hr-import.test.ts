// The org tree and the staff from an HR export: preview with row-and-column errors, apply
// in one transaction, re-run updating what changed, deactivation only when asked, one-time
// passwords that sign in and must be replaced, and the users page that finds them.
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importOrgUnits } from '../../app/services/hr-import/import-org-units.server'
import { importStaff, type StaffImportResult } from '../../app/services/hr-import/import-staff.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { hashPassword } from '../../app/services/password.server'
import { signIn } from '../../app/services/sessions.server'
import { setUpBank } from '../../app/services/setup.server'
import { makeTempDir, writeCsv, writeXlsx, type TempDir } from '../support/spreadsheets'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'
import { runCli } from '../support/cli'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const policy = { sessionIdleMinutes: 30, sessionMaxHours: 12 }
const actor = { id: null, username: 'test', ip: null }

let t: TestDatabase
let dir: TempDir
let adminId: number

const ORG_HEADER = ['机构代码', '机构名称', '上级机构代码', '层级']
const ORG_ROWS = [
  ['LK-ZK', '周口分行', 'LK', '分行'],
  ['LK-ZK-XH', '西华支行', 'LK-ZK', '支行'],
  ['LK-ZK-XH-01', '城关网点', 'LK-ZK-XH', '网点'],
  ['LK-ZK-XH-02', '奉母网点', 'LK-ZK-XH', '网点'],
  ['LK-KF', '开封分行', 'LK', '分行'],
  ['LK-KF-01', '兰考网点', 'LK-KF', 'outlet'],
]
const STAFF_HEADER = ['工号', '姓名', '角色', '所属机构', '手机号']
const staffRow = (n: number, org = 'LK-ZK-XH-01', role = '客户经理') => [`E${String(n).padStart(4, '0')}`, `员工${n}`, role, org, `1380000${String(n).padStart(4, '0')}`]

beforeAll(async () => {
  t = await createTestDatabase()
  dir = await makeTempDir('wanqi-hr-')
  const setup = await setUpBank(t.db, { bankName: '兰考农商银行', headOfficeCode: 'LK', adminUsername: 'admin', adminName: '管理员', via: 'cli' })
  if (setup.status !== 'done') throw new Error('set-up failed')
  adminId = setup.adminId
})
afterAll(async () => {
  await dir?.remove()
  await t?.destroy()
})

let files = 0
async function csv(rows: string[][]) {
  return writeCsv(dir.path(`file-${++files}.csv`), rows)
}
const orgImport = async (rows: string[][], apply = true) => importOrgUnits(t.db, actor, { filePath: await csv(rows), fileName: 'org.csv', apply })
const staffImport = async (rows: string[][], options: { apply?: boolean; deactivateMissing?: boolean } = {}) =>
  importStaff(t.db, actor, pii, { filePath: await csv(rows), fileName: 'staff.csv', apply: options.apply ?? true, deactivateMissing: options.deactivateMissing ?? false })
const countOf = async (table: 'org_units' | 'users') => Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

describe('the org tree', () => {
  it('previews each bad row with its row, column and reason, and writes nothing', async () => {
    const result = await orgImport(
      [
        ORG_HEADER,
        ['LK-A', '甲分行', 'LK', '分行'],
        ['LK-B', '', 'LK', '分行'],
        ['LK-C', '丙网点', 'NOPE', '网点'],
        ['LK-A', '重复', 'LK', '分行'],
        ['LK-D', '丁', 'LK', '事业部'],
        ['LK-E', '戊分行', 'LK-F', '分行'],
        ['LK-F', '己网点', 'LK', '网点'],
      ],
      true,
    )
    expect(result.applied).toBe(false)
    expect(result.errors.map((e) => [e.row, e.column, e.message.key])).toEqual([
      [3, '机构名称', 'validation.required'],
      [4, '上级机构代码', 'hr.unknownParent'],
      [5, '机构代码', 'hr.duplicateCode'],
      [6, '层级', 'hr.unknownLevel'],
      [7, '层级', 'hr.levelUnderParent'],
    ])
    expect(await countOf('org_units')).toBe(1)
  })

  it('applies a whole tree (in any row order, XLSX too), and run again changes only what differs', async () => {
    const file = dir.path('org.xlsx')
    await writeXlsx(file, (sheet) => {
      sheet.addRow(['code', 'name', 'parent code', 'level', '备注'])
      for (const row of [...ORG_ROWS].reverse()) sheet.addRow([...row, ''])
    })
    const first = await importOrgUnits(t.db, actor, { filePath: file, fileName: 'org.xlsx', apply: true })
    expect(first).toMatchObject({ applied: true, rows: 6, created: 6, updated: 0, unchanged: 0, errors: [], unknownColumns: ['备注'] })
    const units = await t.db.selectFrom('org_units').select(['id', 'code', 'kind', 'path', 'depth', 'parent_id']).execute()
    const byCode = new Map(units.map((u) => [u.code, u]))
    expect(byCode.get('LK-ZK-XH-01')).toMatchObject({ kind: 'outlet', depth: 3, path: `/${byCode.get('LK')!.id}/${byCode.get('LK-ZK')!.id}/${byCode.get('LK-ZK-XH')!.id}/${byCode.get('LK-ZK-XH-01')!.id}/` })
    expect(byCode.get('LK-KF-01')).toMatchObject({ kind: 'outlet', depth: 2 })

    // The same file again: nothing to do.
    const again = await orgImport([ORG_HEADER, ...ORG_ROWS])
    expect(again).toMatchObject({ applied: true, created: 0, updated: 0, unchanged: 6 })

    // A rename and a move: the sub-branch and its outlets go under the other branch.
    const moved = ORG_ROWS.map((r) => (r[0] === 'LK-ZK-XH' ? ['LK-ZK-XH', '西华县支行', 'LK-KF', '支行'] : r))
    const third = await orgImport([ORG_HEADER, ...moved])
    expect(third).toMatchObject({ applied: true, created: 0, updated: 1, unchanged: 5 })
    const after = new Map((await t.db.selectFrom('org_units').select(['id', 'code', 'name', 'path', 'depth']).execute()).map((u) => [u.code, u]))
    expect(after.get('LK-ZK-XH')!.name).toBe('西华县支行')
    expect(after.get('LK-ZK-XH-02')).toMatchObject({ depth: 3, path: `/${after.get('LK')!.id}/${after.get('LK-KF')!.id}/${after.get('LK-ZK-XH')!.id}/${after.get('LK-ZK-XH-02')!.id}/` })
    const audit = await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'org_unit.%').execute()
    expect(audit.filter((a) => a.action === 'org_unit.import')).toHaveLength(3)
    expect(audit.filter((a) => a.action === 'org_unit.update')).toHaveLength(1)
  })
})

describe('the staff', () => {
  let first: StaffImportResult

  it('previews bad rows (and warns of a bad mobile) without writing anything', async () => {
    const before = await countOf('users')
    const result = await staffImport(
      [
        STAFF_HEADER,
        staffRow(1),
        ['E0002', '员工2', '行长助理', 'LK-ZK-XH-01', '13800000002'],
        ['E0003', '员工3', '客户经理', 'NOWHERE', '13800000003'],
        ['E0001', '重复', '客户经理', 'LK-ZK-XH-01', ''],
        ['', '员工5', '客户经理', 'LK-ZK-XH-01', ''],
        ['E0006', '员工6', '网点负责人', 'LK-ZK-XH-01', '12345'],
      ],
      { apply: true },
    )
    expect(result.applied).toBe(false)
    expect(result.errors.map((e) => [e.row, e.column, e.message.key])).toEqual([
      [3, '角色', 'hr.unknownRole'],
      [4, '所属机构', 'hr.unknownOrgUnit'],
      [5, '工号', 'hr.duplicateUsername'],
      [6, '工号', 'hr.usernameOrNumber'],
    ])
    expect(result.warnings.map((w) => [w.row, w.column, w.message.key])).toEqual([[7, '手机号', 'hr.mobileLeftBlank']])
    expect(result.initialPasswords).toEqual([])
    expect(await countOf('users')).toBe(before)
  })

  it('creates the staff with one-time passwords that sign in once and must be replaced; mobiles encrypted', async () => {
    const rows = [STAFF_HEADER, ...Array.from({ length: 12 }, (_, i) => staffRow(i + 1, i < 8 ? 'LK-ZK-XH-01' : 'LK-KF-01')), ['E0100', '张经理', '网点负责人', 'LK-ZK-XH-01', '+86 139 0000 0100']]
    const preview = await staffImport(rows, { apply: false })
    expect(preview).toMatchObject({ applied: false, created: 13, errors: [], initialPasswords: [] })
    expect(await countOf('users')).toBe(1)

    first = await staffImport(rows)
    expect(first).toMatchObject({ applied: true, rows: 13, created: 13, updated: 0, errors: [] })
    expect(first.initialPasswords).toHaveLength(13)
    const manager = await t.db.selectFrom('users').selectAll().where('username', '=', 'e0100').executeTakeFirstOrThrow()
    expect(manager).toMatchObject({ name: '张经理', role: 'manager', employee_number: 'E0100', must_change_password: 1, mobile_masked: '139****0100' })
    expect(manager.mobile_enc).not.toContain('13900000100')
    expect(pii.decrypt(manager.mobile_enc!)).toBe('13900000100')
    const passwords = await t.db.selectFrom('users').select('password_hash').where('username', 'like', 'e%').execute()
    for (const p of first.initialPasswords) expect(passwords.some((h) => h.password_hash.includes(p.password))).toBe(false)

    const given = first.initialPasswords.find((p) => p.username === 'e0100')!
    expect((await signIn(t.db, { username: 'e0100', password: given.password, ip: null, userAgent: null }, policy)).ok).toBe(true)
    expect((await signIn(t.db, { username: 'e0100', password: 'not it at all', ip: null, userAgent: null }, policy)).ok).toBe(false)
  })

  it('run again, updates what changed by employee number, and deactivates the unlisted only when asked', async () => {
    // E0001 moves and is promoted; E0012 is no longer listed.
    const rows = [STAFF_HEADER, ['E0001', '员工1', '网点负责人', 'LK-KF-01', '13800000001'], ...Array.from({ length: 10 }, (_, i) => staffRow(i + 2, i + 1 < 8 ? 'LK-ZK-XH-01' : 'LK-KF-01')), ['E0100', '张经理', '网点负责人', 'LK-ZK-XH-01', '13900000100']]
    const kept = await staffImport(rows)
    expect(kept).toMatchObject({ applied: true, created: 0, updated: 1, unchanged: 11, missing: 1, deactivated: 0, initialPasswords: [] })
    const e12 = () => t.db.selectFrom('users').select('active').where('username', '=', 'e0012').executeTakeFirstOrThrow()
    expect((await e12()).active).toBe(1)
    expect(await t.db.selectFrom('users').select(['role']).where('username', '=', 'e0001').executeTakeFirstOrThrow()).toEqual({ role: 'manager' })

    const dropped = await staffImport(rows, { deactivateMissing: true })
    expect(dropped).toMatchObject({ applied: true, created: 0, updated: 0, missing: 1, deactivated: 1 })
    expect((await e12()).active).toBe(0)
    // The administrator (not listed) is never deactivated by an import.
    expect((await t.db.selectFrom('users').select('active').where('id', '=', adminId).executeTakeFirstOrThrow()).active).toBe(1)
  })

  it('a failed apply writes nothing, not even the rows before the failure', async () => {
    const before = await t.db.selectFrom('users').select(['username', 'name', 'role']).orderBy('id').execute()
    // The database refuses one user half way through the transaction.
    if (t.dialect === 'sqlite') {
      await sql`create trigger refuse_boom before insert on users when new.username = 'e0999' begin select raise(abort, 'refused'); end`.execute(t.db)
    } else {
      await sql`create function refuse_boom() returns trigger language plpgsql as $$ begin if new.username = 'e0999' then raise exception 'refused'; end if; return new; end $$`.execute(t.db)
      await sql`create trigger refuse_boom before insert on users for each row execute function refuse_boom()`.execute(t.db)
    }
    try {
      const rows = [STAFF_HEADER, ['E0001', '改名了', '客户经理', 'LK-ZK-XH-01', ''], staffRow(998), staffRow(999), staffRow(1000)]
      await expect(staffImport(rows)).rejects.toThrow(/refused/)
    } finally {
      await sql`drop trigger refuse_boom${sql.raw(t.dialect === 'postgres' ? ' on users' : '')}`.execute(t.db)
      if (t.dialect === 'postgres') await sql`drop function refuse_boom()`.execute(t.db)
    }
    expect(await t.db.selectFrom('users').select(['username', 'name', 'role']).orderBy('id').execute()).toEqual(before)
  })

  it('npm run import:staff prints the result as JSON, passwords included, and exits 1 on errors', async () => {
    const env = { ...process.env, DATABASE_URL: t.url, DATA_KEY: TEST_DATA_KEY, SESSION_SECRET: 's', LOAN_SYSTEM_SECRET: 'l', WANQI_SECRETS_FILE: path.join(os.tmpdir(), 'wanqi-hr-test-secrets.json') }
    const cli = (...args: string[]) => runCli('app/cli/import-hr.server.ts', args, { env })
    const good = await runCli('app/cli/import-hr.server.ts', ['staff', await csv([['用户名', '姓名', '角色', '机构代码'], ['cli.one', '命令行', '总行', 'LK']])], { env, tsx: true })
    const result = JSON.parse(good.stdout) as StaffImportResult
    expect(result).toMatchObject({ applied: true, created: 1, errors: [] })
    expect(result.initialPasswords).toMatchObject([{ username: 'cli.one', name: '命令行' }])
    const bad = cli('staff', await csv([['用户名', '姓名', '角色', '机构代码'], ['cli.two', '命令行二', '总行', 'NOWHERE']]))
    await expect(bad).rejects.toMatchObject({ code: 1 })
    const failed = JSON.parse(((await bad.catch((e: { stdout: string }) => e)) as { stdout: string }).stdout) as { errors: { row: number; column: string; message: string }[] }
    expect(failed.errors).toEqual([{ row: 2, column: '机构代码', message: 'No org unit has the code NOWHERE: import the organisation first.' }])

    // The org tree too; --dry-run checks and writes nothing.
    const units = await countOf('org_units')
    const org = await cli('org', await csv([['机构代码', '机构名称', '上级机构代码', '层级'], ['LK-NEW', '新网点', 'LK', '网点']]), '--dry-run')
    expect(JSON.parse(org.stdout)).toMatchObject({ applied: false, created: 1, errors: [] })
    expect(await countOf('org_units')).toBe(units)
  })
})

describe('the pages', () => {
  let server: TestServer
  let admin: Client
  beforeAll(async () => {
    server = await startTestServer(t)
    // The admin's own password chosen, so pages open.
    await t.db.updateTable('users').set({ must_change_password: 0, password_hash: await hashPassword('the admin chose this') }).where('id', '=', adminId).execute()
    admin = new Client(server.url)
    expect((await admin.signIn('admin', 'the admin chose this')).status).toBe(302)
  })
  afterAll(() => server?.close())

  async function upload(page: string, rows: string[][], fields: Record<string, string>, fileName = 'staff.csv') {
    const form = new FormData()
    form.set('file', new Blob([rows.map((r) => r.join(',')).join('\r\n')], { type: 'text/csv' }), fileName)
    for (const [k, v] of Object.entries(fields)) form.set(k, v)
    return admin.request(page, { method: 'POST', body: form })
  }

  it('preview and import staff from the browser form, the passwords shown once', async () => {
    const rows = [['工号', '姓名', '角色', '所属机构'], ['W0001', '网页一', '客户经理', 'LK-KF-01'], ['W0002', '网页二', '客户经理', 'LK-KF-01']]
    const preview = await upload('/admin/import/staff', rows, { intent: 'preview' })
    expect(preview.status).toBe(200)
    expect(await preview.text()).toContain('检查通过，尚未写入')
    expect(await t.db.selectFrom('users').select('id').where('username', '=', 'w0001').executeTakeFirst()).toBeUndefined()

    const applied = await upload('/admin/import/staff', rows, { intent: 'apply' })
    expect(applied.status).toBe(200)
    expect(applied.headers.get('cache-control')).toBe('no-store')
    const html = await applied.text()
    expect(html).toContain('download="initial-passwords.csv"')
    expect(html).toMatch(/w0002<\/td><td>网页二<\/td><td><code>[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}<\/code>/)

    const bad = await upload('/admin/import/org', [['机构代码', '机构名称', '上级机构代码', '层级'], ['X1', '某网点', 'NOPE', '网点']], { intent: 'apply' })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('上级机构代码 NOPE 在文件和系统中都不存在')
  })

  it.each(['/admin/import/org', '/admin/import/staff'])('%s offers XLS and WPS files (the reader takes them)', async (page) => {
    const html = await (await admin.get(page)).text()
    expect(/accept="([^"]*)"/.exec(html)?.[1].split(',')).toEqual(expect.arrayContaining(['.csv', '.xlsx', '.xls', '.et']))
  })

  // Remix's multipart parser answered 500 to a name holding '=' or ';'.
  it.each(['机构=2024.csv', 'a;b.csv', ''])('takes an HR file named %j on both pages', async (fileName) => {
    const org = await upload('/admin/import/org', [['机构代码', '机构名称', '上级机构代码', '层级'], ['LK-KF-01', '考城网点', 'LK', '网点']], { intent: 'preview' }, fileName)
    expect(org.status).toBe(200)
    expect(await org.text()).toContain('检查通过，尚未写入')
    const staff = await upload('/admin/import/staff', [['工号', '姓名', '角色', '所属机构'], ['N0001', '名字一', '客户经理', 'LK-KF-01']], { intent: 'preview' }, fileName)
    expect(staff.status).toBe(200)
    expect(await staff.text()).toContain('检查通过，尚未写入')
  })

  it('says what is wrong with an upload without a file, an empty file, or too big a file', async () => {
    const none = new FormData()
    none.set('intent', 'preview')
    const missing = await admin.request('/admin/import/org', { method: 'POST', body: none })
    expect(missing.status).toBe(400)
    expect(await missing.text()).toContain('请选择文件')
    const empty = await upload('/admin/import/staff', [], { intent: 'preview' })
    expect(empty.status).toBe(400)
  })

  it('the users page searches by name or user name, pages by 50 and says how many', async () => {
    await staffImport([STAFF_HEADER, ...Array.from({ length: 60 }, (_, i) => staffRow(200 + i, 'LK-KF-01'))])
    const total = await countOf('users')
    const all = await (await admin.get('/admin/users')).text()
    expect(all).toContain(`共 ${total} 人`)
    expect(all).toContain(`第 1 / ${Math.ceil(total / 50)} 页`)
    expect(all.match(/href="\/admin\/users\/\d+"/g)).toHaveLength(50)
    const second = await (await admin.get('/admin/users?page=2')).text()
    expect(second.match(/href="\/admin\/users\/\d+"/g)).toHaveLength(Math.min(50, total - 50))

    const byName = await (await admin.get(`/admin/users?q=${encodeURIComponent('员工25')}`)).text()
    expect(byName).toContain('共 10 人') // 员工250 … 员工259
    const byUsername = await (await admin.get('/admin/users?q=E0259')).text()
    expect(byUsername).toContain('共 1 人')
    expect(byUsername).toContain('>e0259<')
    const literal = await (await admin.get(`/admin/users?q=${encodeURIComponent('e0_5')}`)).text()
    expect(literal).toContain('共 0 人')
  })
})
