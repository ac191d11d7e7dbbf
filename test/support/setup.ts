// Every test fails on a console.error: an error nobody looked at is a bug.
import { afterEach, beforeEach, vi } from 'vitest'

let errors: unknown[][] = []
const consoleError = console.error

beforeEach(() => {
  errors = []
  // A plain stand-in rather than vi.spyOn: nothing asserts on it, and a spy made and restored
  // around each of the run's ~1,600 tests cost about a millisecond of CPU a test (decision 0761).
  console.error = (...args: unknown[]) => {
    errors.push(args)
  }
})

afterEach(() => {
  console.error = consoleError
  // The spies a test made (china-time's on Intl) are undone here.
  vi.restoreAllMocks()
  if (errors.length > 0) {
    throw new Error(`console.error was called:\n${errors.map((a) => a.map(String).join(' ')).join('\n')}`)
  }
})
