// The kinds of list a bank imports (issue: tax bureau, market supervision, its own
// settlement accounts, anything else).
export const IMPORT_SOURCES = ['tax', 'market', 'bank', 'other'] as const
export type ImportSource = (typeof IMPORT_SOURCES)[number]
