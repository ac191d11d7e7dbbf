// `npm run worker`: the outbox worker and the hand-off flags' refresher on their own (the
// server runs them too), for a bank that runs background work on a machine of its own.
// Needs LOAN_SYSTEM_URL.
import { openDatabase } from '../../db/connection.server'
import { loadConfig } from '../server/config.server'
import { logger, setLogLevel } from '../server/logger.server'
import { startOutboxWorker } from '../services/outbox.server'
import { startFigureRefresher } from '../services/figure-rollups/drain.server'
import { startQualificationRefresher } from '../services/qualification.server'
import { startClockReconciler } from '../services/clocks/open-clocks.server'
import { startClockSums } from '../services/clocks/clock-sums.server'

const config = loadConfig()
setLogLevel(config.logLevel)
if (!config.loanSystemUrl) {
  console.error('LOAN_SYSTEM_URL is required: where the loan system takes referrals')
  process.exit(2)
}
const { db } = openDatabase(config.databaseUrl)
const worker = startOutboxWorker(db, { url: config.loanSystemUrl, secret: config.loanSystemSecret })
const qualification = startQualificationRefresher(db)
const figures = startFigureRefresher(db)
const clocks = startClockReconciler(db)
const clockSums = startClockSums(db)
logger.info('outbox worker started', { target: config.loanSystemUrl })
const stop = () => void Promise.all([worker.stop(), qualification.stop(), figures.stop(), clocks.stop(), clockSums.stop()]).then(() => db.destroy()).then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
