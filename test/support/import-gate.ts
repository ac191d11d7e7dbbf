// The gate a test holds a running import at (WANQI_TEST_IMPORT_GATE, app/services/import/
// import-gate.server.ts), over real HTTP in the test's own process: the server's commit asks
// it before each batch after the first and goes on when it answers. Closed when started:
// every such question waits until the test lets it through, so the test can look at the job
// part way, as long as it likes, and know how far it got. Give the server its `url`:
//
//   let gate: ImportGate
//   openBrowserApp({ env: async () => ({ WANQI_TEST_IMPORT_GATE: (gate = await startImportGate()).url }) })
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface HeldBatch {
  job: number
  /** Rows the job had committed when it asked. */
  done: number
}

export interface ImportGate {
  url: string
  /** The commits waiting at the gate now, in the order they came. */
  waiting(): HeldBatch[]
  /** Lets the commits waiting now go on, each to its next batch; the gate stays closed for the next question. */
  pass(): void
  /** Lets every commit go on, now and from now on. */
  open(): void
  /** Opens the gate and stops its server. */
  close(): Promise<void>
}

export async function startImportGate(): Promise<ImportGate> {
  let held: { batch: HeldBatch; go: () => void }[] = []
  let opened = false

  const server = http.createServer((req, res) => {
    // A server killed while it waits cuts the connection: nothing to answer.
    res.on('error', () => {})
    const url = new URL(req.url ?? '/', 'http://gate')
    const batch = { job: Number(url.searchParams.get('job')), done: Number(url.searchParams.get('done')) }
    const go = () => {
      if (!res.destroyed) res.writeHead(204).end()
    }
    if (opened) return go()
    held.push({ batch, go })
    res.on('close', () => (held = held.filter((h) => h.go !== go)))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const pass = () => {
    const now = held
    held = []
    for (const h of now) h.go()
  }
  return {
    url: `http://127.0.0.1:${port}/gate`,
    waiting: () => held.map((h) => h.batch),
    pass,
    open() {
      opened = true
      pass()
    },
    async close() {
      opened = true
      pass()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
