// The proof of work's test helpers: a try meant to be refused for its proof must carry a nonce
// that does not answer its challenge. A fixed '0' answers one challenge in 16,384, and the
// refusal tests then saw the try taken (a CI run, 2026-12-05: loan-qr-post.test.ts's Remix
// answer was the 303 of an accepted try).
import crypto from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hasLeadingZeroBits, LOAN_QR_POW_BITS } from '../../app/domain/loan-qr'
import { solveLoanQrChallenge, wrongLoanQrNonce } from '../../app/services/loan-qr/loan-qr-challenge.server'

const answers = (challenge: string, nonce: string) => hasLeadingZeroBits(crypto.createHash('sha256').update(`${challenge}:${nonce}`).digest(), LOAN_QR_POW_BITS)

describe('the loan QR proof of work in tests', () => {
  it('gives a wrong nonce even for a challenge that nonce 0 answers', () => {
    let challenge = ''
    for (let i = 0; !challenge; i++) if (answers(`challenge-${i}`, '0')) challenge = `challenge-${i}`
    expect(answers(challenge, '0')).toBe(true)
    const wrong = wrongLoanQrNonce(challenge)
    expect(wrong).not.toBe('0')
    expect(answers(challenge, wrong)).toBe(false)
  })

  it('solves and spoils the same challenge', () => {
    const challenge = 'plain'
    expect(answers(challenge, solveLoanQrChallenge(challenge))).toBe(true)
    expect(answers(challenge, wrongLoanQrNonce(challenge))).toBe(false)
  })
})
