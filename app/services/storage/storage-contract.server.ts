// The storage module's contract and the key rule, apart from the backends so that each
// backend and the factory import them without a cycle.

export interface ObjectStorage {
  /** Which backend this is, for logs and /healthz-style reports. */
  readonly kind: 'disk' | 's3'
  /** Stores the bytes under the key, replacing what was there. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>
  /** The bytes under the key, or null when there are none. */
  get(key: string): Promise<Buffer | null>
  /** Removes the key; removing a missing key is not an error (a retried delete). */
  delete(key: string): Promise<void>
}

export type StorageConfig =
  | { kind: 'disk'; dir: string }
  | {
      kind: 's3'
      /** The store's base URL, e.g. https://oss-cn-hangzhou.aliyuncs.com or http://minio:9000. */
      endpoint: string
      bucket: string
      region: string
      accessKeyId: string
      secretAccessKey: string
    }

// Keys are made by the app (e.g. visit-photos/2026/12/<uuid>.jpg), never taken from a request;
// checking them anyway keeps a bug from writing outside the folder or the bucket's prefix.
const KEY_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

export function checkStorageKey(key: string): void {
  const segments = key.split('/')
  if (key.length > 512 || segments.some((s) => !KEY_SEGMENT.test(s) || s.includes('..'))) {
    throw new Error(`Invalid storage key "${key}": segments of letters, digits, . _ - joined by /`)
  }
}
