// The lines stamped on a storefront photo before it leaves the phone (issue 24): when (China
// time, to the second, with its zone so nobody reads it as local), where (position with its
// accuracy, live or cached), whose door (the player) and who took it (the officer). Pure, so
// the canvas code that draws it and the tests share one wording.
import { chinaDateTime } from './china-time'

export interface WatermarkFacts {
  /** When the photo was taken (ISO-8601). */
  takenAt: string
  position: { lat: number; lng: number; accuracyMetres: number; live: boolean } | null
  playerName: string
  officerName: string
}

export interface WatermarkWords {
  live: string
  cached: string
  noPosition: string
}

export function watermarkLines(facts: WatermarkFacts, words: WatermarkWords): string[] {
  const where = facts.position
    ? `${facts.position.lat.toFixed(5)}, ${facts.position.lng.toFixed(5)} ±${Math.round(facts.position.accuracyMetres)} m · ${facts.position.live ? words.live : words.cached}`
    : words.noPosition
  return [`${chinaDateTime(facts.takenAt)} (UTC+8)`, where, facts.playerName, facts.officerName]
}
