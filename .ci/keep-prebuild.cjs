// After `npm ci` compiled a native package from source, keeps its binary where
// prebuild-install looks before downloading (npm's cache, `_prebuilds/`, named after the
// download URL: package version, Node ABI, platform, architecture), in the layout of a
// published prebuild. The next install of the same version on this machine unpacks it
// instead of compiling. `node .ci/keep-prebuild.cjs better-sqlite3`
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const packageName = process.argv[2]
const dir = path.resolve(__dirname, '..', 'node_modules', packageName)
// prebuild-install reads its options as it does when npm runs it: from the package's folder.
process.chdir(dir)
const from = (file) => require(require.resolve(`prebuild-install/${file}`, { paths: [dir] }))
const util = from('util')
const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
const rc = from('rc')(pkg)
const cached = util.cachedPrebuild(util.getDownloadUrl({ ...rc, pkg }))
if (fs.existsSync(cached)) process.exit(0)
const binary = path.join('build', 'Release', `${pkg.name.replace(/-/g, '_')}.node`)
if (!fs.existsSync(path.join(dir, binary))) throw new Error(`${packageName}: no ${binary} to keep`)
fs.mkdirSync(path.dirname(cached), { recursive: true })
// Written beside it, then renamed: a half-written archive is never found by an install.
const part = `${cached}.${process.pid}.part`
execFileSync('tar', ['-czf', part, '-C', dir, binary])
fs.renameSync(part, cached)
console.log(`ci: kept the compiled ${packageName} in ${cached}`)
