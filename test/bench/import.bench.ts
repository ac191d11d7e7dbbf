// A province's list, imported: 1,000,000 rows of CSV (`--rows N` for fewer) through
// commitImportJob (read, parse, check, match, derive, encrypt, insert, in batches) against
// the fastest plain insert of the same rows, measured in the same run: better-sqlite3, one
// prepared statement, one transaction, values computed beforehand, into the same table with
// the same indexes and full-text triggers (one row per statement and 400 per statement are
// both timed; the faster is the baseline). Target (the issue): the import keeps at least
// half that pace, with memory flat while it streams the file. The same rows as an XLSX
// (inline strings, as a streaming writer saves them) are imported beside it, measured
// against the same baseline and checked to store the same players.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type SQLite from 'better-sqlite3'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { loadTownshipCentres } from '../../app/services/areas.server'
import { commitImportJob, createImportJob, listImportIssues } from '../../app/services/import/import-jobs.server'
import { DEFAULT_LIMITS } from '../../app/services/import/read-table.server'
import { createOrgUnit } from '../../app/services/org-units/create-org-unit.server'
import { newPlayerColumns } from '../../app/services/player-record.server'
import { matchKey } from '../../app/domain/name-search'
import { usccCheckCharacter } from '../../app/domain/identifiers'
import type { PlayerFields } from '../../app/domain/market-player'
import { townshipAreas, type Box } from '../../db/seed/geography'
import { TOWNSHIP_NAMES } from '../../db/seed/names'
import { generatePlayer } from '../../db/seed/players'
import { createRandom } from '../../db/seed/random'
import type { NewArea } from '../../db/schema'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import type { Benchmark } from './harness'
import { writeStreamedXlsx } from './xlsx-stream-writer'

const DEFAULT_ROWS = 1_000_000
const TARGET_RATIO = 0.5
const SAMPLE_MS = 500
/**
 * "Flat": the median RSS over the second half of the rows exceeds the first half's by less
 * than this. Medians, not peaks: four threads collect their garbage at their own times, so
 * a single sample swings by a hundred megabytes or more either way; a file held in memory
 * would instead lift every sample by several times its size (170 MB here).
 */
const FLAT_MB = 64
const MB = 1024 * 1024

export const benchmark: Benchmark = {
  name: 'import',
  async run({ rows: requested, log }) {
    const rows = requested ?? DEFAULT_ROWS
    const pii = createPersonalDataCipher(TEST_DATA_KEY)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-bench-import-'))
    const databases: TestDatabase[] = []
    try {
      const file = path.join(dir, `province-list-${rows}.csv`)
      const started = performance.now()
      await writeList(file, rows)
      const bytes = fs.statSync(file).size
      log(`wrote ${rows.toLocaleString('en')} rows, ${(bytes / MB).toFixed(0)} MB, in ${seconds(started)} s: ${file}`)

      // The measured import first, so that its memory is not the baseline's.
      const importDb = await freshDatabase(databases)
      const measured = await runImport(importDb, pii, file, bytes, rows, log)

      const xlsxFile = path.join(dir, `province-list-${rows}.xlsx`)
      const writingXlsx = performance.now()
      await writeXlsxList(xlsxFile, rows)
      const xlsxBytes = fs.statSync(xlsxFile).size
      log(`wrote the same rows as XLSX, ${(xlsxBytes / MB).toFixed(0)} MB, in ${seconds(writingXlsx)} s`)
      const xlsxDb = await freshDatabase(databases)
      const fromXlsx = await runImport(xlsxDb, pii, xlsxFile, xlsxBytes, rows, log)
      fs.rmSync(xlsxFile, { force: true })

      const rawDbs = [await freshDatabase(databases), await freshDatabase(databases)] as const
      const raws = await rawInserts(rawDbs, pii, rows, log)
      const fastest = raws.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a))

      const comparing = performance.now()
      const expected = fingerprint(importDb.sqlite!)
      for (const [i, raw] of rawDbs.entries()) {
        const got = fingerprint(raw.sqlite!)
        if (expected.rows !== rows || got.rows !== rows) throw new Error(`expected ${rows} players in each table, got ${expected.rows} (import) and ${got.rows} (${raws[i].label})`)
        if (expected.hash !== got.hash) throw new Error(`the import and the ${raws[i].label} stored different players: the figures would not be comparable`)
      }
      const fromXlsxPrint = fingerprint(xlsxDb.sqlite!)
      if (fromXlsxPrint.hash !== expected.hash) throw new Error('the XLSX import stored different players from the CSV import')
      log(`compared the tables in ${seconds(comparing)} s: the same players`)

      const ratio = measured.rowsPerSecond / fastest.rowsPerSecond
      const memory = measured.memory
      const growth = (memory.secondHalfMedian - memory.firstHalfMedian) / MB
      const peakGrowth = (memory.secondHalfPeak - memory.firstHalfPeak) / MB
      const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`
      return {
        title: `import: ${rows.toLocaleString('en')} rows of CSV (${(bytes / MB).toFixed(0)} MB, UTF-8, Chinese headers) into a fresh migrated SQLite database, FTS triggers included`,
        columns: [
          { label: 'measurement', align: 'left' },
          { label: 'seconds', align: 'right' },
          { label: 'rows/s', align: 'right' },
          { label: 'vs fastest raw', align: 'right' },
          { label: 'target', align: 'right' },
          { label: 'result', align: 'left' },
        ],
        rows: [
          ...raws.map((raw) => [
            `raw: ${raw.label}${raw === fastest ? ' (baseline)' : ''}`,
            raw.seconds.toFixed(1),
            perSecond(raw.rowsPerSecond),
            `${(raw.rowsPerSecond / fastest.rowsPerSecond).toFixed(2)}×`,
            '',
            '',
          ]),
          [
            'commitImportJob, end to end from the file',
            measured.seconds.toFixed(1),
            perSecond(measured.rowsPerSecond),
            `${ratio.toFixed(2)}×`,
            `≥ ${TARGET_RATIO.toFixed(2)}×`,
            ratio >= TARGET_RATIO ? 'pass' : 'FAIL',
          ],
          [
            `commitImportJob from the same rows as XLSX (${(fromXlsx.bytes / MB).toFixed(0)} MB)`,
            fromXlsx.seconds.toFixed(1),
            perSecond(fromXlsx.rowsPerSecond),
            `${(fromXlsx.rowsPerSecond / fastest.rowsPerSecond).toFixed(2)}×`,
            '',
            `memory ${(fromXlsx.memory.secondHalfMedian - fromXlsx.memory.firstHalfMedian) / MB < FLAT_MB ? 'flat' : 'GROWS'} (${(((fromXlsx.memory.secondHalfMedian - fromXlsx.memory.firstHalfMedian) / MB) >= 0 ? '+' : '')}${((fromXlsx.memory.secondHalfMedian - fromXlsx.memory.firstHalfMedian) / MB).toFixed(0)} MB), peak RSS ${(fromXlsx.memory.peak.rss / MB).toFixed(0)} MB`,
          ],
          [
            'import memory: median RSS, 2nd half of rows vs 1st',
            '',
            '',
            '',
            `< +${FLAT_MB} MB`,
            `${growth < FLAT_MB ? 'pass' : 'FAIL'} (${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB)`,
          ],
        ],
        notes: [
          `Memory during the import, sampled every ${SAMPLE_MS} ms (${memory.samples} samples): RSS ${mb(memory.start.rss)} before, peak ${mb(memory.peak.rss)}, final ${mb(memory.final.rss)}; heap used ${mb(memory.start.heapUsed)} before, peak ${mb(memory.peak.heapUsed)}, final ${mb(memory.final.heapUsed)}.`,
          `Peak RSS / heap used in each tenth of the rows (MB): ${memory.byTenth.map((m) => `${(m.rss / MB).toFixed(0)}/${(m.heapUsed / MB).toFixed(0)}`).join(', ')}; peak RSS of the 2nd half vs the 1st: ${peakGrowth >= 0 ? '+' : ''}${peakGrowth.toFixed(0)} MB. Heap used is the server thread's; RSS counts every thread.`,
          `Event loop delay during the import: p50 ${measured.loopDelayMs.p50.toFixed(0)} ms, p99 ${measured.loopDelayMs.p99.toFixed(0)} ms, max ${measured.loopDelayMs.max.toFixed(0)} ms (a request to a server running the import in-process waits that long).`,
          `CPU seconds, every thread: the CSV import ${measured.cpuSeconds.toFixed(1)}, the XLSX import ${fromXlsx.cpuSeconds.toFixed(1)}, the baseline insert ${fastest.cpuSeconds.toFixed(1)}; on ${os.availableParallelism()} otherwise idle cores the CSV import could reach at best ${(fastest.cpuSeconds / (measured.cpuSeconds / os.availableParallelism())).toFixed(2)}× the baseline (its CPU spread over every core, the baseline's on one), however its threads are scheduled.`,
          `Raw inserts: one transaction each, the app's pragmas (WAL, synchronous=NORMAL, foreign keys), values from newPlayerColumns computed with the clock stopped (${fastest.computeSeconds.toFixed(1)} s, not counted).`,
          `All tables hold the same ${rows.toLocaleString('en')} players: a hash of every stored column that is not random (ciphertext, ids, times) matches.`,
          ...(measured.limitRaised
            ? [`The file is over the ${(DEFAULT_LIMITS.maxBytes / MB).toFixed(0)} MB upload limit (DEFAULT_LIMITS.maxBytes): measured with the limit raised to the file's size, as the browser and the CLI would refuse it.`]
            : []),
        ],
      }
    } finally {
      for (const database of databases) await database.destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },
}

// ---------------------------------------------------------------------------------------
// The list

/** The header row as a market-supervision export writes it. */
const HEADERS = [
  '统一社会信用代码',
  '企业名称',
  '主体类型',
  '法定代表人',
  '经营者',
  '经营者身份证号',
  '行业代码',
  '从业人数',
  '营业收入（万元）',
  '资产总额（万元）',
  '成立日期',
  '登记状态',
  '住所',
  '行政区划代码',
  '经度',
  '纬度',
  '纳税信用等级',
  '有无贷款',
  '征信查询日期',
  '联系电话',
]

const STATUS_WORDS = { active: '存续', abnormal: '经营异常', suspended: '停业', in_liquidation: '清算', moved_out: '迁出', deregistered: '注销' } as const
const LOAN_WORDS = { none: '无', has_loan: '有', unknown: '未知' } as const

/** The 1,300 townships of the seeded province (100 counties of 13), with their boundaries. */
function provinceTownships(): NewArea[] {
  // As db/seed/index.ts provincePlan draws them: the same codes, the same random boundaries.
  const rng = createRandom(1)
  const townships: NewArea[] = []
  const perCity = new Array<number>(17).fill(0)
  for (let k = 0; k < 100; k++) {
    const city = Math.floor((k * 17) / 100)
    perCity[city]++
    const countyCode = `41${String(city + 1).padStart(2, '0')}${String(20 + perCity[city]).padStart(2, '0')}`
    const west = 110.5 + (k % 10) * 0.6
    const south = 31.5 + Math.floor(k / 10) * 0.45
    const box: Box = { west, south, east: west + 0.6, north: south + 0.45 }
    townships.push(...townshipAreas(rng, { code: countyCode, box }, TOWNSHIP_NAMES.slice(0, 13)))
  }
  return townships
}

/**
 * The players of the list, the same for a given count every time: the demo generator's
 * mixes, with each player named once (a serial USCC; a household without one made unique
 * by its address), and no date after today, so every row is a new player the import accepts.
 */
function* listPlayers(count: number): Generator<PlayerFields> {
  const rng = createRandom(7)
  const townships = provinceTownships()
  const households = new Set<string>()
  // The import refuses dates after its own today (UTC); a day earlier holds across midnight.
  const today = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  for (let serial = 0; serial < count; serial++) {
    const township = townships[serial % townships.length]
    const fields = generatePlayer(rng, township, serial)
    if (fields.uscc) {
      const first17 = `9${fields.kind === 'household' ? 2 : 1}${township.code.slice(0, 6)}${String(serial).padStart(9, '0')}`
      fields.uscc = first17 + usccCheckCharacter(first17)
    } else {
      const address = fields.address
      for (let n = 2; households.has(matchKey(fields)!); n++) fields.address = `${address}之${n}`
      households.add(matchKey(fields)!)
    }
    if (fields.registeredOn && fields.registeredOn > today) fields.registeredOn = today
    if (fields.loanCheckedOn && fields.loanCheckedOn > today) fields.loanCheckedOn = today
    yield fields
  }
}

function csvCells(f: PlayerFields): (string | number | null)[] {
  return [
    f.uscc,
    f.name,
    f.kind === 'household' ? '个体工商户' : '企业',
    f.legalRepresentative,
    f.owner,
    f.idNumber,
    f.industry ? `${f.industry}${f.industryCode ?? ''}` : null,
    f.employees,
    f.revenueYuan === null ? null : f.revenueYuan / 10_000,
    f.assetsYuan === null ? null : f.assetsYuan / 10_000,
    f.registeredOn,
    f.registrationStatus ? STATUS_WORDS[f.registrationStatus] : null,
    f.address,
    f.areaCode,
    f.lng,
    f.lat,
    f.taxGrade,
    f.loanHistory ? LOAN_WORDS[f.loanHistory] : null,
    f.loanCheckedOn,
    f.phone,
  ]
}

function csvLine(cells: (string | number | null)[]): string {
  return cells.map((c) => (c === null ? '' : /[",\r\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(',') + '\r\n'
}

/** Writes the list as Excel saves "CSV UTF-8": a byte-order mark, CRLF lines; streamed. */
export async function writeList(file: string, count: number) {
  const out = fs.createWriteStream(file)
  let chunk = '\uFEFF' + csvLine(HEADERS)
  let n = 0
  for (const fields of listPlayers(count)) {
    chunk += csvLine(csvCells(fields))
    if (++n % 1000 === 0 || n === count) {
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  out.end()
  await once(out, 'finish')
}

/** The same list as an XLSX (inline strings, every cell as text), written as it goes: a
 * million rows take no more memory than a hundred. */
export async function writeXlsxList(file: string, count: number) {
  function* rows() {
    yield HEADERS
    for (const fields of listPlayers(count)) yield csvCells(fields).map((c) => (c === null ? null : String(c)))
  }
  await writeStreamedXlsx(file, rows())
}

// ---------------------------------------------------------------------------------------
// The two measurements

/** A fresh migrated database with the one org unit the rows go to. */
export async function freshDatabase(opened: TestDatabase[]): Promise<TestDatabase> {
  const database = await createTestDatabase()
  opened.push(database)
  if (database.dialect !== 'sqlite') throw new Error('the import benchmark compares against raw better-sqlite3: run it on SQLite')
  await createOrgUnit(database.db, SYSTEM_ACTOR, { code: 'HQ', name: '万企示范银行总行', kind: 'hq', parentId: null })
  return database
}

interface MemoryPoint {
  rss: number
  heapUsed: number
}

export async function runImport(database: TestDatabase, pii: ReturnType<typeof createPersonalDataCipher>, file: string, bytes: number, rows: number, log: (m: string) => void) {
  const { db } = database
  const org = await db.selectFrom('org_units').select('id').executeTakeFirstOrThrow()
  const actor = { ...SYSTEM_ACTOR, username: 'bench' }
  const jobId = await createImportJob(db, actor, { source: 'tax', fileName: path.basename(file), filePath: file, fileBytes: bytes, orgUnitId: org.id })
  // As the CLI does: no preview, straight to running.
  await db.updateTable('import_jobs').set({ status: 'running', merge_households: 1 }).where('id', '=', jobId).execute()
  const limitRaised = bytes > DEFAULT_LIMITS.maxBytes

  const point = (): MemoryPoint => {
    const m = process.memoryUsage()
    return { rss: m.rss, heapUsed: m.heapUsed }
  }
  const max = (a: MemoryPoint, b: MemoryPoint): MemoryPoint => ({ rss: Math.max(a.rss, b.rss), heapUsed: Math.max(a.heapUsed, b.heapUsed) })
  const start = point()
  let peak = { ...start }
  // The peak within each tenth of the rows, by the progress the import last reported.
  const byTenth: MemoryPoint[] = Array.from({ length: 10 }, () => ({ rss: 0, heapUsed: 0 }))
  // Every sample's RSS, by the half of the rows it was taken in.
  const halves: [number[], number[]] = [[], []]
  let done = 0
  let samples = 0
  const sample = () => {
    const m = point()
    samples++
    peak = max(peak, m)
    const tenth = Math.min(9, Math.floor((done * 10) / rows))
    byTenth[tenth] = max(byTenth[tenth], m)
    halves[tenth < 5 ? 0 : 1].push(m.rss)
  }
  const sampler = setInterval(sample, SAMPLE_MS)
  // How long the import holds the event loop at a stretch: what a server running it in
  // the same process would make its requests wait.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  let nextLog = 100_000

  // CPU of every thread of the process (the import's four and V8's helpers): unlike the
  // seconds, it does not depend on how busy the rest of the machine is (0381).
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const result = await commitImportJob(db, pii, jobId, {
    limits: limitRaised ? { maxBytes: bytes } : undefined,
    onProgress(rowsDone) {
      done = rowsDone
      if (done >= nextLog) {
        const m = point()
        log(`import: ${done.toLocaleString('en')} rows, ${perSecond(done / ((performance.now() - started) / 1000))} rows/s, RSS ${(m.rss / MB).toFixed(0)} MB, heap ${(m.heapUsed / MB).toFixed(0)} MB`)
        nextLog += 100_000
      }
    },
  })
  const elapsed = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  clearInterval(sampler)
  loopDelay.disable()
  sample()
  const final = point()

  if (result.status !== 'done') throw new Error(`the import ended ${result.status}: ${JSON.stringify(result)}`)
  if (result.counts.inserted !== rows || result.counts.rejected > 0) {
    const issues = await listImportIssues(db, jobId, 'rejected', 5)
    throw new Error(`expected ${rows} rows inserted and none rejected, got ${JSON.stringify(result.counts)}; first rejections: ${JSON.stringify(issues)}`)
  }
  log(`import: ${rows.toLocaleString('en')} rows in ${elapsed.toFixed(1)} s`)

  const halfPeak = (tenths: MemoryPoint[]) => Math.max(...tenths.map((m) => m.rss))
  return {
    seconds: elapsed,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rowsPerSecond: rows / elapsed,
    bytes,
    limitRaised,
    memory: {
      start,
      peak,
      final,
      samples,
      byTenth,
      firstHalfPeak: halfPeak(byTenth.slice(0, 5)),
      secondHalfPeak: halfPeak(byTenth.slice(5)),
      firstHalfMedian: median(halves[0]),
      secondHalfMedian: median(halves[1]),
    },
    loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  }
}

const RAW_CHUNK = 20_000
const MULTI_ROWS = 400

interface RawInsert {
  label: string
  seconds: number
  /** CPU seconds of the process while it inserted (one thread, and V8's helpers). */
  cpuSeconds: number
  rowsPerSecond: number
  computeSeconds: number
}

/**
 * The same players, inserted the two plain ways, each into its own fresh database in one
 * transaction: one row per execution of a prepared statement, and 400 rows per execution
 * of a prepared multi-row statement (fewer calls into SQLite; the import's own shape).
 * Values are computed chunk by chunk with the clocks stopped (all 1,000,000 at once would
 * take gigabytes of heap), and each chunk goes to both databases, so both get the same
 * rows at the same cost.
 */
export async function rawInserts(databases: readonly [TestDatabase, TestDatabase], pii: ReturnType<typeof createPersonalDataCipher>, rows: number, log: (m: string) => void): Promise<RawInsert[]> {
  const [single, multi] = databases.map((d) => d.sqlite!)
  const org = await databases[0].db.selectFrom('org_units').select('id').executeTakeFirstOrThrow()
  const centreOf = await loadTownshipCentres(databases[0].db)
  const now = new Date().toISOString()
  const players = listPlayers(rows)

  let columns: string[] = []
  let insertOne: SQLite.Statement | undefined
  const insertMany = new Map<number, SQLite.Statement>()
  const manyOf = (n: number) => {
    let statement = insertMany.get(n)
    if (!statement) {
      const tuple = `(${columns.map(() => '?').join(', ')})`
      statement = multi.prepare(`insert into market_players (${columns.join(', ')}) values ${Array(n).fill(tuple).join(', ')}`)
      insertMany.set(n, statement)
    }
    return statement
  }
  const clock = { single: 0, multi: 0, compute: 0 }
  const cpu = { single: 0, multi: 0 }
  const timed = (which: 'single' | 'multi', work: () => void) => {
    const started = performance.now()
    const cpuBefore = process.cpuUsage()
    work()
    clock[which] += performance.now() - started
    const used = process.cpuUsage(cpuBefore)
    cpu[which] += (used.user + used.system) / 1e6
  }

  timed('single', () => single.exec('begin'))
  timed('multi', () => multi.exec('begin'))
  for (let done = 0; done < rows; ) {
    const computing = performance.now()
    const chunk: unknown[][] = []
    for (let i = 0; i < RAW_CHUNK && done + i < rows; i++) {
      const row: Record<string, unknown> = {
        ...newPlayerColumns(players.next().value as PlayerFields, pii, centreOf),
        org_unit_id: org.id,
        source: 'tax',
        import_job_id: null,
        campaign_status: 'not_visited',
        created_at: now,
        updated_at: now,
      }
      if (!insertOne) {
        columns = Object.keys(row)
        insertOne = single.prepare(`insert into market_players (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`)
        manyOf(MULTI_ROWS)
      }
      chunk.push(columns.map((c) => row[c]))
    }
    const flat: unknown[][] = []
    for (let i = 0; i < chunk.length; i += MULTI_ROWS) flat.push(chunk.slice(i, i + MULTI_ROWS).flat())
    clock.compute += performance.now() - computing

    timed('single', () => {
      for (const values of chunk) insertOne!.run(values)
    })
    timed('multi', () => {
      for (const values of flat) manyOf(values.length / columns.length).run(values)
    })
    done += chunk.length
    if (done % 200_000 === 0) log(`raw: ${done.toLocaleString('en')} rows`)
  }
  timed('single', () => single.exec('commit'))
  timed('multi', () => multi.exec('commit'))

  return [
    { label: 'one row per statement', ms: clock.single, cpuSeconds: cpu.single },
    { label: `${MULTI_ROWS} rows per statement`, ms: clock.multi, cpuSeconds: cpu.multi },
  ].map(({ label, ms, cpuSeconds }) => ({ label: `${label}, one transaction`, seconds: ms / 1000, cpuSeconds, rowsPerSecond: rows / (ms / 1000), computeSeconds: clock.compute / 1000 }))
}

/** Every stored column that is not random (ciphertext, ids, times), hashed in id order. */
function fingerprint(sqlite: SQLite.Database): { rows: number; hash: string } {
  const hash = crypto.createHash('sha256')
  let rows = 0
  const select = sqlite
    .prepare(
      `select uscc, kind, name, name_initials, legal_representative, owner, match_key, id_number_hash, id_number_masked,
        phone_hash, phone_masked, industry, industry_code, employees, revenue_yuan, assets_yuan, size_class,
        size_class_computed, size_class_basis, registered_on, registration_status, address, area_code, township_code,
        lat, lng, position_approximate, tax_grade, loan_history, loan_checked_on, candidate_status, candidate_reasons,
        org_unit_id, source, campaign_status, id_number_enc is null, phone_enc is null
       from market_players order by id`,
    )
    .raw()
  for (const row of select.iterate()) {
    hash.update(JSON.stringify(row))
    rows++
  }
  // The full-text index must hold every row, in both.
  const indexed = sqlite.prepare(`select count(*) from market_players_search where market_players_search match '"有限公司"'`).pluck().get()
  hash.update(`fts:${indexed}`)
  return { rows, hash: hash.digest('hex') }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1)
}

function perSecond(n: number): string {
  return Math.round(n).toLocaleString('en')
}
