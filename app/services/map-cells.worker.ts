// Rebuilds the map's pre-counted cells through a connection of its own (see
// map-cells.server.ts), so that counting a province's players never holds up the pages.
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from '../../db/connection.server'
import { rebuildStaleMapCells } from './map-cells.server'

const { db } = openDatabase((workerData as { url: string }).url)
rebuildStaleMapCells(db)
  .then((result) => parentPort!.postMessage({ result }))
  .catch((error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
  .finally(() => db.destroy())
