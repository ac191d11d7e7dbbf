// The sign-in form. The page checks nothing before posting, so its route imports this in
// the action alone and the sign-in page carries no zod to the phone.
import { z } from 'zod'
import { parseForm, requiredText } from './fields'

const signInSchema = z.object({
  username: requiredText(40),
  password: requiredText(200),
  redirectTo: z.string().optional(),
})

export function parseSignIn(form: FormData) {
  return parseForm(form, signInSchema)
}
