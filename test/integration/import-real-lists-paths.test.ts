// Every file of ../shared/real-lists/ (issue 21) through the two ways in: the preview page a
// manager uploads to (real HTTP, the page the browser shows) and the command line (one JSON
// object on stdout). Same counts both ways, each asserted: a reader or rule that loses a row
// of a real list fails here.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runOnce } from '../../app/services/import/import-runner.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { runCli } from '../support/cli'
import { addUser, buildOrg } from '../support/fixtures'
import { realList } from '../support/real-lists'
import { routeSuite } from '../support/route-suite'
import { makeTempDir } from '../support/spreadsheets'
import type { TestDatabase } from '../support/test-db'
import { type Client, TEST_DATA_KEY, testConfig } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase

const suite = routeSuite(async (db) => {
  t = db
  const org = await buildOrg(t.db)
  await addUser(t.db, 'mgr.real', 'manager', org.outletA1.id)
})

interface Expected {
  rows: number
  inserted: number
  rejected: number
  warnings: number
  unknown: string[]
}

// What each real list gives a fresh database (its README says what each one exercises).
const LISTS: Array<[string, Expected]> = [
  ['henan2019_lankao410225.csv', { rows: 150, inserted: 150, rejected: 0, warnings: 0, unknown: ['注册资金', '经营范围', '所在省份', '地区'] }],
  ['henan2012_status_date_area_variants.csv', { rows: 12, inserted: 12, rejected: 0, warnings: 2, unknown: [] }],
  // Six 400 service numbers are neither mobiles nor landlines: blanked, each with a warning.
  ['qicc_company580.csv', { rows: 580, inserted: 580, rejected: 0, warnings: 6, unknown: ['邮箱', '索引'] }],
  // The title row above the merged header: skipped, and a warning.
  ['q1_title_merged.xlsx', { rows: 100, inserted: 100, rejected: 0, warnings: 1, unknown: ['序号', '注册资金'] }],
  ['q2_xls.xls', { rows: 100, inserted: 100, rejected: 0, warnings: 0, unknown: ['序号', '注册资金'] }],
  ['q4_gb18030.csv', { rows: 100, inserted: 100, rejected: 0, warnings: 0, unknown: ['序号', '注册资金'] }],
]

async function upload(client: Client, file: string) {
  const form = new FormData()
  form.set('source', 'market')
  form.set('file', new Blob([await readFile(file)]), path.basename(file))
  const response = await client.request('/imports', { method: 'POST', body: form })
  expect(response.status).toBe(302)
  return response.headers.get('Location')!
}

/** The number a count of the preview's summary shows (`import.rows` …). */
function shown(html: string, key: string): number {
  const match = new RegExp(`data-testid="${key.replace('.', '\\.')}"[^>]*>\\s*<dt>[^<]*</dt>\\s*<dd>([^<]*)</dd>`).exec(html)
  if (!match) throw new Error(`no count ${key} on the page`)
  return Number(match[1].replace(/[^\d]/g, ''))
}

describe('every real list, previewed in the browser and imported from the command line', () => {
  it.each(LISTS)('%s', async (name, expected) => {
    const manager = await suite.signedIn('mgr.real')
    const jobPath = await upload(manager, realList(name))
    await runOnce(t.db, pii, 'test-runner', { uploadDir: testConfig().uploadDir })
    const html = await (await manager.get(jobPath)).text()
    expect(html).toContain('data-testid="preview-row-')
    // Lankao's list has no area column: the county comes from the USCC, and the preview says so.
    if (name.startsWith('henan2019')) expect(html).toMatch(/data-testid="preview-row-2"[^>]*>(?:(?!<\/tr>)[\s\S])*<td>按信用代码：410225<\/td>/)
    const page = {
      rows: shown(html, 'import.rows'),
      inserted: shown(html, 'import.inserted'),
      rejected: shown(html, 'import.rejected'),
      warnings: shown(html, 'import.warnings'),
      unknown: [...(/data-testid="unknown-columns">未读取的列：([^<。]*)。/.exec(html)?.[1] ?? '').matchAll(/[A-Z]+ ([^,]+)/g)].map((m) => m[1].trim()),
    }

    const temp = await makeTempDir('wanqi-real-cli-')
    try {
      const { stdout, stderr } = await runCli('app/cli/import.server.ts', ['--source', 'market', '--org', 'A-1', realList(name)], {
        env: { ...process.env, DATABASE_URL: t.url, DATA_KEY: TEST_DATA_KEY, WANQI_SECRETS_FILE: temp.path('secrets.json') },
      })
      const cli = JSON.parse(stdout) as { inserted: number; updated: number; unchanged: number; rejected: number; warnings: number; unknownColumns: { header: string }[] }
      expect(stderr).toMatch(/rows done/)
      expect(page).toEqual(expected)
      expect({ rows: cli.inserted + cli.updated + cli.unchanged + cli.rejected, inserted: cli.inserted, rejected: cli.rejected, warnings: cli.warnings, unknown: cli.unknownColumns.map((u) => u.header) }).toEqual(expected)
    } finally {
      await temp.remove()
    }
  })
})
