// The forms of going live, one zod schema each, shared by the server and the browser: the
// bank's set-up and a user's own password change (the rule itself is domain/password-policy.ts).
import { z } from 'zod'
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, checkNewPassword } from '../domain/password-policy'
import { ORG_CODE_PATTERN, USERNAME_PATTERN } from '../domain/hr-rows'
import { msg, requiredText } from './fields'

export const setupSchema = z.object({
  token: z.string().min(1),
  bankName: requiredText(60),
  headOfficeCode: z.string().trim().regex(ORG_CODE_PATTERN, msg('validation.code')),
  adminUsername: z.string().trim().toLowerCase().regex(USERNAME_PATTERN, msg('validation.username')),
  adminName: requiredText(40),
})

/** The form for `username`'s own password: the current one, and the new one twice. */
export function changePasswordSchema(username: string) {
  return z
    .object({
      current: z.string().min(1, msg('validation.required')).max(MAX_PASSWORD_LENGTH, msg('validation.tooLong', { max: MAX_PASSWORD_LENGTH })),
      password: z.string().min(1, msg('validation.required')),
      confirm: z.string(),
    })
    .superRefine((form, ctx) => {
      for (const problem of checkNewPassword(form.password, { username, current: form.current })) {
        ctx.addIssue({ code: 'custom', path: ['password'], message: msg(`password.${problem}`, { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH }) })
      }
      if (form.confirm !== form.password) ctx.addIssue({ code: 'custom', path: ['confirm'], message: msg('account.confirmMismatch') })
    })
}
