// Background threads run below the thread that answers requests where that costs the
// requests nothing: when more threads are ready than there are cores, the kernel gives one to
// the serving thread first (decisions 0171, 0711). On Linux a nice value belongs to a thread
// (setpriority on the calling thread), so only the caller yields. Not the import's writer: it
// holds SQLite's write lock over transactions of a quarter second that a visit waits for, and
// at nice 10 on a machine busy with other work it got a tenth of a core, its transactions
// (and the visits behind them) lasting ten times as long. Every background thread takes a
// name, so `top -H` and /proc/<pid>/task/*/comm say which is which.
import fs from 'node:fs'
import os from 'node:os'

/** The nice value of the background threads that yield (the serving thread's is the process's, usually 0). */
export const BACKGROUND_NICE = os.constants.priority.PRIORITY_BELOW_NORMAL

/**
 * Names the calling thread (at most 15 bytes) and, with `yieldToServing` (the default),
 * lowers its priority to BACKGROUND_NICE, where the system allows.
 */
export function runInBackground(name: string, options: { yieldToServing?: boolean } = {}): void {
  try {
    fs.writeFileSync('/proc/thread-self/comm', name.slice(0, 15))
  } catch {
    // Not Linux: the thread keeps the process's name.
  }
  if (options.yieldToServing === false) return
  try {
    os.setPriority(BACKGROUND_NICE)
  } catch {
    // Not allowed here: the thread runs at the usual priority.
  }
}
