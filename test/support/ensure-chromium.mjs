// Run by `npm test` before the tests: the browser tests drive Debian's Chromium and must
// never skip silently, so a missing browser is installed here or stops the run.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'

const CHROMIUM = '/usr/bin/chromium'

if (fs.existsSync(CHROMIUM)) process.exit(0)

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const hasAptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0

function fail(reason) {
  console.error(`
The browser tests need Chromium at ${CHROMIUM}, and it is not there.
${reason}
Install the Debian package \`chromium\` and run the tests again:

  sudo apt-get update && sudo apt-get install -y chromium
`)
  process.exit(1)
}

if (!isRoot) fail('This script installs it only when it runs as root.')
if (!hasAptGet) fail('apt-get was not found, so it cannot be installed here.')

for (const args of [['update'], ['install', '-y', 'chromium']]) {
  console.log(`Chromium is missing: running apt-get ${args.join(' ')}`)
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  if (result.status !== 0) fail(`\`apt-get ${args.join(' ')}\` failed (${result.error?.message ?? `exit code ${result.status}`}).`)
}

if (!fs.existsSync(CHROMIUM)) fail(`apt-get finished, but ${CHROMIUM} is still missing.`)
console.log(`Chromium installed at ${CHROMIUM}.`)
