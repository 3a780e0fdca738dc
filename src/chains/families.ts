/**
 * The chain families coffer ships: one line each. A new family is its folder under `chains/`
 * plus its descriptor here (or, outside this repository, `registerChainFamily(descriptor)`).
 * @module
 * @internal
 */
import type { ChainFamily } from './family.js'
import { bitcoinFamily } from './bitcoin/family.js'
import { evmFamily } from './evm/family.js'
import { solanaFamily } from './solana/family.js'
import { tronFamily } from './tron/family.js'

/** Registered when the family registry is first used, in this order. */
export const BUILT_IN_FAMILIES: readonly ChainFamily[] = [evmFamily, bitcoinFamily, solanaFamily, tronFamily]
