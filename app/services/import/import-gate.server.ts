// A test's hold on a running import (WANQI_TEST_IMPORT_GATE, app/server/config.server.ts):
// before each batch after the first, the commit asks the gate's URL and goes on only when
// it answers. A browser test can then watch the job's page part way through a small list,
// as a manager watches a big one, instead of importing tens of thousands of rows to catch
// it running (decision 0531). Never set in production: an operator's import would wait on it.
import { logger } from '../../server/logger.server'

/** Waits for the gate's answer to "job `jobId`, `rowsDone` rows in". */
export type ImportGate = (jobId: number, rowsDone: number) => Promise<void>

export function importGate(url: string): ImportGate {
  return async (jobId, rowsDone) => {
    const asked = new URL(url)
    asked.searchParams.set('job', String(jobId))
    asked.searchParams.set('done', String(rowsDone))
    try {
      const answer = await fetch(asked)
      await answer.arrayBuffer()
      if (!answer.ok) logger.warn('import gate answered with an error; the import goes on', { jobId, status: answer.status })
    } catch (error) {
      // The test that held it is gone: nothing is left to wait for.
      logger.warn('import gate unreachable; the import goes on', { jobId, error })
    }
  }
}
