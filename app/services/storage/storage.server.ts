// One place where files the app keeps (visit photos first) are put, read and deleted by key:
// a folder on disk by default, an S3-compatible object store when several app servers must
// share them. Callers see only ObjectStorage; the backend is chosen from the configuration.
import { createDiskStorage } from './disk-storage.server'
import { createS3Storage } from './s3-storage.server'
import type { ObjectStorage, StorageConfig } from './storage-contract.server'

export { checkStorageKey, type ObjectStorage, type StorageConfig } from './storage-contract.server'

export function createStorage(config: StorageConfig): ObjectStorage {
  return config.kind === 's3' ? createS3Storage(config) : createDiskStorage(config.dir)
}
