/**
 * How the CLI configures each chain family's chains (`FamilyCliConfig`: config entries, `--rpc`
 * URLs, `build-tx` options, and making the adapter). The built-in families' configs live here,
 * in the CLI, not on their descriptors: a descriptor is reached by every app through the
 * wallet and the portfolio, and its CLI part loads the family's adapter, so a one-file browser
 * bundle of `coffer` would carry every adapter. A family registered by an app may still carry
 * its own `cli` on its descriptor; that one wins.
 * @module
 * @internal
 */
import type { ChainFamily, FamilyCliConfig } from '../chains/family.js'
import { bitcoinCliConfig } from '../chains/bitcoin/cli-config.js'
import { evmCliConfig } from '../chains/evm/cli-config.js'
import { solanaCliConfig } from '../chains/solana/cli-config.js'
import { tronCliConfig } from '../chains/tron/cli-config.js'
import { bitcoinFamily } from '../chains/bitcoin/family.js'
import { evmFamily } from '../chains/evm/family.js'
import { solanaFamily } from '../chains/solana/family.js'
import { tronFamily } from '../chains/tron/family.js'

const BUILT_IN = new Map<ChainFamily, FamilyCliConfig>([
  [evmFamily, evmCliConfig],
  [bitcoinFamily, bitcoinCliConfig],
  [solanaFamily, solanaCliConfig],
  [tronFamily, tronCliConfig],
])

/** The CLI configuration of `family`: its own `cli`, else the built-in one; undefined when the CLI cannot configure it. */
export function cliConfigOf(family: ChainFamily | undefined): FamilyCliConfig | undefined {
  return family ? (family.cli ?? BUILT_IN.get(family)) : undefined
}
