// The forms of an import job's page that need more than an intent, one zod schema each,
// shared by server and browser.
import { z } from 'zod'
import { msg } from './fields'

/** Deleting a job asks for a ticked box: what goes cannot be brought back. */
export const deleteImportJobSchema = z.object({
  confirm: z.literal('yes', { errorMap: () => ({ message: msg('import.deleteConfirmRequired') }) }),
})
