// The background loop's log when the server stops: a pass cut short by the stop is not an
// error (info), while a pass that fails is (error, with its stack). Each pass here is held
// by a promise the test releases, so the stop lands mid-pass without any clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PassStopped, startBackgroundLoop } from '../../app/services/background-loop.server'
import { setLogLevel } from '../../app/server/logger.server'

let lines: { level: string; message: string; error?: { stack?: string } }[] = []
let write: typeof process.stderr.write

beforeEach(() => {
  lines = []
  write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number])
    return true
  }) as typeof process.stderr.write
  setLogLevel('info')
})
afterEach(() => {
  process.stderr.write = write
})

/** A pass that waits, once started, until `release()`; then does `then(stopping)`. */
function heldPass(then: (stopping: () => boolean) => void) {
  let entered!: () => void
  let release!: () => void
  const started = new Promise<void>((resolve) => (entered = resolve))
  const held = new Promise<void>((resolve) => (release = resolve))
  const pass = async (stopping: () => boolean) => {
    entered()
    await held
    then(stopping)
  }
  return { pass, started, release }
}

describe('a background loop stopped with the server', () => {
  it('logs a pass the stop cut short at info, not as an error', async () => {
    const { pass, started, release } = heldPass((stopping) => {
      if (stopping()) throw new PassStopped()
    })
    const loop = startBackgroundLoop('test refresh', 60_000, pass)
    await started
    const stopped = loop.stop()
    release()
    await stopped
    expect(lines.map((l) => [l.level, l.message])).toEqual([['info', 'test refresh cut short: stopped with the server']])
  })

  it('still logs a pass that failed as an error, its stack in the log', async () => {
    const { pass, started, release } = heldPass(() => {
      throw new Error('the database went away')
    })
    const loop = startBackgroundLoop('test refresh', 60_000, pass)
    await started
    const stopped = loop.stop()
    release()
    await stopped
    expect(lines.map((l) => [l.level, l.message])).toEqual([['error', 'test refresh failed']])
    expect(lines[0].error?.stack).toContain('the database went away')
  })
})
