// The officer's phone loads the messages its pages use first ("field"), the rest after the
// page is usable. A page whose route says `handle = { messages: 'field' }` needs no more than
// these keys before it hydrates; every other page waits for both parts.
import type { MessageKey } from './index'

export const MESSAGE_PARTS = ['field', 'rest'] as const
export type MessagePart = (typeof MESSAGE_PARTS)[number]

/** Key prefixes of the shell, sign-in, "my list", the visit form, photos and the outbox. */
const FIELD_PREFIXES = [
  'app.',
  'lang.',
  'nav.',
  'role.',
  'common.',
  'login.',
  'error.',
  'validation.',
  'form.',
  'my.',
  'visit.',
  'photo.',
  'outbox.',
  'clocks.',
  'candidateStatus.',
  'player.approximate',
  'player.unassigned',
  'visitValidity.',
  'consent.signNow',
  // The consent sheet on /my (signed offline): what it and the signature pad show.
  'consent.textVersion',
  'consent.signerName',
  'consent.signerRole',
  'consent.role.',
  'consent.signature',
  'consent.clear',
  'consent.submit',
]

export function partOf(key: MessageKey | string): MessagePart {
  return FIELD_PREFIXES.some((p) => key.startsWith(p)) ? 'field' : 'rest'
}

/** What a route module's `handle` says about the messages its page needs. */
export function isFieldPage(handle: unknown): boolean {
  return (handle as { messages?: unknown } | undefined)?.messages === 'field'
}
