/**
 * The Solana family descriptor: `solana` chains (mainnet-beta, devnet, testnet, and any cluster
 * by genesis hash), one address per account (ed25519 at `m/44'/501'/<index>'/0'`, the path
 * Phantom and Solflare use), base58 addresses, Solana Pay URIs.
 * @module
 */
import { parseAssetId, type AssetId, type ChainId } from '../../core/caip.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { isValidSolanaAddress } from '../../keys/address/solana.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import type { ChainFamily, FamilyNetwork } from '../family.js'
import { SOLANA_CHAIN_ID, SOLANA_CLUSTERS, solAssetId, solanaClusterOf } from './networks.js'
import { solanaPayScheme } from './payment-uri.js'
import { SOLANA_TOKENS } from './registry.js'

const NETWORKS: readonly FamilyNetwork[] = Object.freeze(
  Object.values(SOLANA_CLUSTERS).map((c) => Object.freeze({ chainId: c.chainId, name: c.name, testnet: c.testnet })),
)

function addressSigner(signer: Signer | AccountSigner): Signer {
  if ('kind' in signer || signer.chain !== 'solana') throw new InvalidArgumentError('A Solana account needs a Solana ed25519 signer.')
  return signer
}

/** Solana chains (`solana:<genesis hash prefix>`). */
export const solanaFamily: ChainFamily = Object.freeze({
  kind: 'solana',
  namespaces: Object.freeze(['solana']),
  title: 'Solana',
  networks: NETWORKS,
  supports: (chainId: ChainId) => typeof chainId === 'string' && SOLANA_CHAIN_ID.test(chainId),
  isValidAddress: (chainId: ChainId, address: string) =>
    typeof chainId === 'string' && SOLANA_CHAIN_ID.test(chainId) && isValidSolanaAddress(address),
  accountOptions(options: { readonly [option: string]: unknown }) {
    const extra = Object.keys(options).find((k) => options[k] !== undefined)
    if (extra !== undefined) throw new InvalidArgumentError(`${extra} does not apply to Solana accounts.`)
    return {}
  },
  /** Mainnet SOL is priced as SOL, the registry's mainnet mints by their family (USDC, USDT, PYUSD). */
  knownFamily(asset: AssetId): string | undefined {
    const parts = parseAssetId(asset)
    if (solanaClusterOf(parts.chainId)?.name !== 'mainnet-beta' || parts.tokenId !== undefined) return undefined
    if (parts.assetNamespace === 'slip44' && parts.assetReference === '501') return 'SOL'
    if (parts.assetNamespace !== 'token') return undefined
    return SOLANA_TOKENS.find((t) => t.cluster === 'mainnet-beta' && t.mint === parts.assetReference)?.family
  },
  signer: (keys, _chainId, account) => keys.getSigner({ secretId: account.secretId, chain: 'solana', index: account.index }),
  accountKeys: (_chainId: ChainId, signer: Signer | AccountSigner) => ({ address: addressSigner(signer).address }),
  nativeAsset: (chainId: ChainId): AssetId => solAssetId(chainId),
  paymentSchemes: Object.freeze([solanaPayScheme]),
} satisfies ChainFamily)
