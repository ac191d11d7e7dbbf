// Which import jobs may be deleted: those nothing works on (not being read or written).
// A previewed job that was never committed is as settled as a finished one.
export const DELETABLE_IMPORT_STATUSES = ['done', 'failed', 'cancelled', 'previewed', 'needs_mapping'] as const

export function isDeletableImportStatus(status: string): boolean {
  return (DELETABLE_IMPORT_STATUSES as readonly string[]).includes(status)
}
