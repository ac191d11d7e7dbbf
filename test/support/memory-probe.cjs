// Preloaded into a spawned server (`node --expose-gc --require` this) by a benchmark that
// watches its memory: asked over the IPC channel, it runs a full collection and answers
// with what is still alive, so a reading is the live heap and not the collector's rhythm;
// with the CPU time the process has used; and with how late its event loop ran since the
// last reading (a stall there holds up every request in flight). That window includes the
// collection the reading before it ran.
// The channel is unreferenced: it never keeps a stopping server alive.
const { monitorEventLoopDelay } = require('node:perf_hooks')

const loop = monitorEventLoopDelay({ resolution: 10 })
loop.enable()
process.channel?.unref()
process.on('message', (message) => {
  if (!message || message.memory !== true) return
  const loopDelay = { loopDelayMaxMs: loop.max / 1e6, loopDelayP99Ms: loop.percentile(99) / 1e6 }
  globalThis.gc?.()
  loop.reset()
  const usage = process.memoryUsage()
  // The process's CPU time so far (every thread's), for how busy it was between two samples.
  const cpu = process.cpuUsage()
  // How long the main thread (the one that answers requests) was at work so far, not idle in
  // its event loop: the serving thread's time, without the worker threads'.
  const loopActiveMs = performance.eventLoopUtilization().active
  process.send?.({ memory: { heapUsedMb: usage.heapUsed / 1024 ** 2, rssMb: usage.rss / 1024 ** 2, cpuMs: (cpu.user + cpu.system) / 1000, loopActiveMs, ...loopDelay } })
})
