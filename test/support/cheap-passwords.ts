// Vitest setup file of the integration projects: the passwords their test users are given
// are hashed at a low scrypt cost (1 MB instead of 32 MB), as cheap as a hash can be while
// still being the same code path. The cost is stored with each hash, so signing in checks
// it at that cost too. The unit tests keep the real cost (test/unit/password.test.ts), and
// the browser and crash tests' servers are processes of their own, at the real cost.
import { setPasswordCostForTests } from '../../app/services/password.server'

setPasswordCostForTests({ N: 2 ** 10, r: 8, p: 1 })
