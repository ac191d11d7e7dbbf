// The writer thread (see commit-workers.server.ts): its own connection, the rows prepared
// by prepareRows, each batch applied as the server's thread would apply it.
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from '../../../db/connection.server'
import { AppError } from '../../app-error'
import { createPersonalDataCipher } from '../personal-data.server'
import type { WriterData, WriterMessage } from './commit-workers.server'
import { serialiseError } from './thread-errors.server'
import { applyImportBatch, batchContext, getImportJob } from './import-jobs.server'
import { prepareRows } from './prepare-rows.server'

const port = parentPort!
const data = workerData as WriterData
let stopping = false
port.on('message', (message: { stop?: true }) => {
  if (message.stop) stopping = true
})
const say = (message: WriterMessage) => port.postMessage(message)

async function run() {
  const { db, sqlite } = openDatabase(data.url)
  // Checkpoint the log after about a gigabyte, not after every batch: a page that several
  // batches touch is copied back once, and the writer waits on the disk less often.
  sqlite?.pragma('wal_autocheckpoint = 262144')
  try {
    const job = await getImportJob(db, data.jobId)
    if (!job) throw new AppError('not_found', 'error.notFound')
    const context = batchContext(db, createPersonalDataCipher(data.setup.prepare.dataKey), job, 'commit', data.setup, data.counts)
    const batches = prepareRows(data.setup.prepare, data.fileBytes)
    for await (const batch of batches) {
      await applyImportBatch(context, batch)
      say({ written: context.counts })
      // Messages (a stop) are heard between batches.
      await new Promise((resolve) => setImmediate(resolve))
      if (stopping) {
        await batches.return(undefined)
        say({ end: 'stopped' })
        return
      }
    }
    say({ end: 'done' })
  } finally {
    await db.destroy()
  }
}

run().catch((error: unknown) => say({ error: serialiseError(error) }))
