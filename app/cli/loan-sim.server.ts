// `npm run loan-sim`: the stand-in loan system on its own, for a Wanqi running elsewhere.
// APP_URL (Wanqi), LOAN_SIM_TOKEN (a token an admin made), LOAN_SYSTEM_SECRET (the signing
// secret Wanqi uses), LOAN_SIM_PORT (default 3001), LOAN_SIM_STEP_MS, LOAN_SIM_DECLINE_RATE.
import { startLoanSim } from '../services/loan-sim.server'

const need = (name: string) => {
  const value = process.env[name]
  if (!value) {
    console.error(`${name} is required (see the top of app/cli/loan-sim.server.ts)`)
    process.exit(2)
  }
  return value
}

const sim = await startLoanSim({
  port: Number(process.env.LOAN_SIM_PORT ?? 3001),
  appUrl: need('APP_URL'),
  token: need('LOAN_SIM_TOKEN'),
  secret: need('LOAN_SYSTEM_SECRET'),
  stepMs: Number(process.env.LOAN_SIM_STEP_MS ?? 4000),
  declineRate: Number(process.env.LOAN_SIM_DECLINE_RATE ?? 0.1),
  log: (m) => console.log(m),
})
console.log(`loan system stand-in listening at ${sim.url}`)
process.on('SIGTERM', () => void sim.stop().then(() => process.exit(0)))
process.on('SIGINT', () => void sim.stop().then(() => process.exit(0)))
