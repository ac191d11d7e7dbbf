// The phone's outbox of visits and consents (browser only): IndexedDB, so nothing queued is
// lost when the tab or the phone restarts. Visits go to POST /api/v1/visits and consents signed
// offline to POST /api/v1/consents, one queue in the order they were saved, each with its
// client-made id, so a resend is stored once (decision 0541). A failed send is
// retried with backoff; a visit the server refuses (400) stays, with the server's reasons,
// until the officer corrects or discards it. A visit's photos wait with it and go right after
// it, in order, each by its own id (PUT, stored once); a refused visit keeps them.
const DB_NAME = 'wanqi'
const DB_VERSION = 1
const OUTBOX = 'outbox'
const SENT = 'sent'
/** How many sent visits the device remembers, to show what became of them. */
const SENT_KEPT = 30
const MAX_BACKOFF_MS = 5 * 60_000
export const OUTBOX_EVENT = 'wanqi-outbox'

export type QueuedState = 'waiting' | 'rejected' | 'signed_out'
/** What an entry is: a visit (entries from before consents had no kind), or a signed consent. */
export type QueuedKind = 'visit' | 'consent'

const ENDPOINT: Record<QueuedKind, string> = { visit: '/api/v1/visits', consent: '/api/v1/consents' }

export interface QueuedVisit {
  id: string
  /** Absent: a visit. */
  kind?: QueuedKind
  /** The form's values, as POST /api/v1/visits (or /api/v1/consents) takes them. */
  values: Record<string, unknown>
  playerName: string
  queuedAt: number
  attempts: number
  nextAttemptAt: number
  state: QueuedState
  /** The server's reasons, per field, when it refused the visit. */
  fieldErrors: Record<string, string[]> | null
  message: string | null
  /** Shrunk, stamped photos still to send, in the order taken (absent in older entries). */
  photos?: QueuedPhoto[]
}

export interface QueuedPhoto {
  id: string
  blob: Blob
  /** Its small copy for lists (decision 0601); absent in older entries. */
  thumb?: Blob
}

export interface SentVisit {
  id: string
  /** Absent: a visit. */
  kind?: QueuedKind
  playerId: number
  playerName: string
  sentAt: number
  /** 201: stored now; 200: it had been stored before. */
  status: number
  flag: string | null
  conflict: { kind: string; officerName: string | null } | null
}

let opened: Promise<IDBDatabase> | null = null

function openDb(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION)
    request.onupgradeneeded = () => {
      const db = request.result
      if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: 'id' })
      if (!db.objectStoreNames.contains(SENT)) db.createObjectStore(SENT, { keyPath: 'id' })
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => {
      opened = null
      reject(request.error)
    }
  })
  return opened
}

function run<T>(store: string, mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  return openDb().then(
    (db) =>
      new Promise<T | undefined>((resolve, reject) => {
        const tx = db.transaction(store, mode)
        const request = work(tx.objectStore(store))
        tx.oncomplete = () => resolve(request ? request.result : undefined)
        tx.onerror = () => reject(tx.error)
        tx.onabort = () => reject(tx.error)
      }),
  )
}

function changed() {
  window.dispatchEvent(new Event(OUTBOX_EVENT))
  channel()?.postMessage('changed')
}

let broadcast: BroadcastChannel | null | undefined
function channel(): BroadcastChannel | null {
  if (broadcast === undefined) {
    broadcast = typeof BroadcastChannel === 'function' ? new BroadcastChannel(OUTBOX_EVENT) : null
    // Another tab changed the outbox: this tab's badge follows.
    broadcast?.addEventListener('message', () => window.dispatchEvent(new Event(OUTBOX_EVENT)))
  }
  return broadcast
}

/** A new id for a visit, made on the device. */
export function newVisitId(): string {
  return crypto.randomUUID()
}

export async function enqueueVisit(id: string, values: Record<string, unknown>, playerName: string, photos?: QueuedPhoto[]): Promise<void> {
  const now = Date.now()
  const existing = await run<QueuedVisit>(OUTBOX, 'readonly', (s) => s.get(id))
  const item: QueuedVisit = {
    id,
    values: { ...values, id },
    playerName,
    queuedAt: existing?.queuedAt ?? now,
    attempts: 0,
    nextAttemptAt: now,
    state: 'waiting',
    fieldErrors: null,
    message: null,
    // A corrected visit keeps the photos it was saved with.
    photos: photos ?? existing?.photos ?? [],
  }
  await run(OUTBOX, 'readwrite', (s) => s.put(item))
  changed()
}

/** A consent signed on this phone, as POST /api/v1/consents takes it (`values.id` is its id). */
export async function enqueueConsent(values: Record<string, unknown> & { id: string }, playerName: string): Promise<void> {
  const now = Date.now()
  const item: QueuedVisit = { id: values.id, kind: 'consent', values, playerName, queuedAt: now, attempts: 0, nextAttemptAt: now, state: 'waiting', fieldErrors: null, message: null }
  await run(OUTBOX, 'readwrite', (s) => s.put(item))
  changed()
}

export async function discardQueued(id: string): Promise<void> {
  await run(OUTBOX, 'readwrite', (s) => s.delete(id))
  changed()
}

export async function queuedVisits(): Promise<QueuedVisit[]> {
  const all = (await run<QueuedVisit[]>(OUTBOX, 'readonly', (s) => s.getAll())) ?? []
  return all.sort((a, b) => a.queuedAt - b.queuedAt)
}

export async function sentVisits(): Promise<SentVisit[]> {
  const all = (await run<SentVisit[]>(SENT, 'readonly', (s) => s.getAll())) ?? []
  return all.sort((a, b) => b.sentAt - a.sentAt)
}

async function remember(sent: SentVisit) {
  await run(SENT, 'readwrite', (s) => s.put(sent))
  const all = await sentVisits()
  if (all.length > SENT_KEPT) await run(SENT, 'readwrite', (s) => void all.slice(SENT_KEPT).forEach((old) => s.delete(old.id)))
}

async function update(item: QueuedVisit) {
  await run(OUTBOX, 'readwrite', (s) => s.put(item))
}

/** Backoff after `attempts` failures: 2 s, 4 s, 8 s, … up to five minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempts)
}

let flushing: Promise<void> | null = null

/**
 * Sends what waits, oldest first. One flush at a time per tab, and across tabs through a
 * Web Lock where the browser has them; the server's idempotency covers the rest.
 */
export function flushOutbox(options: { force?: boolean } = {}): Promise<void> {
  flushing ??= (async () => {
    try {
      const locks = (navigator as Navigator & { locks?: LockManager }).locks
      if (locks) await locks.request('wanqi-outbox', () => sendWaiting(options.force ?? false))
      else await sendWaiting(options.force ?? false)
    } finally {
      flushing = null
    }
  })()
  return flushing
}

async function sendWaiting(force: boolean) {
  for (const item of await queuedVisits()) {
    if (item.state === 'rejected') continue
    if (!force && item.nextAttemptAt > Date.now()) return // keep the order: nothing overtakes a visit waiting to retry
    let response: Response
    try {
      response = await fetch(ENDPOINT[item.kind ?? 'visit'], {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(item.values),
      })
    } catch {
      await retryLater(item, null)
      return
    }
    if ((response.status === 201 || response.status === 200) && item.kind === 'consent') {
      const { consent } = (await response.json()) as { consent: { playerId: number } }
      await remember({ id: item.id, kind: 'consent', playerId: consent.playerId, playerName: item.playerName, sentAt: Date.now(), status: response.status, flag: null, conflict: null })
      await run(OUTBOX, 'readwrite', (s) => s.delete(item.id))
      changed()
      continue
    }
    if (response.status === 201 || response.status === 200) {
      const { visit } = (await response.json()) as { visit: { playerId: number; checkIn: { flag: string | null }; conflict: SentVisit['conflict'] } }
      const photos = await sendPhotos(item)
      if (photos === 'stop') return
      if (photos === 'refused') continue
      await remember({ id: item.id, playerId: visit.playerId, playerName: item.playerName, sentAt: Date.now(), status: response.status, flag: visit.checkIn.flag, conflict: visit.conflict })
      await run(OUTBOX, 'readwrite', (s) => s.delete(item.id))
      changed()
      continue
    }
    if (response.status === 401) {
      await update({ ...item, state: 'signed_out', message: null })
      changed()
      return
    }
    const answer = (await response.json().catch(() => ({}))) as { message?: string; fields?: Record<string, string[]> }
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
      await update({ ...item, state: 'rejected', fieldErrors: answer.fields ?? null, message: answer.message ?? `HTTP ${response.status}` })
      changed()
      continue
    }
    await retryLater(item, answer.message ?? `HTTP ${response.status}`)
    return
  }
}

function photoForm(photo: Blob, thumb: Blob): FormData {
  const form = new FormData()
  form.append('photo', photo, 'photo.jpg')
  form.append('thumbnail', thumb, 'thumbnail.jpg')
  return form
}

/** Sends the visit's photos in order: all sent, one refused (the visit kept), or stop the flush. */
async function sendPhotos(item: QueuedVisit): Promise<'sent' | 'refused' | 'stop'> {
  const left = [...(item.photos ?? [])]
  while (left.length) {
    const photo = left[0]!
    let response: Response
    try {
      response = await fetch(`/api/v1/visits/${encodeURIComponent(item.id)}/photos/${encodeURIComponent(photo.id)}`, {
        method: 'PUT',
        // With its thumbnail: one multipart form (the browser writes its type); without: the bytes.
        headers: photo.thumb ? { Accept: 'application/json' } : { 'Content-Type': photo.blob.type || 'image/jpeg', Accept: 'application/json' },
        credentials: 'same-origin',
        body: photo.thumb ? photoForm(photo.blob, photo.thumb) : photo.blob,
      })
    } catch {
      await retryLater({ ...item, photos: left }, null)
      return 'stop'
    }
    if (response.status === 201 || response.status === 200) {
      left.shift()
      await update({ ...item, photos: left })
      continue
    }
    if (response.status === 401) {
      await update({ ...item, photos: left, state: 'signed_out', message: null })
      changed()
      return 'stop'
    }
    const answer = (await response.json().catch(() => ({}))) as { message?: string }
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
      // Kept with its photos and the reason, as a refused visit is.
      await update({ ...item, photos: left, state: 'rejected', fieldErrors: null, message: answer.message ?? `HTTP ${response.status}` })
      changed()
      return 'refused'
    }
    await retryLater({ ...item, photos: left }, answer.message ?? `HTTP ${response.status}`)
    return 'stop'
  }
  return 'sent'
}

async function retryLater(item: QueuedVisit, message: string | null) {
  const attempts = item.attempts + 1
  await update({ ...item, state: 'waiting', attempts, nextAttemptAt: Date.now() + backoffMs(attempts), message })
  changed()
}

let started = false

/** Sends now, when the connection comes back, and whenever a retry falls due. */
export function startOutbox(): void {
  if (started || typeof indexedDB === 'undefined') return
  started = true
  channel()
  const kick = () => void flushOutbox().catch(() => undefined)
  window.addEventListener('online', () => void flushOutbox({ force: true }).catch(() => undefined))
  setInterval(() => {
    if (navigator.onLine) kick()
  }, 5_000)
  kick()
}
