/**
 * The TRON family descriptor: `tron` chains (mainnet, Nile, Shasta, and any chain by its
 * genesis block), one address per account (secp256k1 at `m/44'/195'/<account>'/0/<index>` —
 * coffer's accounts are `m/44'/195'/0'/0/<index>`, the path TronLink and TronWeb use), base58check
 * `T…` addresses, `tron:` payment URIs.
 * @module
 */
import { parseAssetId, type AssetId, type ChainId } from '../../core/caip.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { isValidTronAddress } from '../../keys/address/tron.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import type { ChainFamily, FamilyNetwork } from '../family.js'
import { TRON_CHAIN_ID, TRON_NETWORKS, trxAssetId, tronNetworkOf } from './networks.js'
import { tronScheme } from './payment-uri.js'
import { TRON_TOKENS } from './registry.js'

/** `mainnet` is Bitcoin's network name too: TRON's main network is named `tron` (the family) or `tron-mainnet`. */
const NETWORKS: readonly FamilyNetwork[] = Object.freeze(
  Object.values(TRON_NETWORKS).map((n) =>
    Object.freeze({ chainId: n.chainId, name: n.name === 'mainnet' ? 'tron-mainnet' : n.name, testnet: n.testnet }),
  ),
)

const isTronChain = (chainId: ChainId) => typeof chainId === 'string' && TRON_CHAIN_ID.test(chainId)

function addressSigner(signer: Signer | AccountSigner): Signer {
  if ('kind' in signer || signer.chain !== 'tron') throw new InvalidArgumentError('A TRON account needs a TRON secp256k1 signer.')
  return signer
}

/** TRON chains (`tron:0x<last 4 bytes of the genesis block id>`). */
export const tronFamily: ChainFamily = Object.freeze({
  kind: 'tron',
  namespaces: Object.freeze(['tron']),
  title: 'TRON',
  networks: NETWORKS,
  supports: isTronChain,
  isValidAddress: (chainId: ChainId, address: string) => isTronChain(chainId) && isValidTronAddress(address),
  accountOptions(options: { readonly [option: string]: unknown }) {
    const extra = Object.keys(options).find((k) => options[k] !== undefined)
    if (extra !== undefined) throw new InvalidArgumentError(`${extra} does not apply to TRON accounts.`)
    return {}
  },
  /** Mainnet TRX is priced as TRX, the registry's mainnet contracts by their family (USDT). */
  knownFamily(asset: AssetId): string | undefined {
    const parts = parseAssetId(asset)
    if (tronNetworkOf(parts.chainId)?.name !== 'mainnet' || parts.tokenId !== undefined) return undefined
    if (parts.assetNamespace === 'slip44' && parts.assetReference === '195') return 'TRX'
    if (parts.assetNamespace !== 'trc20') return undefined
    return TRON_TOKENS.find((t) => t.network === 'mainnet' && t.contract === parts.assetReference)?.family
  },
  signer: (keys, _chainId, account) => keys.getSigner({ secretId: account.secretId, chain: 'tron', index: account.index }),
  accountKeys: (_chainId: ChainId, signer: Signer | AccountSigner) => ({ address: addressSigner(signer).address }),
  nativeAsset: (chainId: ChainId): AssetId => trxAssetId(chainId),
  paymentSchemes: Object.freeze([tronScheme]),
} satisfies ChainFamily)
