// A real nginx (Debian's /usr/sbin/nginx) in front of several app servers, for the
// several-servers test and the soak benchmark: a config generated into a folder of the
// test's own, on a free port, run in the foreground as a child process and stopped with it.
// The config is the README's example (docs/nginx.example.conf) with the ports filled in.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { freePort } from './server-process'
import { ROOT } from './test-constants'

export const NGINX = '/usr/sbin/nginx'

export interface Nginx {
  url: string
  port: number
  stop(): Promise<void>
}

/**
 * The example config with the listening port, the app servers' ports, the loan QR page's
 * servers' ports (without them, the app servers answer /q/ too) and the folder for nginx's own files.
 */
export function nginxConfig(options: { port: number; upstreams: number[]; loanQr?: number[]; dir: string }): string {
  const example = fs.readFileSync(path.join(ROOT, 'docs/nginx.example.conf'), 'utf8')
  const serverLines = (ports: number[]) => ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')
  const body = example
    .replace(/^ *server 127\.0\.0\.1:3001.*\n(?: *server 127\.0\.0\.1:300\d.*\n)*/m, `${serverLines(options.upstreams)}\n`)
    .replace(/^ *server 127\.0\.0\.1:3011.*\n/m, `${serverLines(options.loanQr ?? options.upstreams)}\n`)
    .replace(/listen 80;/, `listen 127.0.0.1:${options.port};`)
  // What a system nginx keeps under /var: here in the test's folder, so no root is needed.
  return [
    'worker_processes 1;',
    `pid ${options.dir}/nginx.pid;`,
    `error_log ${options.dir}/error.log warn;`,
    // Each caller's kept-alive connection and its upstream one count: the soak's 2,000
    // officers ran out of 1,024 (connections refused, "fetch failed").
    'events { worker_connections 8192; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${options.dir}/${kind};`),
    body.replace(/^/gm, '  '),
    '}',
    '',
  ].join('\n')
}

export async function startNginx(upstreams: number[], dir: string, options: { loanQr?: number[] } = {}): Promise<Nginx> {
  if (!fs.existsSync(NGINX)) throw new Error(`${NGINX} is missing: install Debian's nginx (apt-get install -y nginx); .ci/run does`)
  const port = await freePort()
  fs.mkdirSync(dir, { recursive: true })
  const conf = path.join(dir, 'nginx.conf')
  fs.writeFileSync(conf, nginxConfig({ port, upstreams, loanQr: options.loanQr, dir }))
  const child: ChildProcess = spawn(NGINX, ['-e', path.join(dir, 'error.log'), '-c', conf, '-p', dir, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let errors = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`nginx exited (code ${code}): ${errors}${readLog(dir)}`)))
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve()))
      socket.once('error', () => setImmediate(attempt))
    }
    attempt()
  })
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT')
      await exited
    },
  }
}

function readLog(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, 'error.log'), 'utf8')
  } catch {
    return ''
  }
}
