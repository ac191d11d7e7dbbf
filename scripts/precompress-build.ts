// `npm run build`'s last step: brotli at its best setting beside every built script and
// stylesheet (public/build), served as is to browsers that take it (app/http/precompressed.server.ts).
import path from 'node:path'
import { precompressDirectory } from '../app/http/precompressed.server'

const dir = path.resolve(import.meta.dirname, '../public/build')
const started = Date.now()
const { files, bytes, compressedBytes } = await precompressDirectory(dir)
console.log(`precompressed ${files} files: ${(bytes / 1024).toFixed(0)} KB to ${(compressedBytes / 1024).toFixed(0)} KB brotli in ${((Date.now() - started) / 1000).toFixed(1)} s`)
