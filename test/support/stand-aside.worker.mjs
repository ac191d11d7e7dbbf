// The thread of test/unit/lock-wait-thread.test.ts: TypeScript needs a loader in every thread.
import { register } from 'tsx/esm/api'

register()
await import('./stand-aside.worker.ts')
