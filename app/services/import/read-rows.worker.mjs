// The reader thread's entry: TypeScript needs a loader in every thread, whatever ran the parent.
import { register } from 'tsx/esm/api'

register()
await import('./read-rows.worker.ts')
