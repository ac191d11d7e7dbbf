// The server side as JavaScript: app/cli/serve.server.ts and the worker threads' entries
// bundled by esbuild into one folder two levels below the checkout (build/server/ by
// default), so `node build/server/serve.server.mjs` starts without tsx compiling every module
// on each start (decision 0411). Packages stay in node_modules (`packages: 'external'`).
//
// Why the layout works without the app knowing: every `import.meta.url`-relative path in the
// server resolves against the bundle's folder, so
// - the worker files (`path.join(dirname(import.meta.url), 'x.worker.mjs')`) are the bundled
//   `x.worker.mjs` beside it, not the source folder's tsx stubs;
// - serve.server.ts's root (`../..` from its folder) is still the checkout, where build/index.js,
//   public/ and db/ are;
// - shared modules go to chunks in the same folder (not a subfolder), for the same reason.
//
//   node scripts/bundle-server.mjs [outDir]
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

export const ROOT = path.resolve(import.meta.dirname, '..')

/** Each entry and the file name it gets: workers keep the name their starters look for. */
const ENTRIES = [
  ['app/cli/serve.server.ts', 'serve.server'],
  ['app/cli/worker.server.ts', 'worker.server'],
  ['app/services/background-thread.worker.ts', 'background-thread.worker'],
  ['app/services/map-cells.worker.ts', 'map-cells.worker'],
  ['app/services/import/prepare-rows.worker.ts', 'prepare-rows.worker'],
  ['app/services/import/commit-rows.worker.ts', 'commit-rows.worker'],
]

/**
 * The command-line tools, bundled only for the tests (`{ clis: true }`, test/support/cli.ts):
 * `npm run import` and the rest start them with tsx (decision 0701).
 */
export const CLI_ENTRIES = [
  ['app/cli/import.server.ts', 'import.server'],
  ['app/cli/import-history.server.ts', 'import-history.server'],
  ['app/cli/import-hr.server.ts', 'import-hr.server'],
  ['app/cli/divisions.server.ts', 'divisions.server'],
  ['app/cli/photo-thumbnails.server.ts', 'photo-thumbnails.server'],
  ['app/cli/setup.server.ts', 'setup.server'],
  ['db/cli/backup.ts', 'backup'],
  ['db/cli/restore.ts', 'restore'],
]

/**
 * Bundles into `outDir` (made empty first), which must sit two levels below the checkout;
 * with `clis`, the command-line tools too.
 */
export async function bundleServer(outDir = path.join(ROOT, 'build/server'), { clis = false } = {}) {
  if (path.resolve(outDir, '../..') !== ROOT) throw new Error(`${outDir}: the bundle must sit two levels below ${ROOT} (serve.server.ts finds the checkout as ../..)`)
  fs.rmSync(outDir, { recursive: true, force: true })
  await build({
    absWorkingDir: ROOT,
    entryPoints: [...ENTRIES, ...(clis ? CLI_ENTRIES : [])].map(([source, name]) => ({ in: source, out: name })),
    outdir: outDir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunk-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    packages: 'external',
    // Error stacks and `constructor.name` as in the source.
    keepNames: true,
    sourcemap: true,
    logLevel: 'warning',
  })
  return { dir: outDir, serve: path.join(outDir, 'serve.server.mjs') }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { dir } = await bundleServer(process.argv[2] ? path.resolve(process.argv[2]) : undefined)
  console.log(`bundled the server into ${path.relative(process.cwd(), dir) || '.'}`)
}
