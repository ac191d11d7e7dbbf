// Background threads (an import's writer and readers, the map's rebuild, the refreshers) run
// below the thread that answers requests: when more threads are ready than there are cores,
// the kernel gives one to the serving thread first (decisions 0171, 0711). On Linux a nice
// value belongs to a thread (setpriority on the calling thread), so only the caller yields.
// The thread also takes a name, so `top -H` and /proc/<pid>/task/*/comm say which is which.
import fs from 'node:fs'
import os from 'node:os'

/** The background threads' nice value (the serving thread's is the process's, usually 0). */
export const BACKGROUND_NICE = os.constants.priority.PRIORITY_BELOW_NORMAL

/** Names the calling thread (at most 15 bytes) and lowers its priority to BACKGROUND_NICE, where the system allows. */
export function runInBackground(name: string): void {
  try {
    fs.writeFileSync('/proc/thread-self/comm', name.slice(0, 15))
  } catch {
    // Not Linux: the thread keeps the process's name.
  }
  try {
    os.setPriority(BACKGROUND_NICE)
  } catch {
    // Not allowed here: the thread runs at the usual priority.
  }
}
