/** Compile-time checks of the account types (run by `tsc --noEmit` in `npm test`). */
import { deriveAccount, deriveAccounts } from 'coffer/keys'

const seed = new Uint8Array(32)
export const xpub: string = deriveAccounts(seed, { chain: 'bitcoin', count: 1 })[0]!.accountXpub
export const chain: 'evm' = deriveAccounts(seed, { chain: 'evm', count: 1 })[0]!.chain
export const taproot: string = deriveAccount(seed, { chain: 'bitcoin', addressType: 'p2tr' }).accountXpub
// @ts-expect-error an EVM account has no account xpub
export const none = deriveAccount(seed, { chain: 'evm' }).accountXpub
// @ts-expect-error addressType is bitcoin-only
deriveAccount(seed, { chain: 'evm', addressType: 'p2tr' })
// @ts-expect-error deriveAccounts takes start/count, not index
deriveAccounts(seed, { chain: 'evm', index: 1 })
