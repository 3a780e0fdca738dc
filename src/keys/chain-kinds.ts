/**
 * The chain families coffer derives keys for, in a module of their own so that code naming
 * them (option checks, the vault's signer dispatch) does not pull in the derivation code.
 * @module
 */

/** The chain families coffer derives keys for. */
export type ChainKind = 'evm' | 'bitcoin' | 'solana' | 'tron'
/** Every {@link ChainKind}. */
export const CHAIN_KINDS: readonly ChainKind[] = ['evm', 'bitcoin', 'solana', 'tron']
