// The map cells rebuild's thread entry: TypeScript needs a loader in every thread.
import { register } from 'tsx/esm/api'

register()
await import('./map-cells.worker.ts')
