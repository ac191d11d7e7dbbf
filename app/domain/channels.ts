// PRODUCT.md, "Channels and clocks": how a player (and its referrals) came to the bank.
// The clocks each channel carries are counted elsewhere (one clock engine); this is the list.
export const CHANNELS = ['working_group', 'loan_qr', 'credit_platform', 'own_list'] as const
export type Channel = (typeof CHANNELS)[number]

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value)
}
