// The forms of /territories (and the map, which posts its drawings there), one zod schema per
// intent, shared by server and browser.
import { z } from 'zod'
import { CANDIDATE_STATUSES } from '../domain/first-lender'
import { CAMPAIGN_STATUSES, LOAN_HISTORIES, PLAYER_KINDS } from '../domain/market-player'
import { choice, idField, msg, requiredText } from './fields'

/** Most players one balancing move or one filter may reassign. */
export const MAX_MOVE = 200_000

const optionalOfficer = z.preprocess((v) => (v === '' || v === undefined ? null : v), idField.nullable())

export const createSchema = z.object({
  intent: z.literal('create'),
  name: requiredText(60),
  officerId: idField,
  geometry: z.string().max(500_000).optional(),
})
export const assignSchema = z.object({ intent: z.literal('assign'), territoryId: idField, officerId: optionalOfficer, reason: requiredText(200) })
export const deleteSchema = z.object({ intent: z.literal('delete'), territoryId: idField })
export const lassoSchema = z.object({ intent: z.literal('lasso'), officerId: idField, geometry: requiredText(500_000) })
export const redrawSchema = z.object({ intent: z.literal('redraw'), territoryId: idField, geometry: requiredText(500_000) })
export const balanceSchema = z.object({
  intent: z.literal('balance'),
  fromOfficerId: idField,
  toOfficerId: idField,
  players: z.coerce.number().int().positive().max(MAX_MOVE),
})
export const filterSchema = z.object({
  intent: z.literal('assign-filter'),
  officerId: idField,
  kind: z.union([choice(PLAYER_KINDS), z.literal('')]).optional(),
  township: z.union([z.string().regex(/^\d{9}$/, msg('validation.choice')), z.literal('')]).optional(),
  candidate: z.union([choice(CANDIDATE_STATUSES), z.literal('')]).optional(),
  loan: z.union([choice(LOAN_HISTORIES), z.literal('')]).optional(),
  status: z.union([choice(CAMPAIGN_STATUSES), z.literal('')]).optional(),
  unassigned: z.string().optional(),
})

/** The filter form's fields as the registry's URL filter (forms/player-filter.ts) reads them. */
export const FILTER_FIELDS = ['kind', 'township', 'candidate', 'loan', 'status', 'unassigned'] as const

/** The map's drawn shape, posted to /territories/shape-count for the count before saving. */
export const shapeCountSchema = z.object({ mode: z.enum(['territory', 'lasso']), geometry: requiredText(500_000) })
/** A suggested balancing move, previewed (GET /territories?…) before it runs. */
export const balancePreviewSchema = z.object({
  fromOfficerId: idField,
  toOfficerId: idField,
  players: z.coerce.number().int().positive().max(MAX_MOVE),
})
