// Frozen in time. The owner's consent to query the credit report (征信查询授权, issue 24):
// the authorisation text an admin keeps, one row per version (a save is a new version; old
// ones are never changed), and each consent signed on an officer's phone. The signature image
// and the signed form live in the storage module under their keys; `sha256` is the hash over
// everything the consent says (app/domain/consent.ts). A consent is withdrawn by recording
// it, never deleted. A referral keeps the consent its hand-off carried.
import type { Kysely } from 'kysely'

const FIRST_TEXT = [
  '征信查询授权书',
  '',
  '本人（本单位）不可撤销地授权贵行在办理以下业务时，通过中国人民银行征信中心金融信用信息基础数据库及其他依法设立的征信机构，查询、打印、保存本人（本单位）及本单位法定代表人的信用报告：',
  '一、审核贷款、贷记卡、担保等授信业务申请；',
  '二、对已发放的授信业务进行贷后管理；',
  '三、审核本人（本单位）作为担保人的业务。',
  '本人（本单位）已阅读并理解上述内容，知悉查询结果可能对本人（本单位）产生的影响。本授权自签署之日起生效，有效期届满或本人书面撤回前持续有效。',
].join('\n')

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('consent_texts')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    // Days a consent signed on this version counts for (the bank's setting, kept with the text it goes with).
    .addColumn('valid_days', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.insertInto('consent_texts').values({ version: 1, body: FIRST_TEXT, valid_days: 90, created_by: null, created_at: '2026-12-03T00:00:00.000Z' }).execute()

  await db.schema
    .createTable('consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('player_id', 'integer', (c) => c.notNull().references('market_players.id'))
    .addColumn('text_version', 'integer', (c) => c.notNull().references('consent_texts.version'))
    .addColumn('signer_name', 'text', (c) => c.notNull())
    .addColumn('signer_role', 'text', (c) => c.notNull())
    .addColumn('signature_key', 'text', (c) => c.notNull().unique())
    .addColumn('signature_sha256', 'text', (c) => c.notNull())
    .addColumn('form_key', 'text', (c) => c.notNull().unique())
    .addColumn('form_content_type', 'text', (c) => c.notNull())
    .addColumn('form_sha256', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision')
    .addColumn('lng', 'double precision')
    .addColumn('accuracy_m', 'double precision')
    .addColumn('officer_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text')
    .addColumn('withdrawn_by', 'integer', (c) => c.references('users.id'))
    .addColumn('withdrawn_reason', 'text')
    .execute()
  await db.schema.createIndex('consents_player').on('consents').columns(['player_id', 'signed_at']).execute()
  await db.schema.alterTable('referrals').addColumn('consent_id', 'text', (c) => c.references('consents.id')).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('referrals').dropColumn('consent_id').execute()
  await db.schema.dropTable('consents').execute()
  await db.schema.dropTable('consent_texts').execute()
}
