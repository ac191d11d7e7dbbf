// PRODUCT.md "Valid visits" as one rule (domain/visit-validity.ts): each reason a visit does
// not count, alone and together, and when a manager may accept a far check-in.
import { describe, expect, it } from 'vitest'
import { canAcceptFar, defaultValidityRules, judgeVisit, type VisitEvidence } from '../../app/domain/visit-validity'

const strict = { photoRequired: true, radiusMetres: 300, remoteCountsFor: { household: false, enterprise: true } }
const onSite: VisitEvidence = { channel: 'on_site', playerKind: 'enterprise', checkedIn: true, distanceMetres: 120, approximatePosition: false, farAccepted: false, photos: 1 }

describe('a visit judged by the rules of the bank', () => {
  it('on site within the radius with a photo counts', () => {
    expect(judgeVisit(onSite, strict)).toEqual({ valid: true, reasons: [] })
  })
  it('says every reason it does not count', () => {
    expect(judgeVisit({ ...onSite, distanceMetres: 301, photos: 0 }, strict)).toEqual({ valid: false, reasons: ['far', 'no_photo'] })
    expect(judgeVisit({ ...onSite, checkedIn: false, distanceMetres: null }, strict).reasons).toEqual(['no_check_in'])
  })
  it('far counts once a manager accepted the reason; an approximate position proves nothing either way', () => {
    expect(judgeVisit({ ...onSite, distanceMetres: 5000, farAccepted: true }, strict).valid).toBe(true)
    expect(judgeVisit({ ...onSite, distanceMetres: 5000, approximatePosition: true }, strict).valid).toBe(true)
  })
  it('phone and video count where the bank allows them for that kind of player', () => {
    const call = { ...onSite, channel: 'phone' as const, checkedIn: false, distanceMetres: null, photos: 0 }
    expect(judgeVisit({ ...call, playerKind: 'household' }, strict)).toEqual({ valid: false, reasons: ['remote_not_counted'] })
    expect(judgeVisit({ ...call, channel: 'video' }, strict).valid).toBe(true)
    expect(judgeVisit({ ...call, playerKind: 'household' }, defaultValidityRules(500)).valid).toBe(true)
  })
  it('a far check-in with a reason may be accepted, once; nothing else may', () => {
    const far = { ...onSite, distanceMetres: 900, farReason: '约在仓库' }
    expect(canAcceptFar(far, strict)).toBe(true)
    expect(canAcceptFar({ ...far, farAccepted: true }, strict)).toBe(false)
    expect(canAcceptFar({ ...far, farReason: null }, strict)).toBe(false)
    expect(canAcceptFar({ ...far, distanceMetres: 100 }, strict)).toBe(false)
  })
})
