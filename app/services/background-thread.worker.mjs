// The background thread's entry: TypeScript needs a loader in every thread.
import { register } from 'tsx/esm/api'

register()
await import('./background-thread.worker.ts')
