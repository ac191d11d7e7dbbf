// SHA-256 as the consent rules use it: of a file's bytes, of the text signed, and of the
// facts' canonical JSON (domain/consent.ts). The stand-in loan system checks with the same.
import crypto from 'node:crypto'
import { consentHashInput, type ConsentFacts } from '../../domain/consent'

export const sha256Hex = (bytes: Uint8Array | string) => crypto.createHash('sha256').update(bytes).digest('hex')

export const hashConsent = (facts: ConsentFacts) => sha256Hex(consentHashInput(facts))
