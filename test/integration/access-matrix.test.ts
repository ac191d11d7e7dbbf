// Who may reach what, route by route: every loader and action the built app has, asked by
// each kind of caller (signed out, an officer, another outlet's officer, a manager, another
// branch's manager, hq, an admin, the loan system's token), with the answer each must get:
// 200 (or 400 where an action's guard let an empty form through to its validation), a
// redirect to sign in, 401, 403 or 404, including records of another scope asked for by id.
// The routes come from the build itself: a route added without a row here fails the test.
import type { ServerBuild } from '@remix-run/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createApiToken } from '../../app/services/api-tokens/create-api-token.server'
import { createOrgUnit } from '../../app/services/org-units/create-org-unit.server'
import { createUser } from '../../app/services/users/create-user.server'
import { issueLoanQrCode } from '../../app/services/loan-qr/issue-loan-qr-code.server'
import { DEMO_PASSWORD } from '../../db/seed/index'
import { SEEDED_COUNTY, createSeededTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, loadBuild, startTestServer, testConfig, type TestServer } from '../support/test-server'
import { createStorage } from '../../app/services/storage/storage.server'
import { addVisitPhoto } from '../../app/services/visit-photos/add-visit-photo.server'
import { fixturePhoto } from '../support/photo-fixtures'
import { signConsent } from '../../app/services/consents/sign-consent.server'
import { penStrokes, signaturePng } from '../support/signature-fixture'

const CALLERS = ['anonymous', 'officer', 'otherOfficer', 'manager', 'otherManager', 'hq', 'admin', 'token'] as const
type Caller = (typeof CALLERS)[number]

/** `login`: a redirect to the sign-in page; `302`: another redirect; else the status. */
type Answer = 'login' | '302' | '200' | '201' | '400' | '401' | '403' | '404' | '405' | '415'

interface Fixtures {
  playerOwn: number
  playerElsewhere: number
  visitOwn: string
  visitElsewhere: string
  /** A photo of each of those visits. */
  photoOwn: string
  photoElsewhere: string
  /** A signed consent of each of those players. */
  consentOwn: string
  consentElsewhere: string
  referralOwn: number
  referralElsewhere: number
  importOwn: number
  importElsewhere: number
  user: number
  outletCode: string
  /** The USCC of a player of the officer's own. */
  usccOwn: string
  /** The officer's loan QR code: its id and the token of its public page. */
  loanQrOwn: { id: number; token: string }
}

interface Row {
  /** The route's id in the build (`routes/players.$id._index`). */
  route: string
  method: 'GET' | 'POST'
  url: (f: Fixtures) => string
  /** What the request carries: JSON, or a form (empty unless given). */
  body?: { json: unknown }
  form?: Record<string, string>
  /** One answer per caller, in the order of CALLERS. */
  answers: string
  /** Ends the caller's session: such rows run last. */
  signsOut?: boolean
  note?: string
}

//                                                       anon  off   off2  mgr   mgr2  hq    admin token
const MATRIX: Row[] = [
  { route: 'routes/_index', method: 'GET', url: () => '/', answers: 'login 200 200 200 200 200 200 login' },
  { route: 'routes/healthz', method: 'GET', url: () => '/healthz', answers: '200 200 200 200 200 200 200 200' },
  { route: 'routes/livez', method: 'GET', url: () => '/livez', answers: '200 200 200 200 200 200 200 200' },
  { route: 'routes/login', method: 'GET', url: () => '/login', answers: '200 302 302 302 302 302 302 200' },
  { route: 'routes/login', method: 'POST', url: () => '/login', answers: '400 302 302 302 302 302 302 400', note: 'the signed-in are sent on' },
  { route: 'routes/lang', method: 'GET', url: () => '/lang', answers: '302 302 302 302 302 302 302 302' },
  { route: 'routes/lang', method: 'POST', url: () => '/lang', answers: '302 302 302 302 302 302 302 302' },
  { route: 'routes/setup', method: 'GET', url: () => '/setup', answers: '200 200 200 200 200 200 200 200', note: 'set up already: it says so' },
  { route: 'routes/setup', method: 'POST', url: () => '/setup', answers: '409 409 409 409 409 409 409 409', note: 'set up already: refused' },
  { route: 'routes/account.password', method: 'GET', url: () => '/account/password', answers: 'login 200 200 200 200 200 200 login' },
  { route: 'routes/account.password', method: 'POST', url: () => '/account/password', answers: 'login 400 400 400 400 400 400 login' },

  { route: 'routes/admin.org-units', method: 'GET', url: () => '/admin/org-units', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.org-units', method: 'POST', url: () => '/admin/org-units', answers: 'login 403 403 403 403 403 400 login' },
  { route: 'routes/admin.areas', method: 'GET', url: () => '/admin/areas', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.areas', method: 'POST', url: () => '/admin/areas', answers: 'login 403 403 403 403 403 400 login' },
  { route: 'routes/areas.place', method: 'GET', url: () => '/areas/place', answers: 'login 403 403 200 200 403 200 login' },
  { route: 'routes/areas.place', method: 'POST', url: () => '/areas/place', answers: 'login 403 403 200 200 403 200 login', note: 'places only players without a stated area code, in the caller\'s unit' },
  { route: 'routes/admin.products', method: 'GET', url: () => '/admin/products', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.products', method: 'POST', url: () => '/admin/products', answers: 'login 403 403 403 403 403 400 login' },
  { route: 'routes/admin.tokens', method: 'GET', url: () => '/admin/tokens', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.tokens', method: 'POST', url: () => '/admin/tokens', answers: 'login 403 403 403 403 403 400 login' },
  { route: 'routes/admin.users._index', method: 'GET', url: () => '/admin/users', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.users._index', method: 'POST', url: () => '/admin/users', answers: 'login 403 403 403 403 403 400 login' },
  { route: 'routes/admin.users.$id', method: 'GET', url: (f) => `/admin/users/${f.user}`, answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.users.$id', method: 'GET', url: () => '/admin/users/999999', answers: 'login 403 403 403 403 403 404 login', note: 'no such user' },
  { route: 'routes/admin.users.$id', method: 'POST', url: (f) => `/admin/users/${f.user}`, answers: 'login 403 403 403 403 403 400 login' },
  { route: 'routes/admin.import.org', method: 'GET', url: () => '/admin/import/org', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.import.org', method: 'POST', url: () => '/admin/import/org', answers: 'login 403 403 403 403 403 400 login', note: 'no file' },
  { route: 'routes/admin.import.staff', method: 'GET', url: () => '/admin/import/staff', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.import.staff', method: 'POST', url: () => '/admin/import/staff', answers: 'login 403 403 403 403 403 400 login', note: 'no file' },
  { route: 'routes/admin.audit', method: 'GET', url: () => '/admin/audit', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.audit[.]csv', method: 'GET', url: () => '/admin/audit.csv', answers: 'login 403 403 403 403 403 200 login' },

  { route: 'routes/players._index', method: 'GET', url: () => '/players', answers: 'login 200 200 200 200 200 200 login' },
  { route: 'routes/players.new', method: 'GET', url: () => '/players/new', answers: 'login 403 403 200 200 403 200 login' },
  { route: 'routes/players.new', method: 'POST', url: () => '/players/new', answers: 'login 403 403 400 400 403 400 login' },
  { route: 'routes/players.$id._index', method: 'GET', url: (f) => `/players/${f.playerOwn}`, answers: 'login 200 404 200 404 200 200 login' },
  { route: 'routes/players.$id._index', method: 'GET', url: (f) => `/players/${f.playerElsewhere}`, answers: 'login 404 200 404 404 200 200 login', note: "another outlet's player" },
  { route: 'routes/players.$id._index', method: 'POST', url: (f) => `/players/${f.playerOwn}`, answers: 'login 403 403 400 400 403 400 login', note: 'an empty form is refused before the record is looked up' },
  { route: 'routes/players.$id._index', method: 'POST', url: (f) => `/players/${f.playerOwn}`, form: { intent: 'unmask' }, answers: 'login 403 403 200 404 403 200 login', note: 'unmasking' },
  { route: 'routes/players.$id._index', method: 'POST', url: (f) => `/players/${f.playerElsewhere}`, form: { intent: 'unmask' }, answers: 'login 403 403 404 404 403 200 login', note: "unmasking another outlet's player" },
  { route: 'routes/players.$id._index', method: 'POST', url: (f) => `/players/${f.playerOwn}`, form: { intent: 'clock-contact' }, answers: 'login 404 404 404 404 403 403 login', note: 'a clock action: the player has no channel clocks' },
  { route: 'routes/players.$id.edit', method: 'GET', url: (f) => `/players/${f.playerOwn}/edit`, answers: 'login 403 403 200 404 403 200 login' },
  { route: 'routes/players.$id.edit', method: 'GET', url: (f) => `/players/${f.playerElsewhere}/edit`, answers: 'login 403 403 404 404 403 200 login', note: "another outlet's player" },
  { route: 'routes/players.$id.edit', method: 'POST', url: (f) => `/players/${f.playerOwn}/edit`, answers: 'login 403 403 400 400 403 400 login', note: 'an empty form is refused before the record is looked up' },
  { route: 'routes/players.$id.visit', method: 'GET', url: (f) => `/players/${f.playerOwn}/visit`, answers: 'login 200 404 200 404 403 403 login' },
  { route: 'routes/players.$id.visit', method: 'GET', url: (f) => `/players/${f.playerElsewhere}/visit`, answers: 'login 404 200 404 404 403 403 login', note: "another outlet's player" },
  { route: 'routes/players.$id.visit', method: 'POST', url: (f) => `/players/${f.playerOwn}/visit`, answers: 'login 400 400 400 400 403 403 login', note: 'an empty form is refused before the record is looked up' },

  { route: 'routes/visits._index', method: 'GET', url: () => '/visits', answers: 'login 200 200 200 200 200 200 login' },
  { route: 'routes/visits._index', method: 'POST', url: () => '/visits?index', answers: 'login 403 403 400 400 403 400 login', note: 'accepting a far reason: managers and admins; an empty form is refused' },
  { route: 'routes/visits.$id', method: 'GET', url: (f) => `/visits/${f.visitOwn}`, answers: 'login 200 404 200 404 200 200 login' },
  { route: 'routes/visits.$id', method: 'GET', url: (f) => `/visits/${f.visitElsewhere}`, answers: 'login 404 200 404 404 200 200 login', note: "another outlet's visit" },
  { route: 'routes/players.$id.consent', method: 'GET', url: (f) => `/players/${f.playerOwn}/consent`, answers: 'login 200 404 200 404 200 200 login' },
  { route: 'routes/players.$id.consent', method: 'GET', url: (f) => `/players/${f.playerElsewhere}/consent`, answers: 'login 404 200 404 404 200 200 login', note: "another outlet's player" },
  { route: 'routes/players.$id.consent', method: 'POST', url: (f) => `/players/${f.playerOwn}/consent`, answers: 'login 400 400 400 400 403 403 login', note: 'an empty form is refused before the player is looked up' },
  { route: 'routes/consents.$id.form', method: 'GET', url: (f) => `/consents/${f.consentOwn}/form`, answers: 'login 200 404 200 404 200 200 login' },
  { route: 'routes/consents.$id.form', method: 'GET', url: (f) => `/consents/${f.consentElsewhere}/form`, answers: 'login 404 200 404 404 200 200 login', note: "another outlet's player's consent" },
  { route: 'routes/admin.consent-text', method: 'GET', url: () => '/admin/consent-text', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.consent-text', method: 'POST', url: () => '/admin/consent-text', answers: 'login 403 403 403 403 403 400 login' },
  { route: 'routes/visits_.$id.photos.$photoId', method: 'GET', url: (f) => `/visits/${f.visitOwn}/photos/${f.photoOwn}`, answers: 'login 200 404 200 404 200 200 login' },
  { route: 'routes/visits_.$id.photos.$photoId', method: 'GET', url: (f) => `/visits/${f.visitElsewhere}/photos/${f.photoElsewhere}`, answers: 'login 404 200 404 404 200 200 login', note: "another outlet's visit's photo" },
  { route: 'routes/visits.$id', method: 'POST', url: (f) => `/visits/${f.visitOwn}`, answers: 'login 403 403 403 403 403 403 login', note: 'only its author, and only while it may still be edited (this one is old)' },
  { route: 'routes/my', method: 'GET', url: () => '/my', answers: 'login 200 200 200 200 403 403 login' },
  { route: 'routes/my_.route', method: 'GET', url: () => '/my/route', answers: 'login 200 200 200 200 403 403 login', note: "the day's route: those who log visits" },
  { route: 'routes/imports.$id.feedback[.]xlsx', method: 'GET', url: (f) => `/imports/${f.importOwn}/feedback.xlsx`, answers: 'login 403 403 404 404 403 404 login', note: 'an own list has no feedback file' },
  { route: 'routes/clocks._index', method: 'GET', url: () => '/clocks', answers: 'login 200 200 200 200 200 200 login', note: 'each sees the clocks of their scope' },
  { route: 'routes/clocks.ranking', method: 'GET', url: () => '/clocks/ranking', answers: 'login 403 403 200 200 200 200 login' },
  { route: 'routes/admin.calendar', method: 'GET', url: () => '/admin/calendar', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.calendar', method: 'POST', url: () => '/admin/calendar', answers: 'login 403 403 403 403 403 400 login' },
  { route: 'routes/admin.visit-rules', method: 'GET', url: () => '/admin/visit-rules', answers: 'login 403 403 403 403 403 200 login' },
  { route: 'routes/admin.visit-rules', method: 'POST', url: () => '/admin/visit-rules', answers: 'login 403 403 403 403 403 400 login' },
  { route: 'routes/map', method: 'GET', url: () => '/map', answers: 'login 200 200 200 200 200 200 login' },
  { route: 'routes/territories._index', method: 'GET', url: () => '/territories', answers: 'login 200 200 200 200 200 200 login' },
  { route: 'routes/territories._index', method: 'POST', url: () => '/territories', answers: 'login 403 403 400 400 403 400 login' },
  { route: 'routes/territories.shape-count', method: 'POST', url: () => '/territories/shape-count', answers: 'login 403 403 400 400 403 400 login', note: 'a drawn shape counted before saving (territory-previews.test.ts covers scope)' },

  { route: 'routes/referrals._index', method: 'GET', url: () => '/referrals', answers: 'login 200 200 200 200 200 200 login' },
  { route: 'routes/referrals.$id', method: 'GET', url: (f) => `/referrals/${f.referralOwn}`, answers: 'login 200 404 200 404 200 200 login' },
  { route: 'routes/referrals.$id', method: 'GET', url: (f) => `/referrals/${f.referralElsewhere}`, answers: 'login 404 200 404 404 200 200 login', note: "another outlet's referral" },

  { route: 'routes/imports._index', method: 'GET', url: () => '/imports', answers: 'login 403 403 200 200 403 200 login' },
  { route: 'routes/imports.template[.]csv', method: 'GET', url: () => '/imports/template.csv', answers: 'login 403 403 200 200 403 200 login' },
  { route: 'routes/imports._index', method: 'POST', url: () => '/imports', answers: 'login 403 403 400 400 403 400 login' },
  { route: 'routes/imports.$id._index', method: 'GET', url: (f) => `/imports/${f.importOwn}`, answers: 'login 403 403 200 404 403 200 login' },
  { route: 'routes/imports.$id._index', method: 'GET', url: (f) => `/imports/${f.importElsewhere}`, answers: 'login 403 403 404 404 403 200 login', note: "another outlet's import" },
  { route: 'routes/imports.$id._index', method: 'POST', url: (f) => `/imports/${f.importOwn}`, answers: 'login 403 403 409 404 403 409 login', note: 'a failed import takes no step' },
  { route: 'routes/imports.history', method: 'GET', url: () => '/imports/history', answers: 'login 403 403 200 200 403 200 login' },
  { route: 'routes/imports.history', method: 'POST', url: () => '/imports/history', answers: 'login 403 403 400 400 403 400 login', note: 'no file, no intent' },
  { route: 'routes/imports.$id.rejected[.]csv', method: 'GET', url: (f) => `/imports/${f.importOwn}/rejected.csv`, answers: 'login 403 403 200 404 403 200 login' },
  { route: 'routes/imports.$id.rejected[.]csv', method: 'GET', url: (f) => `/imports/${f.importElsewhere}/rejected.csv`, answers: 'login 403 403 404 404 403 200 login', note: "another outlet's import" },

  { route: 'routes/dashboard', method: 'GET', url: () => '/dashboard?period=year', answers: 'login 403 403 200 200 200 200 login' },
  { route: 'routes/dashboard', method: 'GET', url: (f) => `/dashboard?period=year&scope=${f.outletCode}`, answers: 'login 403 403 200 404 200 200 login', note: 'an outlet by its code' },
  { route: 'routes/dashboard', method: 'POST', url: () => '/dashboard?period=year', answers: 'login 403 403 403 403 400 400 login' },
  { route: 'routes/dashboard_.players', method: 'GET', url: () => '/dashboard/players?period=year&figure=listed', answers: 'login 403 403 200 200 200 200 login' },
  { route: 'routes/dashboard_.export', method: 'GET', url: () => '/dashboard/export?period=year&format=csv', answers: 'login 403 403 200 200 200 200 login' },
  { route: 'routes/dashboard_.export', method: 'POST', url: () => '/dashboard/export?period=year&format=csv', form: { unmask: '1' }, answers: 'login 403 403 200 200 200 200 login', note: 'unmasked where the caller may unmask' },

  { route: 'routes/loan-qr._index', method: 'GET', url: () => '/loan-qr', answers: 'login 200 200 200 200 403 200 login', note: 'an officer sees their own code' },
  { route: 'routes/loan-qr._index', method: 'POST', url: () => '/loan-qr', answers: 'login 403 403 400 400 403 400 login' },
  { route: 'routes/loan-qr.$id.poster', method: 'GET', url: (f) => `/loan-qr/${f.loanQrOwn.id}/poster`, answers: 'login 200 404 200 404 404 200 login' },
  { route: 'routes/q.$token', method: 'GET', url: (f) => `/q/${f.loanQrOwn.token}`, answers: '200 200 200 200 200 200 200 200', note: 'public: no account' },
  { route: 'routes/q.$token', method: 'GET', url: () => '/q/AAAAAAAAAAAAAAAAAAAAAAAA', answers: '404 404 404 404 404 404 404 404', note: 'no such code' },
  { route: 'routes/q.$token', method: 'POST', url: (f) => `/q/${f.loanQrOwn.token}`, answers: '400 400 400 400 400 400 400 400', note: 'no proof of work' },

  { route: 'routes/dashboard_.loans', method: 'GET', url: () => '/dashboard/loans?period=year&figure=disbursed', answers: 'login 403 403 200 200 200 200 login' },
  { route: 'routes/dashboard_.loans_.export', method: 'GET', url: () => '/dashboard/loans/export?period=year&format=csv', answers: 'login 403 403 200 200 200 200 login' },
  { route: 'routes/dashboard_.loans_.export', method: 'POST', url: () => '/dashboard/loans/export?period=year&format=csv', form: { unmask: '1' }, answers: 'login 403 403 200 200 200 200 login', note: 'unmasked where the caller may unmask' },

  { route: 'routes/api.v1.coverage', method: 'GET', url: () => '/api/v1/coverage', answers: '401 200 200 200 200 200 200 401' },
  { route: 'routes/api.v1.map', method: 'GET', url: () => '/api/v1/map?bbox=114,33,115,34&zoom=10', answers: '401 200 200 200 200 200 200 401' },
  { route: 'routes/api.v1.townships', method: 'GET', url: () => '/api/v1/townships', answers: '401 200 200 200 200 200 200 401' },
  { route: 'routes/api.v1.figures', method: 'GET', url: () => '/api/v1/figures?from=2026-01-01&to=2026-03-31', answers: '401 403 403 200 200 200 200 401' },
  { route: 'routes/api.v1.figures', method: 'GET', url: (f) => `/api/v1/figures?scope=${f.outletCode}&from=2026-01-01&to=2026-03-31`, answers: '401 403 403 200 404 200 200 401', note: 'an outlet by its code' },
  { route: 'routes/api.v1.consents.$id', method: 'GET', url: (f) => `/api/v1/consents/${f.consentOwn}`, answers: '401 401 401 401 401 401 401 404', note: 'the loan system token; a consent no referral carried is 404 (consents.test.ts covers the fetch)' },
  { route: 'routes/api.v1.consents.$id', method: 'POST', url: (f) => `/api/v1/consents/${f.consentOwn}`, body: { json: {} }, answers: '405 405 405 405 405 405 405 405' },
  { route: 'routes/api.v1.consents._index', method: 'GET', url: () => '/api/v1/consents', answers: '405 405 405 405 405 405 405 405' },
  { route: 'routes/api.v1.consents._index', method: 'POST', url: () => '/api/v1/consents', body: { json: {} }, answers: '401 400 400 400 400 403 403 401', note: 'a consent signed offline: a session of someone who logs visits; the loan system token is none (consents-signed-offline.test.ts covers scope)' },
  { route: 'routes/api.v1.platform-feedback', method: 'GET', url: () => '/api/v1/platform-feedback?since=2026-01-01T00:00:00Z', answers: '401 401 401 401 401 401 401 401', note: 'only a platform feedback token; a session or the loan system token is none' },
  { route: 'routes/api.v1.visits.$id.photos.$photoId', method: 'GET', url: (f) => `/api/v1/visits/${f.visitOwn}/photos/${f.photoOwn}`, answers: '405 405 405 405 405 405 405 405', note: 'photos are PUT (visit-photos.test.ts covers who may)' },
  { route: 'routes/api.v1.visits.$id.photos.$photoId', method: 'POST', url: (f) => `/api/v1/visits/${f.visitOwn}/photos/${f.photoOwn}`, body: { json: {} }, answers: '405 405 405 405 405 405 405 405', note: 'photos are PUT' },
  { route: 'routes/api.v1.visits', method: 'GET', url: () => '/api/v1/visits', answers: '405 405 405 405 405 405 405 405' },
  { route: 'routes/api.v1.visits', method: 'POST', url: () => '/api/v1/visits', body: { json: {} }, answers: '401 400 400 400 400 403 403 401' },
  { route: 'routes/api.v1.players', method: 'GET', url: (f) => `/api/v1/players?uscc=${f.usccOwn}`, answers: '401 200 404 200 404 200 200 401', note: 'out of scope is not there' },
  { route: 'routes/api.v1.players', method: 'GET', url: () => '/api/v1/players?uscc=91110000600037341N', answers: '401 400 400 400 400 400 400 401', note: 'a USCC failing its check' },
  { route: 'routes/api.v1.referrals._index', method: 'GET', url: () => '/api/v1/referrals', answers: '405 405 405 405 405 405 405 405' },
  { route: 'routes/api.v1.referrals._index', method: 'POST', url: () => '/api/v1/referrals', body: { json: {} }, answers: '401 400 400 400 400 403 403 401', note: 'only those who hand off; the loan system token is no integration token' },
  { route: 'routes/api.v1.referrals.$id.events', method: 'GET', url: (f) => `/api/v1/referrals/${f.referralOwn}/events`, answers: '405 405 405 405 405 405 405 405' },
  { route: 'routes/api.v1.referrals.$id.events', method: 'POST', url: (f) => `/api/v1/referrals/${f.referralOwn}/events`, body: { json: {} }, answers: '401 401 401 401 401 401 401 400' },
  { route: 'routes/api.v1.referrals.$id.events', method: 'POST', url: () => '/api/v1/referrals/999999/events', body: { json: { stage: 'accepted', at: '2026-03-02T09:00:00+08:00' } }, answers: '401 401 401 401 401 401 401 404', note: 'no such referral' },

  { route: 'routes/logout', method: 'GET', url: () => '/logout', answers: '302 302 302 302 302 302 302 302' },
  { route: 'routes/logout', method: 'POST', url: () => '/logout', answers: 'login login login login login login login login', signsOut: true },
]

/** Routes that answer nothing of their own (a layout, the root) need no row. */
function routesToCover(build: ServerBuild): { route: string; method: 'GET' | 'POST' }[] {
  return Object.values(build.routes).flatMap((r) => {
    if (r.id === 'root') return []
    const out: { route: string; method: 'GET' | 'POST' }[] = []
    if (r.module.loader) out.push({ route: r.id, method: 'GET' })
    if (r.module.action) out.push({ route: r.id, method: 'POST' })
    return out
  })
}

let t: TestDatabase
let server: TestServer
let fixtures: Fixtures
const clients = new Map<Caller, Client>()
let token = ''

beforeAll(async () => {
  // Half the county the figures files share: every route is asked by eight callers, and on a
  // busy machine the pages of 3,000 players outgrew the test's hang guard on PostgreSQL.
  t = await createSeededTestDatabase({ ...SEEDED_COUNTY, players: 1500 })
  // Another branch, with a manager of its own and nothing else.
  const hq = await t.db.selectFrom('org_units').select('id').where('kind', '=', 'hq').executeTakeFirstOrThrow()
  const branch = await createOrgUnit(t.db, SYSTEM_ACTOR, { code: 'OTHER', name: '另一分行', kind: 'branch', parentId: hq.id })
  await createUser(t.db, SYSTEM_ACTOR, { username: 'manager.other', name: '另一分行行长', role: 'manager', orgUnitId: branch.id, password: DEMO_PASSWORD })
  token = (await createApiToken(t.db, { actor: SYSTEM_ACTOR }, { name: 'loan system', purpose: 'loan_events' })).token

  const userOf = (username: string) => t.db.selectFrom('users').select(['id', 'org_unit_id']).where('username', '=', username).executeTakeFirstOrThrow()
  const manager = await userOf('manager')
  // An officer of the manager's outlet and one of another outlet, each with a player, a
  // visit and a referral of their own (the seed gives some officers none of the last).
  const officerWithAll = (sameOutlet: boolean) =>
    t.db
      .selectFrom('users')
      .select(['id', 'username', 'org_unit_id'])
      .where('role', '=', 'officer')
      .where('org_unit_id', sameOutlet ? '=' : '<>', manager.org_unit_id)
      .where((eb) => eb.exists(eb.selectFrom('visits').select('visits.id').whereRef('visits.officer_id', '=', 'users.id')))
      .where((eb) =>
        eb.exists(eb.selectFrom('referrals').innerJoin('market_players', 'market_players.id', 'referrals.player_id').select('referrals.id').whereRef('market_players.assigned_officer_id', '=', 'users.id')),
      )
      .orderBy('id')
      .executeTakeFirstOrThrow()
  const officer = await officerWithAll(true)
  const other = await officerWithAll(false)
  const playerOf = (officerId: number) => t.db.selectFrom('market_players').select('id').where('assigned_officer_id', '=', officerId).orderBy('id').executeTakeFirstOrThrow()
  const visitOf = (officerId: number) => t.db.selectFrom('visits').select('id').where('officer_id', '=', officerId).orderBy('id').executeTakeFirstOrThrow()
  const referralOf = (officerId: number) =>
    t.db.selectFrom('referrals').innerJoin('market_players', 'market_players.id', 'referrals.player_id').select('referrals.id').where('market_players.assigned_officer_id', '=', officerId).orderBy('referrals.id').executeTakeFirstOrThrow()
  const importAt = async (orgUnitId: number) =>
    (
      await t.db
        .insertInto('import_jobs')
        .values({ source: 'access matrix', file_name: 'list.csv', file_path: '/nonexistent/list.csv', file_bytes: 10, format: 'csv', encoding: 'utf-8', org_unit_id: orgUnitId, created_by: manager.id, created_at: new Date().toISOString(), status: 'failed', headers: null, mapping: null, expected_rows: null, error: JSON.stringify({ key: 'error.server' }), claimed_by: null, heartbeat_at: null, started_at: null, finished_at: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  const storage = createStorage(testConfig().storage)
  const photoOf = async (officerId: number, username: string, visitId: string) =>
    (await addVisitPhoto(t.db, { actor: { id: officerId, username, ip: null }, scope: { kind: 'all' } }, storage, { visitId, photoId: `matrix-${visitId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64), bytes: fixturePhoto('jpeg') })).photo.id
  const outlet = await t.db.selectFrom('org_units').select('code').where('id', '=', officer.org_unit_id).executeTakeFirstOrThrow()
  const text = await t.db.selectFrom('consent_texts').select('version').orderBy('version', 'desc').executeTakeFirstOrThrow()
  const consentOf = async (officerId: number, username: string, playerId: number) =>
    (
      await signConsent(t.db, { actor: { id: officerId, username, ip: null }, scope: { kind: 'all' } }, { storage, fontFile: testConfig().consentFontFile }, {
        consentId: `matrix-${playerId}`, playerId, textVersion: text.version, signerName: '王五', signerRole: 'owner', signaturePng: signaturePng(), strokes: penStrokes(), lat: null, lng: null, accuracyM: null,
      })
    ).consent.id
  fixtures = {
    playerOwn: (await playerOf(officer.id)).id,
    playerElsewhere: (await playerOf(other.id)).id,
    visitOwn: (await visitOf(officer.id)).id,
    visitElsewhere: (await visitOf(other.id)).id,
    photoOwn: await photoOf(officer.id, officer.username, (await visitOf(officer.id)).id),
    photoElsewhere: await photoOf(other.id, other.username, (await visitOf(other.id)).id),
    consentOwn: await consentOf(officer.id, officer.username, (await playerOf(officer.id)).id),
    consentElsewhere: await consentOf(other.id, other.username, (await playerOf(other.id)).id),
    referralOwn: (await referralOf(officer.id)).id,
    referralElsewhere: (await referralOf(other.id)).id,
    importOwn: await importAt(officer.org_unit_id),
    importElsewhere: await importAt(other.org_unit_id),
    user: officer.id,
    outletCode: outlet.code,
    usccOwn: (
      await t.db.selectFrom('market_players').select('uscc').where('assigned_officer_id', '=', officer.id).where('uscc', 'is not', null).orderBy('id').executeTakeFirstOrThrow()
    ).uscc!,
    loanQrOwn: await issueLoanQrCode(t.db, SYSTEM_ACTOR, { kind: 'all' }, { orgUnitId: null, officerId: officer.id }),
  }
  server = await startTestServer(t)
  const usernames: Partial<Record<Caller, string>> = { officer: officer.username, otherOfficer: other.username, manager: 'manager', otherManager: 'manager.other', hq: 'hq', admin: 'admin' }
  for (const caller of CALLERS) {
    const client = new Client(server.url)
    const username = usernames[caller]
    if (username) expect((await client.signIn(username, DEMO_PASSWORD)).status, `${caller} signs in`).toBe(302)
    clients.set(caller, client)
  }
}, 300_000)

afterAll(async () => {
  await server?.close()
  await t?.destroy()
})

async function ask(caller: Caller, row: Row): Promise<Answer | string> {
  const headers: Record<string, string> = caller === 'token' ? { Authorization: `Bearer ${token}` } : {}
  const init: RequestInit = { method: row.method, headers }
  if (row.method === 'POST') {
    if (row.body) {
      headers['Content-Type'] = 'application/json'
      init.body = JSON.stringify(row.body.json)
    } else init.body = new URLSearchParams(row.form ?? {})
  }
  const response = await clients.get(caller)!.request(row.url(fixtures), init)
  await response.arrayBuffer()
  if (response.status === 302) return /^\/login(\?|$)/.test(response.headers.get('Location') ?? '') ? 'login' : '302'
  return String(response.status)
}

describe('the access matrix', () => {
  it('has a row for every loader and action of the built app, and none for a route that is gone', async () => {
    const build = await loadBuild()
    const covered = new Set(MATRIX.map((r) => `${r.method} ${r.route}`))
    const needed = routesToCover(build).map((r) => `${r.method} ${r.route}`)
    expect(needed.filter((k) => !covered.has(k)), 'routes with no row in the access matrix').toEqual([])
    expect([...covered].filter((k) => !needed.includes(k)), 'rows for routes the app does not have').toEqual([])
    for (const row of MATRIX) expect(row.answers.split(' '), `${row.method} ${row.route}: one answer per caller`).toHaveLength(CALLERS.length)
  })

  // Rows that sign out go last, or they would sign the callers out of the rest. The rows are
  // asked a slice per test, in order: each slice has the hang guard to itself, so a machine
  // many times slower than a quiet one (busy CI runs at load 20-40 took over 300 s for the
  // whole matrix on PostgreSQL) still answers every row.
  const ordered = [...MATRIX.filter((r) => !r.signsOut), ...MATRIX.filter((r) => r.signsOut)]
  const SLICE = 16
  for (let from = 0; from < ordered.length; from += SLICE) {
    const slice = ordered.slice(from, from + SLICE)
    it(`gives each caller the answer the matrix says, route by route: rows ${from + 1}–${from + slice.length} (${slice[0].route} … ${slice.at(-1)!.route})`, async () => {
      const wrong: string[] = []
      for (const row of slice) {
        const expected = row.answers.split(' ')
        for (const [i, caller] of CALLERS.entries()) {
          const got = await ask(caller, row)
          if (got !== expected[i]) wrong.push(`${row.method} ${row.url(fixtures)} (${row.route}${row.note ? `, ${row.note}` : ''}) as ${caller}: expected ${expected[i]}, got ${got}`)
        }
      }
      expect(wrong).toEqual([])
    })
  }
})
