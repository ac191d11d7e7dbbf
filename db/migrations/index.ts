// Every migration, in order. Listed by hand (not read from the folder) so the same list
// works under tsx, in the Remix server bundle and in tests.
import type { Migration } from 'kysely'
import * as m0001 from './0001-foundation'
import * as m0002 from './0002-market-players'
import * as m0003 from './0003-territories'
import * as m0004 from './0004-map-cells'
import * as m0005 from './0005-visits'
import * as m0006 from './0006-referrals'
import * as m0007 from './0007-qualification'
import * as m0008 from './0008-figures'
import * as m0009 from './0009-audit-append-only'
import * as m0010 from './0010-map-cells-generations'
import * as m0011 from './0011-going-live-setup'
import * as m0012 from './0012-divisions'
import * as m0013 from './0013-history'
import * as m0014 from './0014-import-lists'
import * as m0016 from './0016-campaign-clocks'
import * as m0017 from './0017-channels'
import * as m0018 from './0018-working-calendar-clocks'
import * as m0019 from './0019-loan-qr'
import * as m0020 from './0020-clock-sums'
import * as m0021 from './0021-visit-photos'
import * as m0022 from './0022-consents'
import * as m0023 from './0023-valid-visits'
import * as m0024 from './0024-escalations-platform-feedback'
import * as m0026 from './0026-referral-acceptance-escalates'
import * as m0027 from './0027-consents-signed-offline'
import * as m0028 from './0028-visit-photo-thumbnails'
import * as m0029 from './0029-queue-writes-lock-their-entry'
import * as m0030 from './0030-clock-marks-lock-their-group'

export const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-market-players': m0002,
  '0003-territories': m0003,
  '0004-map-cells': m0004,
  '0005-visits': m0005,
  '0006-referrals': m0006,
  '0007-qualification': m0007,
  '0008-figures': m0008,
  '0009-audit-append-only': m0009,
  '0010-map-cells-generations': m0010,
  '0011-going-live-setup': m0011,
  '0012-divisions': m0012,
  '0013-history': m0013,
  '0014-import-lists': m0014,
  '0016-campaign-clocks': m0016,
  '0017-channels': m0017,
  '0018-working-calendar-clocks': m0018,
  '0019-loan-qr': m0019,
  '0020-clock-sums': m0020,
  '0021-visit-photos': m0021,
  '0022-consents': m0022,
  '0023-valid-visits': m0023,
  '0024-escalations-platform-feedback': m0024,
  '0026-referral-acceptance-escalates': m0026,
  '0027-consents-signed-offline': m0027,
  '0028-visit-photo-thumbnails': m0028,
  '0029-queue-writes-lock-their-entry': m0029,
  '0030-clock-marks-lock-their-group': m0030,
}
