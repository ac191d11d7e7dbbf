// Market players for the demo and the province: realistic mixes (≈70% households, ≈20%
// with a bank loan, tax grades mostly B and M), placed inside their township, generated
// through the same field rules and derivations as an import.
import type { Kysely } from 'kysely'
import { residentIdCheckCharacter, usccCheckCharacter, USCC_CHARSET } from '../../app/domain/identifiers'
import type { IndustrySection, PlayerFields, TaxGrade } from '../../app/domain/market-player'
import type { PersonalDataCipher } from '../../app/services/personal-data.server'
import { newPlayerColumns } from '../../app/services/player-record.server'
import type { Database, NewArea } from '../schema'
import { personName } from './names'
import type { Random } from './random'

export interface PlayerPlacement {
  township: NewArea
  orgUnitId: number
  /** Officers of that org unit, to share its players among. */
  officerIds: number[]
}

const BRANDS = ['金穗', '华盛', '鑫源', '泰丰', '隆兴', '永昌', '东方', '宏达', '瑞祥', '恒通', '丰源', '新科', '万家', '福满', '佳禾', '康泰', '顺发', '绿野', '天成', '润和']
const ENTERPRISE_LINES: { word: string; section: IndustrySection; code: string | null }[] = [
  { word: '面业', section: 'C', code: '13' },
  { word: '食品', section: 'C', code: '14' },
  { word: '纺织', section: 'C', code: '17' },
  { word: '机械制造', section: 'C', code: '34' },
  { word: '建材', section: 'C', code: '30' },
  { word: '商贸', section: 'F', code: '51' },
  { word: '农业科技', section: 'A', code: '01' },
  { word: '物流', section: 'G', code: '54' },
  { word: '建筑工程', section: 'E', code: '47' },
  { word: '信息技术', section: 'I', code: '65' },
  { word: '餐饮管理', section: 'H', code: '62' },
  { word: '商务服务', section: 'L', code: '72' },
]
const SHOPS: { word: string; section: IndustrySection; code: string | null }[] = [
  { word: '超市', section: 'F', code: '52' },
  { word: '五金店', section: 'F', code: '52' },
  { word: '面馆', section: 'H', code: '62' },
  { word: '饭店', section: 'H', code: '62' },
  { word: '农资店', section: 'F', code: '52' },
  { word: '养殖场', section: 'A', code: '03' },
  { word: '种植园', section: 'A', code: '01' },
  { word: '汽修店', section: 'O', code: '81' },
  { word: '理发店', section: 'O', code: '80' },
  { word: '服装店', section: 'F', code: '52' },
  { word: '建材店', section: 'F', code: '52' },
  { word: '快递点', section: 'G', code: '60' },
]

function uscc(rng: Random, kind: 'enterprise' | 'household', division: string): string {
  let org = ''
  for (let i = 0; i < 9; i++) org += USCC_CHARSET[rng.int(0, i === 8 ? 9 : 30)]
  const first17 = `9${kind === 'household' ? '2' : '1'}${division}${org}`
  return first17 + usccCheckCharacter(first17)
}

function idNumber(rng: Random, division: string): string {
  const birth = `${rng.int(1960, 2000)}${String(rng.int(1, 12)).padStart(2, '0')}${String(rng.int(1, 28)).padStart(2, '0')}`
  const first17 = `${division}${birth}${String(rng.int(0, 999)).padStart(3, '0')}`
  return first17 + residentIdCheckCharacter(first17)
}

function weighted<T>(rng: Random, options: [T, number][]): T {
  let roll = rng.next() * options.reduce((s, [, w]) => s + w, 0)
  for (const [value, weight] of options) if ((roll -= weight) < 0) return value
  return options[options.length - 1][0]
}

function isoDate(rng: Random, fromYear: number, toYear: number): string {
  return `${rng.int(fromYear, toYear)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`
}

/** One player's fields, as a list would state them. */
export function generatePlayer(rng: Random, township: NewArea, serial: number): PlayerFields {
  const household = rng.chance(0.7)
  const county = township.code.slice(0, 6)
  const box = (JSON.parse(township.boundary!) as { coordinates: [number, number][][] }).coordinates[0]
  const [west, south] = box[0]
  const [east, north] = box[2]
  const owner = personName(rng)
  const shortTown = township.name.replace(/(镇|乡|街道)$/, '')
  let name: string
  let line: (typeof SHOPS)[number]
  if (household) {
    line = rng.pick(SHOPS)
    name = `${shortTown}${owner[0]}记${line.word}`
  } else {
    line = rng.pick(ENTERPRISE_LINES)
    const prefix = rng.chance(0.15) ? '河南' : rng.chance(0.5) ? '西华县' : ''
    name = `${prefix}${rng.pick(BRANDS)}${line.word}有限公司`
  }
  // Unique names for the demo: a branch number now and then, as real registries have.
  if (serial % 7 === 0) name = name.replace(/(有限公司)?$/, (m) => `第${(serial % 97) + 1}分店${m}`)
  const loan = weighted<'none' | 'has_loan' | null>(rng, [['none', 0.5], ['has_loan', 0.2], [null, 0.3]])
  const taxGrade = household
    ? weighted<TaxGrade | null>(rng, [[null, 0.7], ['M', 0.2], ['B', 0.08], ['A', 0.02]])
    : weighted<TaxGrade | null>(rng, [['B', 0.4], ['M', 0.3], ['A', 0.12], ['C', 0.06], ['D', 0.02], [null, 0.1]])
  const placed = rng.chance(0.85)
  const employees = household ? rng.int(1, 8) : Math.round(3 + rng.next() ** 3 * 150)
  const revenueWan = household ? rng.int(5, 120) : Math.round(20 + rng.next() ** 3 * 3000)
  return {
    uscc: household && rng.chance(0.4) ? null : uscc(rng, household ? 'household' : 'enterprise', county),
    name,
    kind: household ? 'household' : 'enterprise',
    legalRepresentative: household ? null : owner,
    owner: household ? owner : null,
    idNumber: household && rng.chance(0.5) ? idNumber(rng, county) : null,
    phone: rng.chance(0.6) ? `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}` : null,
    industry: line.section,
    industryCode: line.code,
    employees,
    revenueYuan: revenueWan * 10_000,
    assetsYuan: Math.round(revenueWan * (0.5 + rng.next())) * 10_000,
    registeredOn: isoDate(rng, 2005, 2025),
    registrationStatus: weighted(rng, [['active', 0.92], ['abnormal', 0.05], ['deregistered', 0.03]] as const),
    address: `${township.name}${rng.pick(['人民路', '建设路', '工业园区', '解放街', '文化路', '中心街'])}${rng.int(1, 300)}号`,
    areaCode: township.code,
    lat: placed ? Math.round((south + rng.next() * (north - south)) * 1e6) / 1e6 : null,
    lng: placed ? Math.round((west + rng.next() * (east - west)) * 1e6) / 1e6 : null,
    taxGrade,
    loanHistory: loan,
    loanCheckedOn: loan ? isoDate(rng, 2025, 2026) : null,
  }
}

/**
 * Inserts `count` players spread over the placements, most of them assigned to an officer
 * of the org unit that serves their township (with the assignment recorded).
 */
export async function seedPlayers(
  db: Kysely<Database>,
  rng: Random,
  pii: PersonalDataCipher,
  placements: PlayerPlacement[],
  count: number,
  log: (m: string) => void,
): Promise<number> {
  const centres = new Map(placements.map((p) => [p.township.code, { lat: p.township.centre_lat!, lng: p.township.centre_lng! }]))
  const centreOf = (code: string) => centres.get(code)
  const now = new Date().toISOString()
  const BATCH = 5_000
  let made = 0
  while (made < count) {
    const size = Math.min(BATCH, count - made)
    await db.transaction().execute(async (trx) => {
      const rows = []
      const officers: (number | null)[] = []
      for (let i = 0; i < size; i++) {
        const serial = made + i
        const place = placements[serial % placements.length]
        const fields = generatePlayer(rng, place.township, serial)
        const officer = place.officerIds.length && rng.chance(0.85) ? place.officerIds[serial % place.officerIds.length] : null
        officers.push(officer)
        rows.push({
          ...newPlayerColumns(fields, pii, centreOf),
          org_unit_id: place.orgUnitId,
          assigned_officer_id: officer,
          assignment_source: officer === null ? null : ('direct' as const),
          source: weighted(rng, [['tax', 0.4], ['market', 0.4], ['bank', 0.1], ['other', 0.1]] as const),
          import_job_id: null,
          campaign_status: 'not_visited',
          created_at: now,
          updated_at: now,
        })
      }
      const ids: number[] = []
      for (let i = 0; i < rows.length; i += 400) {
        const inserted = await trx.insertInto('market_players').values(rows.slice(i, i + 400)).returning('id').execute()
        ids.push(...inserted.map((r) => r.id))
      }
      const assignments = ids.flatMap((id, i) =>
        officers[i] === null ? [] : [{ player_id: id, officer_id: officers[i], assigned_at: now, assigned_by: null, reason: '演示数据初始分配' }],
      )
      for (let i = 0; i < assignments.length; i += 800) await trx.insertInto('player_assignments').values(assignments.slice(i, i + 800)).execute()
    })
    made += size
    if (made % 100_000 === 0 || made === count) log(`players: ${made.toLocaleString('en')} of ${count.toLocaleString('en')}`)
  }
  return made
}
