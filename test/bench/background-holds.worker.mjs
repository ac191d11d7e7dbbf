// The thread entry of background-holds.ts: TypeScript needs a loader in every thread.
import { register } from 'tsx/esm/api'

register()
await import('./background-holds.job.ts')
