// The default backend: files in one folder, readable only by the app's user (0600 files,
// 0700 folders). Writes go to a temporary file first and are renamed into place, so a
// reader never sees half a photo and a crash leaves no partial file under the key.
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { checkStorageKey, type ObjectStorage } from './storage-contract.server'

export function createDiskStorage(dir: string): ObjectStorage {
  const root = path.resolve(dir)
  const fileOf = (key: string) => {
    checkStorageKey(key)
    return path.join(root, ...key.split('/'))
  }
  return {
    kind: 'disk',
    async put(key, bytes) {
      const file = fileOf(key)
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
      const temp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`)
      try {
        await fs.writeFile(temp, bytes, { mode: 0o600, flag: 'wx' })
        await fs.rename(temp, file)
      } catch (error) {
        await fs.rm(temp, { force: true })
        throw error
      }
    },
    async get(key) {
      try {
        return await fs.readFile(fileOf(key))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw error
      }
    },
    async delete(key) {
      await fs.rm(fileOf(key), { force: true })
    },
  }
}
