// An S3-compatible object store (AWS S3, Aliyun OSS, Tencent COS, MinIO…) through signed
// HTTP requests (aws4fetch: Signature V4 over fetch, no other dependency). Path-style URLs
// (endpoint/bucket/key) work on every such store, including those on a private address.
import { AwsClient } from 'aws4fetch'
import { checkStorageKey, type ObjectStorage, type StorageConfig } from './storage-contract.server'

type S3Config = Extract<StorageConfig, { kind: 's3' }>

export function createS3Storage(config: S3Config): ObjectStorage {
  const client = new AwsClient({
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    region: config.region,
    service: 's3',
    // The app's own requests are idempotent (put by a fresh key, get, delete); aws4fetch
    // retries 5xx and network errors this many times.
    retries: 2,
  })
  const base = config.endpoint.replace(/\/+$/, '') + '/' + encodeURIComponent(config.bucket) + '/'
  const urlOf = (key: string) => {
    checkStorageKey(key)
    return base + key.split('/').map(encodeURIComponent).join('/')
  }
  const fail = async (what: string, key: string, response: Response): Promise<never> => {
    const body = (await response.text()).slice(0, 300)
    throw new Error(`Object store ${what} ${key} failed: HTTP ${response.status} ${body}`)
  }
  return {
    kind: 's3',
    async put(key, bytes, contentType) {
      const response = await client.fetch(urlOf(key), {
        method: 'PUT',
        // A Uint8Array is a valid fetch body; TypeScript's DOM types only want its buffer to be a plain ArrayBuffer.
        body: bytes as Uint8Array<ArrayBuffer>,
        headers: { 'content-type': contentType, 'content-length': String(bytes.byteLength) },
      })
      if (!response.ok) await fail('put', key, response)
      await response.arrayBuffer()
    },
    async get(key) {
      const response = await client.fetch(urlOf(key))
      if (response.status === 404) {
        await response.arrayBuffer()
        return null
      }
      if (!response.ok) await fail('get', key, response)
      return Buffer.from(await response.arrayBuffer())
    },
    async delete(key) {
      const response = await client.fetch(urlOf(key), { method: 'DELETE' })
      // 404: already gone (some stores answer so instead of 204).
      if (!response.ok && response.status !== 404) await fail('delete', key, response)
      await response.arrayBuffer()
    },
  }
}
