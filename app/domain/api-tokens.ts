// What a machine's token is for: the loan system reporting stages back, the bank's BI
// tools reading the figures, or a bank's tool handing cases off and looking players up as
// one user (an integration). One purpose each (services/api-tokens/).
export const TOKEN_PURPOSES = ['loan_events', 'figures_read', 'integration'] as const
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number]
