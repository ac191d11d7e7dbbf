// An HR file uploaded to an admin import page: kept on disk under a name of ours only while
// it is read (it holds mobile numbers), with the form's other fields.
import crypto from 'node:crypto'
import fs from 'node:fs'
import {
  MaxPartSizeExceededError,
  unstable_composeUploadHandlers as composeUploadHandlers,
  unstable_createFileUploadHandler as createFileUploadHandler,
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
  type NodeOnDiskFile,
} from '@remix-run/node'
import type { Message } from '../i18n/index'

const MAX_BYTES = 20 * 1024 * 1024

export type HrUpload =
  | { ok: true; filePath: string; fileName: string; fields: FormData; remove(): Promise<void> }
  | { ok: false; status: number; formError: Message }

export async function receiveHrUpload(request: Request, uploadDir: string): Promise<HrUpload> {
  fs.mkdirSync(uploadDir, { recursive: true })
  let originalName = ''
  const upload = composeUploadHandlers(
    createFileUploadHandler({
      directory: uploadDir,
      maxPartSize: MAX_BYTES,
      avoidFileConflicts: true,
      file: ({ filename }) => {
        originalName = filename
        return `hr-${Date.now()}-${crypto.randomBytes(6).toString('hex')}.upload`
      },
    }),
    createMemoryUploadHandler({ maxPartSize: 10_000 }),
  )
  let form: FormData
  try {
    form = await parseMultipartFormData(request, upload)
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return { ok: false, status: 413, formError: { key: 'hr.tooBig' } }
    // Not a multipart upload (a hand-made request): nothing chosen.
    if (error instanceof TypeError) return { ok: false, status: 400, formError: { key: 'hr.noFile' } }
    throw error
  }
  const file = form.get('file') as NodeOnDiskFile | string | null
  if (!file || typeof file === 'string' || file.size === 0) {
    if (file && typeof file !== 'string') await fs.promises.rm(file.getFilePath(), { force: true })
    return { ok: false, status: 400, formError: { key: file && typeof file !== 'string' ? 'file.empty' : 'hr.noFile' } }
  }
  const filePath = file.getFilePath()
  return { ok: true, filePath, fileName: originalName || file.name, fields: form, remove: () => fs.promises.rm(filePath, { force: true }) }
}
