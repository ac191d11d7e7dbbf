// What a machine's token is for: the loan system reporting stages back, the bank's BI
// tools reading the figures, or a bank's tool handing cases off and looking players up as
// one user (an integration), or a credit platform polling the bank's decisions on its
// applications (platform feedback). One purpose each (services/api-tokens/).
export const TOKEN_PURPOSES = ['loan_events', 'figures_read', 'integration', 'platform_feedback'] as const
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number]
