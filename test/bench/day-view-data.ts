// The data the day view (/visits) reads, at province scale (PRODUCT.md "Scale": 1,000,000
// market players, 2,000 officers, 300 outlets, 5,000,000 visits) and at county scale as the
// baseline, written straight into SQLite in big batched transactions (a few minutes, where
// the full province seed takes half an hour), and cached in db/bench/ (git-ignored) under a
// name carrying the number of migrations and the generator's version.
//
// What is full size: org units (17 branches, 100 sub-branches, 300 outlets), users (2,000
// officers, a manager per outlet), players (1,000,000, 85% assigned), visits (5,000,000 over
// the 365 China days ending END_DAY, ~6.8 per officer and working day, flags, needs and
// validity as the seed makes them). What is scaled down: photos only on the visits of the
// last 30 days (~400,000 rows, not ~4,000,000: the day view reads them by visit id, a
// B-tree a level shallower); no photo files (the page carries links, not bytes); the
// players' personal data, search index, figures' queue and derived columns are left empty
// (their triggers are dropped while seeding and put back after); no referrals.
//
// The measured sub-branch is the first: 5 outlets of 8 officers (officer … officer40), as
// the demo county is, with a manager of its own (DAY_VIEW_MANAGER) whose scope is those 40.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type SQLite from 'better-sqlite3'
import { openDatabase } from '../../db/connection.server'
import { migrateToLatest } from '../../db/migrate.server'
import { migrations } from '../../db/migrations/index'
import { DEMO_PASSWORD } from '../../db/seed/index'
import { chinaMidnight, addDays } from '../../app/domain/china-time'
import { pathOf } from '../../app/domain/org-tree'
import { hashPassword } from '../../app/services/password.server'
import { createRandom, type Random } from '../../db/seed/random'

/** Bump when the generator changes: the cached files of an older version are not reused. */
const VERSION = 1
const ROOT = path.resolve(import.meta.dirname, '../..')
const CACHE_DIR = path.join(ROOT, 'db/bench')

/** The China day the visits end on, and the day measured. */
export const END_DAY = '2026-12-03'
export const DAY_VIEW_MANAGER = 'daymanager'
const MEASURED_OUTLETS = 5
const OFFICERS_PER_MEASURED_OUTLET = 8
const PHOTO_DAYS = 30

export interface Shape {
  name: 'province' | 'county'
  branches: number
  subBranches: number
  /** Outlets outside the measured sub-branch, three to a sub-branch. */
  otherOutlets: number
  officers: number
  players: number
  /** Visits per officer per day, on average. */
  visitsPerOfficerDay: number
  days: number
}

export const PROVINCE: Shape = { name: 'province', branches: 17, subBranches: 100, otherOutlets: 295, officers: 2000, players: 1_000_000, visitsPerOfficerDay: 5_000_000 / 2000 / 365, days: 365 }
// The demo county's size: one sub-branch of 5 outlets, 40 officers, 20,000 players, three
// months; visits at the province's rate per officer, so that the day shows as many.
export const COUNTY: Shape = { name: 'county', branches: 1, subBranches: 1, otherOutlets: 0, officers: 40, players: 20_000, visitsPerOfficerDay: 5_000_000 / 2000 / 365, days: 90 }

/** The cached file of a shape, generated first when there is none. */
export async function dayViewDatabaseFile(shape: Shape, log: (message: string) => void): Promise<string> {
  const file = path.join(CACHE_DIR, `day-view-${shape.name}-v${VERSION}-${Object.keys(migrations).length}.sqlite`)
  if (fs.existsSync(file)) return file
  fs.mkdirSync(CACHE_DIR, { recursive: true })
  const building = `${file}.building-${process.pid}`
  log(`no ${path.relative(ROOT, file)} yet: generating the ${shape.name} (${shape.players.toLocaleString('en')} players)`)
  const started = performance.now()
  const handle = openDatabase(`file:${building}`)
  try {
    await migrateToLatest(handle.db)
    const sqlite = handle.sqlite!
    sqlite.pragma('cache_size = -1000000')
    await generate(sqlite, shape, (m) => log(`${shape.name}: ${m} (${((performance.now() - started) / 1000).toFixed(0)} s)`))
    sqlite.exec('analyze')
    sqlite.pragma('wal_checkpoint(TRUNCATE)')
  } catch (error) {
    await handle.db.destroy()
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(building + suffix, { force: true })
    throw error
  }
  await handle.db.destroy()
  fs.renameSync(building, file)
  return file
}

async function generate(sqlite: SQLite.Database, shape: Shape, log: (message: string) => void) {
  const rng = createRandom(7)
  const now = new Date().toISOString()
  // Triggers that feed the search index, the map, the figures and the clocks: not what the
  // day view reads, and the most of an insert's cost. Put back as they were at the end.
  const triggers = sqlite.prepare(`select name, sql from sqlite_master where type = 'trigger' and tbl_name in ('market_players', 'visits')`).all() as { name: string; sql: string }[]
  for (const t of triggers) sqlite.exec(`drop trigger "${t.name}"`)

  // Org units: HQ, branches, sub-branches; the first sub-branch has the measured outlets.
  const insertUnit = sqlite.prepare('insert into org_units (code, name, kind, parent_id, path, depth, created_at) values (?, ?, ?, ?, ?, ?, ?)')
  const setPath = sqlite.prepare('update org_units set path = ? where id = ?')
  const unit = (code: string, name: string, kind: string, parent: { id: number; path: string; depth: number } | null) => {
    const id = Number(insertUnit.run(code, name, kind, parent?.id ?? null, '', parent ? parent.depth + 1 : 0, now).lastInsertRowid)
    const p = pathOf(parent?.path ?? null, id)
    setPath.run(p, id)
    return { id, path: p, depth: parent ? parent.depth + 1 : 0 }
  }
  const outlets: { id: number; officers: number }[] = []
  let measuredSubBranch = 0
  sqlite.transaction(() => {
    const hq = unit('HQ', '万企示范银行总行', 'hq', null)
    const branches = Array.from({ length: shape.branches }, (_, b) => unit(`B${b + 1}`, `第${b + 1}市分行`, 'branch', hq))
    let other = 0
    for (let s = 0; s < shape.subBranches; s++) {
      const sub = unit(`S${s + 1}`, `第${s + 1}县支行`, 'sub_branch', branches[Math.floor((s * shape.branches) / shape.subBranches)])
      if (s === 0) measuredSubBranch = sub.id
      const count = s === 0 ? MEASURED_OUTLETS : Math.min(3, shape.otherOutlets - other)
      for (let o = 0; o < count; o++) {
        outlets.push({ id: unit(`S${s + 1}-${o + 1}`, `第${s + 1}县第${o + 1}网点`, 'outlet', sub).id, officers: 0 })
        if (s > 0) other++
      }
    }
  })()
  // Officers: 8 to each measured outlet, the rest as evenly as the numbers allow.
  const measured = MEASURED_OUTLETS * OFFICERS_PER_MEASURED_OUTLET
  for (let n = 0; n < shape.officers; n++) {
    const o = n < measured ? Math.floor(n / OFFICERS_PER_MEASURED_OUTLET) : MEASURED_OUTLETS + Math.floor(((n - measured) * (outlets.length - MEASURED_OUTLETS)) / (shape.officers - measured))
    outlets[o].officers++
  }
  log(`org units: ${outlets.length} outlets`)

  // Users: one password hash for all (hashing 2,300 is what made the seed slow).
  const hash = await hashPassword(DEMO_PASSWORD)
  const insertUser = sqlite.prepare('insert into users (username, name, role, org_unit_id, active, password_hash, created_at, updated_at, must_change_password) values (?, ?, ?, ?, 1, ?, ?, ?, 0)')
  const officersOf = new Map<number, number[]>()
  sqlite.transaction(() => {
    insertUser.run(DAY_VIEW_MANAGER, '支行行长', 'manager', measuredSubBranch, hash, now, now)
    let n = 0
    outlets.forEach((outlet, i) => {
      insertUser.run(i === 0 ? 'manager' : `manager${i + 1}`, `网点主任${i + 1}`, 'manager', outlet.id, hash, now, now)
      const ids: number[] = []
      for (let k = 0; k < outlet.officers; k++) {
        n++
        ids.push(Number(insertUser.run(n === 1 ? 'officer' : `officer${n}`, `${SURNAMES[n % SURNAMES.length]}${GIVEN[(n * 7) % GIVEN.length]}${n}`, 'officer', outlet.id, hash, now, now).lastInsertRowid))
      }
      officersOf.set(outlet.id, ids)
    })
  })()
  log(`users: ${shape.officers} officers, ${outlets.length + 1} managers`)

  // Players: each outlet holds players in proportion to its officers; 85% assigned.
  const insertPlayer = sqlite.prepare(
    `insert into market_players (kind, name, name_initials, source, org_unit_id, assigned_officer_id, candidate_status, candidate_reasons, lat, lng, created_at, updated_at)
     values (?, ?, ?, 'market', ?, ?, 'to_verify', '[]', ?, ?, ?, ?)`,
  )
  const playersOf = new Map<number, { id: number; lat: number; lng: number }[]>()
  let made = 0
  const perOfficer = shape.players / shape.officers
  for (const outlet of outlets) {
    const count = Math.round(perOfficer * outlet.officers)
    const officers = officersOf.get(outlet.id)!
    const lat0 = 31.5 + rng.next() * 4.5
    const lng0 = 110.5 + rng.next() * 6
    sqlite.transaction(() => {
      for (let i = 0; i < count && made < shape.players; i++) {
        const officer = rng.chance(0.85) && officers.length ? officers[i % officers.length] : null
        const lat = lat0 + rng.next() * 0.2
        const lng = lng0 + rng.next() * 0.2
        const kind = rng.chance(0.3) ? 'enterprise' : 'household'
        const name = `${PLACES[rng.int(0, PLACES.length - 1)]}${TRADES[rng.int(0, TRADES.length - 1)]}${made + 1}号`
        const id = Number(insertPlayer.run(kind, name, 'x', outlet.id, officer, lat, lng, now, now).lastInsertRowid)
        made++
        if (officer !== null) {
          const list = playersOf.get(officer) ?? []
          list.push({ id, lat, lng })
          playersOf.set(officer, list)
        }
      }
    })()
    if (made % 100_000 < count) log(`players: ${made.toLocaleString('en')}`)
  }
  log(`players: ${made.toLocaleString('en')}`)

  // Visits: day by day, officer by officer, from the officer's own players.
  const visits = insertVisits(sqlite, rng, shape, outlets, officersOf, playersOf, log)
  log(`visits: ${visits.visits.toLocaleString('en')}, photos: ${visits.photos.toLocaleString('en')}`)

  for (const t of triggers) sqlite.exec(t.sql)
}

function insertVisits(
  sqlite: SQLite.Database,
  rng: Random,
  shape: Shape,
  outlets: { id: number }[],
  officersOf: Map<number, number[]>,
  playersOf: Map<number, { id: number; lat: number; lng: number }[]>,
  log: (message: string) => void,
) {
  const insertVisit = sqlite.prepare(
    `insert into visits (id, player_id, officer_id, org_unit_id, visited_at, recorded_at, updated_at, channel, contact, notes, has_need, need_amount_yuan,
       need_purpose, need_term_months, need_collateral, need_product, obstacles, outcome, next_follow_up_on, check_in_lat, check_in_lng, check_in_accuracy_m,
       check_in_fix, check_in_distance_m, check_in_flag, far_reason, position_set, conflict, valid, invalid_reasons, rules_version)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 1)`,
  )
  const insertPhoto = sqlite.prepare(
    `insert into visit_photos (id, visit_id, position, content_type, storage_key, sha256, original_bytes, stored_bytes, added_at, added_by)
     values (?, ?, ?, 'image/jpeg', ?, ?, ?, ?, ?, ?)`,
  )
  const officers = outlets.flatMap((o) => (officersOf.get(o.id) ?? []).map((id) => ({ id, org: o.id })))
  let visits = 0
  let photos = 0
  let nextLog = 500_000
  // Mean visits per officer-day, as a whole number and a chance of one more.
  const whole = Math.floor(shape.visitsPerOfficerDay)
  const extra = shape.visitsPerOfficerDay - whole
  for (let d = shape.days - 1; d >= 0; d--) {
    const day = addDays(END_DAY, -d)
    const dayStart = Date.parse(chinaMidnight(day))
    const withPhotos = d < PHOTO_DAYS
    sqlite.transaction(() => {
      for (const officer of officers) {
        const players = playersOf.get(officer.id)
        if (!players?.length) continue
        const count = whole + (rng.chance(extra) ? 1 : 0)
        for (let k = 0; k < count; k++) {
          const player = players[rng.int(0, players.length - 1)]
          const at = dayStart + 9 * 3_600_000 + rng.int(0, 9 * 3600 - 1) * 1000
          const visitedAt = new Date(at).toISOString()
          const recordedAt = new Date(at + rng.int(1, 20) * 60_000).toISOString()
          const channel = rng.chance(0.82) ? 'on_site' : rng.chance(0.8) ? 'phone' : 'video'
          let flag: string | null = null
          let distance: number | null = null
          let lat: number | null = null
          let lng: number | null = null
          if (channel === 'on_site') {
            if (rng.chance(0.02)) flag = 'no_fix'
            else {
              const far = rng.chance(0.03)
              distance = far ? rng.int(800, 5000) : Math.round(rng.next() * 120)
              if (far) flag = 'far'
              lat = player.lat + distance / 111_320
              lng = player.lng
            }
          }
          const reasons = flag === 'far' ? ['far'] : flag === 'no_fix' ? ['no_check_in'] : []
          const hasNeed = rng.chance(0.25)
          const outcome = hasNeed ? (rng.chance(0.4) ? 'refer' : 'follow_up') : rng.pick(['no_need', 'follow_up', 'declined', 'not_met', null])
          const id = crypto.randomUUID()
          insertVisit.run(
            id, player.id, officer.id, officer.org, visitedAt, recordedAt, recordedAt, channel,
            rng.chance(0.7) ? '老板本人' : null, rng.chance(0.6) ? NOTES[rng.int(0, NOTES.length - 1)] : null,
            hasNeed ? 1 : 0, hasNeed ? rng.int(5, 300) * 10_000 : null, hasNeed ? 'working_capital' : null, hasNeed ? 12 : null, hasNeed ? 0 : null, null,
            rng.chance(0.3) ? '["no_collateral"]' : null, outcome, outcome === 'follow_up' ? addDays(day, 14) : null,
            lat, lng, lat === null ? null : rng.int(5, 60), lat === null ? null : 'live', distance, flag,
            flag === 'far' ? '店主约在镇上见面' : null, rng.chance(0.005) ? '{"kind":"reassigned","officerId":null,"officerName":null}' : null,
            reasons.length ? 0 : 1, reasons.length ? JSON.stringify(reasons) : null,
          )
          visits++
          if (withPhotos && channel === 'on_site' && rng.chance(0.9)) {
            const n = rng.chance(0.2) ? 2 : 1
            for (let p = 1; p <= n; p++) {
              const photoId = crypto.randomUUID()
              insertPhoto.run(photoId, id, p, `visit-photos/${day.slice(0, 7).replace('-', '/')}/${photoId}.jpg`, crypto.randomBytes(32).toString('hex'), 210_000, 195_000, recordedAt, officer.id)
              photos++
            }
          }
        }
      }
    })()
    if (visits >= nextLog) {
      log(`visits: ${visits.toLocaleString('en')} (to ${day})`)
      nextLog += 500_000
    }
  }
  return { visits, photos }
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林']
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛']
const PLACES = ['城关', '东关', '西街', '南湖', '北岗', '黄桥', '红花', '清河', '大王庄', '李集']
const TRADES = ['便利店', '五金店', '农资店', '小吃店', '服装店', '养殖场', '建材厂', '粮油店', '修理部', '家具厂']
const NOTES = ['老板在店，介绍了我行产品', '留了名片，约下次详谈', '正在备货，资金周转紧', '打算添置设备', '经营正常，暂不需要']
