// The storage module's one contract, run against both backends: a folder on disk and a real
// S3-compatible server the test starts (s3rver). Put, get and delete by key behave the same;
// a missing key reads as null; keys that could escape the folder or prefix are refused; on
// disk, files are the app user's alone; a store that refuses the request fails loudly.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStorage, type ObjectStorage, type StorageConfig } from '../../app/services/storage/storage.server'
import { parseStorage } from '../../app/server/config.server'
import { startS3Server, type TestS3Server } from '../support/s3-server'

let s3: TestS3Server
let diskDir: string
const backends: Record<'disk' | 's3', () => StorageConfig> = {
  disk: () => ({ kind: 'disk', dir: diskDir }),
  s3: () => s3.config,
}

beforeAll(async () => {
  s3 = await startS3Server()
  diskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-storage-'))
})

afterAll(async () => {
  await s3?.close()
  if (diskDir) fs.rmSync(diskDir, { recursive: true, force: true })
})

describe.each(['disk', 's3'] as const)('storage contract on %s', (kind) => {
  let storage: ObjectStorage
  beforeAll(() => {
    storage = createStorage(backends[kind]())
  })
  const key = (name: string) => `visit-photos/2026/12/${kind}-${crypto.randomUUID()}-${name}`

  it('is the backend the configuration names', () => {
    expect(storage.kind).toBe(kind)
  })

  it('gives back exactly the bytes put under a key, binary and large alike', async () => {
    const bytes = crypto.randomBytes(300_000)
    bytes[0] = 0 // a NUL first: nothing treats the body as text
    const k = key('photo.jpg')
    await storage.put(k, bytes, 'image/jpeg')
    const back = await storage.get(k)
    expect(back).not.toBeNull()
    expect(Buffer.compare(back!, bytes)).toBe(0)
  })

  it('replaces what was under the key when put again', async () => {
    const k = key('again.png')
    await storage.put(k, Buffer.from('first'), 'image/png')
    await storage.put(k, Buffer.from('second'), 'image/png')
    expect((await storage.get(k))?.toString()).toBe('second')
  })

  it('reads a key never put as null', async () => {
    expect(await storage.get(key('never.jpg'))).toBeNull()
  })

  it('deletes a key, and deleting it again is not an error', async () => {
    const k = key('gone.webp')
    await storage.put(k, Buffer.from([1, 2, 3]), 'image/webp')
    await storage.delete(k)
    expect(await storage.get(k)).toBeNull()
    await expect(storage.delete(k)).resolves.toBeUndefined()
  })

  it('keeps keys apart, including ones that differ only by folder', async () => {
    const a = key('same.jpg')
    const b = a.replace('visit-photos/', 'other/')
    await storage.put(a, Buffer.from('a'), 'image/jpeg')
    await storage.put(b, Buffer.from('b'), 'image/jpeg')
    expect((await storage.get(a))?.toString()).toBe('a')
    expect((await storage.get(b))?.toString()).toBe('b')
  })

  it.each(['../escape.jpg', 'a/../../b.jpg', '/abs.jpg', 'a//b.jpg', 'a/.hidden', 'a/b c.jpg', ''])(
    'refuses the key %j before touching the store',
    async (bad) => {
      await expect(storage.put(bad, Buffer.from('x'), 'image/jpeg')).rejects.toThrow(/Invalid storage key/)
      await expect(storage.get(bad)).rejects.toThrow(/Invalid storage key/)
      await expect(storage.delete(bad)).rejects.toThrow(/Invalid storage key/)
    },
  )
})

describe('disk backend', () => {
  it('writes files only the app user may read (0600) in folders only it may enter (0700)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-storage-mode-'))
    try {
      const storage = createStorage({ kind: 'disk', dir })
      await storage.put('visit-photos/x/one.jpg', Buffer.from('x'), 'image/jpeg')
      expect(fs.statSync(path.join(dir, 'visit-photos/x/one.jpg')).mode & 0o777).toBe(0o600)
      expect(fs.statSync(path.join(dir, 'visit-photos/x')).mode & 0o777).toBe(0o700)
      // The temporary file of the write is renamed away, never left beside it.
      expect(fs.readdirSync(path.join(dir, 'visit-photos/x'))).toEqual(['one.jpg'])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('S3 backend', () => {
  it('stores the object in the bucket (another app server reads it through its own client)', async () => {
    const writer = createStorage(s3.config)
    const reader = createStorage({ ...s3.config })
    await writer.put('shared/photo.jpg', Buffer.from('shared bytes'), 'image/jpeg')
    expect((await reader.get('shared/photo.jpg'))?.toString()).toBe('shared bytes')
    expect(fs.readdirSync(s3.dir)).toContain(s3.config.bucket)
  })

  it('fails with the store’s answer when it refuses the request (an unknown access key)', async () => {
    const storage = createStorage({ ...s3.config, accessKeyId: 'NOT-A-KEY' })
    await expect(storage.put('refused/x.jpg', Buffer.from('x'), 'image/jpeg')).rejects.toThrow(/put refused\/x\.jpg failed: HTTP 403.*InvalidAccessKeyId/s)
    await expect(storage.get('refused/x.jpg')).rejects.toThrow(/HTTP 403/)
    expect(await createStorage(s3.config).get('refused/x.jpg')).toBeNull()
  })

  it('fails clearly when the bucket does not exist', async () => {
    const storage = createStorage({ ...s3.config, bucket: 'no-such-bucket' })
    await expect(storage.put('a/x.jpg', Buffer.from('x'), 'image/jpeg')).rejects.toThrow(/HTTP 404.*NoSuchBucket/s)
  })
})

describe('storage configuration', () => {
  it('is a folder (db/storage under the root) unless S3_BUCKET is set', () => {
    expect(parseStorage({}, '/srv/wanqi')).toEqual({ kind: 'disk', dir: '/srv/wanqi/db/storage' })
    expect(parseStorage({ STORAGE_DIR: '/data/photos' }, '/srv/wanqi')).toEqual({ kind: 'disk', dir: '/data/photos' })
  })

  it('is the object store when S3_BUCKET is set, with the region defaulting to us-east-1', () => {
    const env = { S3_BUCKET: 'b', S3_ENDPOINT: 'https://oss-cn-hangzhou.aliyuncs.com', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' }
    expect(parseStorage(env)).toEqual({ kind: 's3', endpoint: env.S3_ENDPOINT, bucket: 'b', region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's' })
    expect(parseStorage({ ...env, S3_REGION: 'cn-hangzhou' })).toMatchObject({ region: 'cn-hangzhou' })
  })

  it('names what is missing when S3_BUCKET is set without the rest', () => {
    expect(() => parseStorage({ S3_BUCKET: 'b', S3_ENDPOINT: 'http://minio:9000' })).toThrow('S3_BUCKET is set, so S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY must be set too')
    expect(() => parseStorage({ S3_BUCKET: 'b', S3_ENDPOINT: 'minio:9000', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' })).toThrow(/S3_ENDPOINT must be an http\(s\) URL/)
  })
})
