// An HR file uploaded to an admin import page (the org tree, the staff): received by the one
// upload helper (any file name), kept on disk under a name of ours only while it is read (it
// holds mobile numbers), then checked ("preview") or applied ("apply") by the page's use case.
// The two pages differ only in their permission and use case: this is their one action.
import fs from 'node:fs'
import { data } from '@remix-run/node'
import type { AppContext } from './context.server'
import { actorOf, requirePermission } from './guards.server'
import { receiveUpload } from './receive-upload.server'
import type { Message } from '../i18n/index'
import type { Actor } from '../services/audit.server'
import type { Permission } from '../domain/roles'

const MAX_BYTES = 20 * 1024 * 1024

export type HrUpload =
  | { ok: true; filePath: string; fileName: string; fields: Record<string, string>; remove(): Promise<void> }
  | { ok: false; status: number; formError: Message }

export async function receiveHrUpload(request: Request, uploadDir: string): Promise<HrUpload> {
  fs.mkdirSync(uploadDir, { recursive: true, mode: 0o700 })
  const upload = await receiveUpload(request, { directory: uploadDir, maxBytes: MAX_BYTES, fileField: 'file' })
  if (!upload.ok) return upload.reason === 'tooLarge' ? { ok: false, status: 413, formError: { key: 'hr.tooBig' } } : { ok: false, status: 400, formError: { key: 'hr.noFile' } }
  const { file, fields } = upload
  if (!file || file.size === 0) {
    if (file) await fs.promises.rm(file.path, { force: true })
    return { ok: false, status: 400, formError: { key: file ? 'file.empty' : 'hr.noFile' } }
  }
  return { ok: true, filePath: file.path, fileName: file.name, fields, remove: () => fs.promises.rm(file.path, { force: true }) }
}

export interface HrFileInput {
  filePath: string
  fileName: string
  apply: boolean
  fields: Record<string, string>
}

/** The action of an HR import page: guard, receive, run the use case, shape the answer, drop the file. */
export async function hrImportAction<R extends { fileError: Message | null; errors: unknown[] }>(
  request: Request,
  context: AppContext,
  permission: Permission,
  run: (actor: Actor, input: HrFileInput) => Promise<R>,
) {
  const user = await requirePermission(request, context, permission)
  const upload = await receiveHrUpload(request, context.config.uploadDir)
  if (!upload.ok) return data<{ formError?: Message; result?: R }>({ formError: upload.formError }, { status: upload.status })
  try {
    const result = await run(actorOf(user, context), { filePath: upload.filePath, fileName: upload.fileName, apply: upload.fields.intent === 'apply', fields: upload.fields })
    if (result.fileError) return data<{ formError?: Message; result?: R }>({ formError: result.fileError }, { status: 400 })
    return data<{ formError?: Message; result?: R }>({ result }, { status: result.errors.length > 0 ? 400 : 200 })
  } finally {
    await upload.remove()
  }
}
