// The real lists of ../shared/real-lists/ (its README says what each one is). The folder is
// beside the checkout the tests run from (/work/main/../shared); a worktree one level deeper
// (/work/wt/NAME) finds it further up. Missing, a test fails saying where it looked: it never skips.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from './test-constants'

function findRealLists(): string {
  const looked: string[] = []
  for (let dir = path.dirname(ROOT); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'real-lists')
    looked.push(candidate)
    if (existsSync(path.join(candidate, 'README.md'))) return candidate
    if (path.dirname(dir) === dir) break
  }
  throw new Error(`the real lists are missing: looked in ${looked.join(', ')}`)
}

let found: string | undefined

/** The folder of the real lists. */
export function realListsDir(): string {
  return (found ??= findRealLists())
}

/** The path of one real list, by its file name. */
export function realList(name: string): string {
  const file = path.join(realListsDir(), name)
  if (!existsSync(file)) throw new Error(`no real list ${name} in ${realListsDir()}`)
  return file
}
