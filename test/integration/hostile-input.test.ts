// Bad and hostile input through the real routes: files that are not what their names say,
// a zip bomb, 10,000 columns, a 10 MB cell, a wrong encoding; and markup, script and
// formulas typed into text fields. Each gets a clear refusal or is kept as plain text and
// shown escaped; no answer is a 500 or shows a stack trace; exports cannot run a formula.
import crypto from 'node:crypto'
import http from 'node:http'
import ExcelJS from 'exceljs'
import { beforeAll, describe, expect, it } from 'vitest'
import { setLogLevel } from '../../app/server/logger.server'
import { runOnce } from '../../app/services/import/import-runner.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import type { TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY, testConfig, type Client } from '../support/test-server'
import { addUser, buildOrg } from '../support/fixtures'
import { routeSuite } from '../support/route-suite'
import { encodeText, xlsxParts, zipBytes } from '../support/spreadsheets'
import { CHINESE_HEADERS, makeUscc } from '../support/lists'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let manager: Client

const suite = routeSuite(async (db) => {
  t = db
  const org = await buildOrg(t.db)
  await addUser(t.db, 'mgr.a', 'manager', org.outletA1.id)
})
beforeAll(async () => {
  manager = await suite.signedIn('mgr.a')
})

/** A cell past the limit, or its line past the line limit: either names where. */
const CELL_TOO_LONG = /第 2 行 B 列（第 2 列）的内容超过 \d+ 个字符。|文本第 2 行超过 \d+ 个字符/

/** A stack trace as Node prints one. */
const STACK = /\n\s+at [\w.<>]+ \(|node_modules\/|\.ts:\d+:\d+/
/** A stack's frames however a page escapes them ("&nbsp;at decode_param (/…/layer.js:172:12)"). */
const FRAMES = /(^|\s|;)at \S+ \(|node_modules\/|\.[cm]?[jt]sx?:\d+:\d+/m

async function uploaded(name: string, bytes: Buffer) {
  const form = new FormData()
  form.set('source', 'tax')
  form.set('file', new Blob([new Uint8Array(bytes)]), name)
  const response = await manager.request('/imports', { method: 'POST', body: form })
  const text = await response.text()
  expect(response.status, `${name}: ${text.slice(0, 200)}`).toBeLessThan(500)
  expect(text).not.toMatch(STACK)
  return response
}

describe('bad files', () => {
  const header = `${CHINESE_HEADERS.join(',')}\n`
  const cases: [string, () => Buffer, RegExp][] = [
    ['random bytes named .csv', () => crypto.randomBytes(64 * 1024), /无法识别这个文件：请上传 Excel 表格（.xlsx 或 .xls）、WPS 表格或 CSV 文件。/],
    ['random bytes named .xlsx', () => crypto.randomBytes(64 * 1024), /无法识别这个文件：请上传 Excel 表格（.xlsx 或 .xls）、WPS 表格或 CSV 文件。/],
    ['10,000 columns.csv', () => Buffer.from(Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',') + '\n' + '1,'.repeat(9_999) + '1\n'), /第 1 行超过 \d+ 列：请删除多余的列。/],
    ['a 10 MB cell.csv', () => Buffer.from(`${header}${makeUscc(1)},"${'甲'.repeat(3_500_000)}",地址\n`), CELL_TOO_LONG],
    ['zip bomb.xlsx', () => zipBytes(xlsxParts({ sheets: [{ name: 'a', file: 'sheet1.xml', sheetData: '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' + ' '.repeat(20 * 1024 * 1024) }] })), /文件解压后的大小异常（疑似恶意构造的压缩包），已拒绝处理。/],
    ['UTF-16 without a mark.csv', () => Buffer.from(`${header}${makeUscc(2)},某某公司,某地\n`, 'utf16le'), /无法识别这个文件/],
  ]
  for (const [name, bytes, message] of cases) {
    it(`refuses ${name} with a clear message on the import's page, and the server goes on`, async () => {
      const response = await uploaded(name.replace(/^.* named /, 'file'), bytes())
      // Refused at once, or taken and then refused by the preview.
      if (response.status === 302) {
        const page = response.headers.get('Location')!
        await runOnce(t.db, pii, 'test-runner', { uploadDir: testConfig().uploadDir })
        const job = await t.db.selectFrom('import_jobs').select(['status', 'error']).where('id', '=', Number(page.split('/').pop())).executeTakeFirstOrThrow()
        expect(job.status, name).toBe('failed')
        const html = await (await manager.get(page)).text()
        expect(html, `${name}: ${job.error}`).toMatch(message)
        expect(html).not.toMatch(STACK)
      } else {
        expect(response.status).toBeGreaterThanOrEqual(400)
      }
      expect(await t.db.selectFrom('market_players').select('id').execute()).toHaveLength(0)
      expect((await manager.get('/players')).status).toBe(200)
    })
  }
  // Shift-JIS is not one of the encodings a Chinese list comes in; read as GB18030 it is mojibake, not a crash.
  it('takes a list in an encoding it was not written in without crashing', async () => {
    await uploaded('wrong.csv', Buffer.from(encodeText(`${header}${makeUscc(3)},某某公司,某地\n`, 'utf-16le')))
  })
})

describe('markup, script and formulas in text fields', () => {
  const hostile = {
    name: '=HYPERLINK("http://evil.example","点我")<script>alert("name")</script>',
    address: '<img src=x onerror=alert(1)>',
    legalRepresentative: '+SUM(1,2)',
    owner: '@cmd',
  }
  let id: number

  it('keeps them as typed and shows them escaped, on the player and in the list', async () => {
    const created = await manager.post('/players/new', { ...hostile, kind: 'enterprise', uscc: makeUscc(77), industry: 'F', employees: '5', revenue: '50' })
    expect(created.status).toBe(302)
    id = Number(created.headers.get('Location')!.split('/').pop())
    const row = await t.db.selectFrom('market_players').select(['name', 'address', 'legal_representative']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toEqual({ name: hostile.name, address: hostile.address, legal_representative: hostile.legalRepresentative })
    for (const path of [`/players/${id}`, '/players', `/players?q=${encodeURIComponent('script')}`]) {
      const html = await (await manager.get(path)).text()
      expect(html, path).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;')
      expect(html, path).not.toContain('<script>alert(')
      expect(html, path).not.toContain('<img src=x')
    }
  })

  it('exports them defused: a CSV cell that would run as a formula is text, and the XLSX holds strings', async () => {
    const csv = await (await manager.get('/dashboard/export?period=year&format=csv')).text()
    const line = csv.split('\r\n').find((l) => l.includes('HYPERLINK'))!
    // Quoted (it holds quotes and a comma), and opened by an apostrophe: text, not a formula.
    expect(line).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")<script>alert(""name"")</script>"`)
    expect(line).not.toMatch(/(^|,)"?[=+\-@]/)
    const xlsx = Buffer.from(await (await manager.get('/dashboard/export?period=year&format=xlsx')).arrayBuffer())
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx as never)
    const cells: ExcelJS.Cell[] = []
    workbook.eachSheet((sheet) => sheet.eachRow((r) => r.eachCell((c) => cells.push(c))))
    const theirs = cells.filter((c) => String(c.value).includes('HYPERLINK'))
    expect(theirs.length).toBeGreaterThanOrEqual(1)
    for (const cell of theirs) expect(cell.type, String(cell.value)).toBe(ExcelJS.ValueType.String)
    expect(cells.some((c) => c.type === ExcelJS.ValueType.Formula)).toBe(false)
  })

  it('a visit note with markup is stored as typed and shown escaped', async () => {
    const note = '<b onmouseover="alert(1)">看这里</b>'
    const saved = await manager.request('/api/v1/visits', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: crypto.randomUUID(), playerId: id, channel: 'phone', hasNeed: false, notes: note }),
    })
    const body = await saved.text()
    expect(saved.status, body).toBeLessThan(300)
    const visitId = (JSON.parse(body) as { visit: { id: string } }).visit.id
    const html = await (await manager.get(`/visits/${visitId}`)).text()
    expect(html).toContain('&lt;b onmouseover=&quot;alert(1)&quot;&gt;看这里&lt;/b&gt;')
    expect(html).not.toContain('<b onmouseover')
  })

  it('answers a broken JSON body, a non-object and a wrong type with 400 naming the problem, never 500', async () => {
    for (const body of ['{"id":', '[]', '"text"', JSON.stringify({ playerId: 'x'.repeat(100_000) })]) {
      const response = await manager.request('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
      const text = await response.text()
      expect(response.status, body.slice(0, 40)).toBe(400)
      expect(text).not.toMatch(STACK)
      expect((JSON.parse(text) as { message: string }).message.length).toBeGreaterThan(0)
    }
  })
})

describe('malformed requests', () => {
  // The server runs as the tests start it (NODE_ENV=test, not production), where Express's
  // own error page would show the stack: the app's last handler answers instead.
  type Line = { level: string; message: string; status?: number; error?: { stack?: string } }

  /** The log lines (at info and above) written while `work` runs. */
  async function logged<T>(work: () => Promise<T>): Promise<{ result: T; lines: Line[] }> {
    const lines: Line[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Line)
      return true
    }) as typeof process.stderr.write
    setLogLevel('info')
    try {
      return { result: await work(), lines }
    } finally {
      setLogLevel('error')
      process.stderr.write = write
    }
  }

  /** A request as a raw client can send it (fetch will not send a Host of its own). */
  function rawGet(pathname: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    const { hostname, port } = new URL(suite.server.url)
    return new Promise((resolve, reject) => {
      const request = http.get({ hostname, port, path: pathname, headers }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString('utf8') }))
      })
      request.on('error', reject)
    })
  }

  const cases: [string, string, Record<string, string>][] = [
    ['a built file, to a browser taking brotli', '/build/%E0%A4%A.js', { 'Accept-Encoding': 'br' }],
    ['a built file, to a browser taking gzip', '/build/%E0%A4%A.js', { 'Accept-Encoding': 'gzip' }],
    ['a page', '/players/%E0%A4%A', {}],
    ['a page’s data', '/players/%E0%A4%A.data', {}],
    ['a messages part', '/messages/zh-CN/%E0%A4%A.js', {}],
  ]
  for (const [what, pathname, headers] of cases) {
    it(`answers ${what} named with broken percent-encoding with a one-line 400, no stack, logged at info`, async () => {
      const { result: response, lines } = await logged(async () => {
        const answer = await manager.request(pathname, { headers })
        return { status: answer.status, type: answer.headers.get('Content-Type'), body: await answer.text() }
      })
      expect(response.status, response.body).toBe(400)
      expect(response.type).toMatch(/^text\/plain/)
      expect(response.body).toBe('400 Bad Request\n')
      expect(response.body).not.toMatch(FRAMES)
      expect(lines.map((l) => [l.level, l.message, l.status])).toEqual([['info', 'request refused', 400]])
    })
  }

  it('answers a request the app cannot even read (a Host with a space) with a plain 500, the stack in the log only', async () => {
    const { result: response, lines } = await logged(() => rawGet('/login', { Host: 'bad host' }))
    expect(response.status).toBe(500)
    expect(response.body).toMatch(/^internal error \(request [\w-]+\)\n$/)
    expect(response.body).not.toMatch(FRAMES)
    expect(lines.map((l) => [l.level, l.message, l.status])).toEqual([['error', 'request failed', 500]])
    expect(lines[0].error?.stack).toMatch(FRAMES)
  })
})
