// What makes a password acceptable when a user chooses one (NIST SP 800-63B: length and a
// list of known-bad choices, no composition rules). Shared by the forms (server and browser)
// and the services, so the rule is written once.

export const MIN_PASSWORD_LENGTH = 10
export const MAX_PASSWORD_LENGTH = 200

export type PasswordProblem = 'tooShort' | 'tooLong' | 'sameAsUsername' | 'sameAsCurrent' | 'common'

// The most used passwords of at least ten characters in published breach lists, and the
// demo's own; compared without case, spaces or separators.
const COMMON = new Set([
  '1234567890', '0123456789', '9876543210', '1111111111', '0000000000', '1234567891', '12345678910',
  'qwertyuiop', 'asdfghjkl;', 'qwertyuiop[]', '1q2w3e4r5t', '1qaz2wsx3edc', 'qazwsxedcrfv', 'zaq12wsxcde3',
  'password12', 'password123', 'password1234', 'passw0rd12', 'iloveyou12', 'iloveyou123', 'abcdefghij',
  'abc1234567', 'abcd123456', 'a123456789', 'aa12345678', 'qwerty1234', 'qwe1234567', 'woaini1314',
  'woaini520520', '5201314520', '1314520520', 'admin12345', 'admin123456', 'administrator', 'changeme12',
  'welcome123', 'letmein123', 'wanqidemo', 'wanqi-demo', 'wanqi12345', 'wanqi123456',
])

function loose(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\-_.]/g, '')
}

/** Every reason a new password is refused; empty when it is acceptable. */
export function checkNewPassword(password: string, context: { username?: string; current?: string } = {}): PasswordProblem[] {
  const problems: PasswordProblem[] = []
  const length = [...password.normalize('NFKC')].length
  if (length < MIN_PASSWORD_LENGTH) problems.push('tooShort')
  if (length > MAX_PASSWORD_LENGTH) problems.push('tooLong')
  const plain = loose(password)
  // The user name itself, or it with a year or a few characters added.
  const name = context.username ? loose(context.username) : ''
  if (name.length >= 2 && plain.includes(name) && plain.length - name.length <= 4) problems.push('sameAsUsername')
  if (context.current !== undefined && context.current !== '' && password === context.current) problems.push('sameAsCurrent')
  if (COMMON.has(plain) || /^(.)\1+$/.test(plain) || isRun(plain)) problems.push('common')
  return problems
}

/** A run like 2345678901 or abcdefghijk: each character the one after the last. */
function isRun(text: string): boolean {
  if (text.length < 4) return false
  let up = true
  let down = true
  for (let i = 1; i < text.length; i++) {
    const step = text.charCodeAt(i) - text.charCodeAt(i - 1)
    if (step !== 1 && !(text[i - 1] === '9' && text[i] === '0')) up = false
    if (step !== -1 && !(text[i - 1] === '0' && text[i] === '9')) down = false
  }
  return up || down
}
