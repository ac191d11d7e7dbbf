// A history file between its preview and its apply: kept in UPLOAD_DIR under a name of ours
// (its owner's id and a random id), beside a small note of its kind and the user's file
// name. Only its owner can apply or discard it; it is deleted once applied or discarded,
// and any left behind for a day is deleted at the next upload (it may hold personal data).
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { HistoryKind } from '../../domain/history-rows'

const ID = /^[0-9a-f]{32}$/
const DAY_MS = 86_400_000

export interface PendingHistory {
  id: string
  kind: HistoryKind
  fileName: string
  filePath: string
}

const base = (dir: string, userId: number, id: string) => path.join(dir, `history-${userId}-${id}`)

/** Keeps an uploaded file (moved from where the upload put it) until it is applied or discarded. */
export async function keepPendingHistory(dir: string, userId: number, upload: { path: string; fileName: string; kind: HistoryKind }): Promise<PendingHistory> {
  await sweepPendingHistory(dir)
  const id = crypto.randomBytes(16).toString('hex')
  const file = base(dir, userId, id)
  await fs.rename(upload.path, `${file}.upload`)
  await fs.writeFile(`${file}.json`, JSON.stringify({ kind: upload.kind, fileName: upload.fileName }), { mode: 0o600 })
  return { id, kind: upload.kind, fileName: upload.fileName, filePath: `${file}.upload` }
}

/** The owner's pending file by its id, or null when there is none (applied, discarded, another's). */
export async function findPendingHistory(dir: string, userId: number, id: string): Promise<PendingHistory | null> {
  if (!ID.test(id)) return null
  const file = base(dir, userId, id)
  try {
    const note = JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as { kind: HistoryKind; fileName: string }
    await fs.access(`${file}.upload`)
    return { id, kind: note.kind, fileName: note.fileName, filePath: `${file}.upload` }
  } catch {
    return null
  }
}

export async function removePendingHistory(dir: string, userId: number, id: string): Promise<void> {
  if (!ID.test(id)) return
  const file = base(dir, userId, id)
  await Promise.all([fs.rm(`${file}.upload`, { force: true }), fs.rm(`${file}.json`, { force: true })])
}

async function sweepPendingHistory(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[])
  const old = Date.now() - DAY_MS
  for (const name of names.filter((n) => /^history-\d+-[0-9a-f]{32}\.(upload|json)$/.test(n))) {
    const stat = await fs.stat(path.join(dir, name)).catch(() => null)
    if (stat && stat.mtimeMs < old) await fs.rm(path.join(dir, name), { force: true })
  }
}
