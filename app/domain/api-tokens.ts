// What a machine's token is for: the loan system reporting stages back, or the bank's BI
// tools reading the figures. One purpose each (services/api-tokens.server.ts).
export const TOKEN_PURPOSES = ['loan_events', 'figures_read'] as const
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number]
