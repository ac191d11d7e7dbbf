// A real S3-compatible server for the storage tests: s3rver (S3's REST API over a temporary
// folder), on a free port, with one bucket. Its account is S3RVER/S3RVER. It checks the access
// key but not Signature V4 itself, so the tests prove the requests, not the signing maths.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'
import type { StorageConfig } from '../../app/services/storage/storage.server'

export interface TestS3Server {
  config: Extract<StorageConfig, { kind: 's3' }>
  /** The folder s3rver keeps objects in (to show where the bytes went). */
  dir: string
  close(): Promise<void>
}

export async function startS3Server(bucket = 'wanqi-test'): Promise<TestS3Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-s3-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket }] })
  const { port } = await server.run()
  return {
    config: {
      kind: 's3',
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    },
    dir,
    async close() {
      await server.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
