/**
 * The EVM family descriptor: `eip155` chains, one address per account (BIP-44 coin type 60),
 * EIP-55 addresses. The chain-neutral layers reach EVM specifics only through it.
 * @module
 */
import { parseAssetId, type AssetId, type ChainId } from '../../core/caip.js'
import { InvalidArgumentError } from '../../core/errors.js'
import { isValidEvmAddress } from '../../keys/address/evm.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import type { ChainFamily, FamilyNetwork } from '../family.js'
import { eip681Scheme } from './payment-uri.js'
import { EVM_CHAINS, assetFamily, evmChainInfo } from './registry.js'

const EIP155 = /^eip155:[1-9]\d{0,15}$/

/** Every EVM chain in coffer's registry, by CAIP-2 id. */
const NETWORKS: readonly FamilyNetwork[] = Object.freeze(
  EVM_CHAINS.map((c) => Object.freeze({ chainId: c.chainId as ChainId, name: c.name, testnet: c.testnet })),
)

function addressSigner(signer: Signer | AccountSigner): Signer {
  if ('kind' in signer || signer.chain !== 'evm') throw new InvalidArgumentError('An EVM account needs an EVM address signer.')
  return signer
}

/** EVM chains (`eip155:<n>`). */
export const evmFamily: ChainFamily = Object.freeze({
  kind: 'evm',
  namespaces: Object.freeze(['eip155']),
  title: 'EVM',
  networks: NETWORKS,
  supports: (chainId: ChainId) => typeof chainId === 'string' && EIP155.test(chainId) && Number.isSafeInteger(Number(chainId.slice(7))),
  isValidAddress: (_chainId: ChainId, address: string) => isValidEvmAddress(address),
  sameAddress: (a: string, b: string) =>
    typeof a === 'string' && typeof b === 'string' && /^0x/i.test(a) && a.toLowerCase() === b.toLowerCase(),
  accountOptions(options: { readonly [option: string]: unknown }) {
    const extra = Object.keys(options).find((k) => options[k] !== undefined)
    if (extra !== undefined) throw new InvalidArgumentError(`${extra} does not apply to EVM accounts.`)
    return {}
  },
  knownFamily(asset: AssetId): string | undefined {
    const parts = parseAssetId(asset)
    const chain = evmChainInfo(parts.chainId)
    if (!chain || chain.testnet || parts.tokenId !== undefined) return undefined
    if (parts.assetNamespace === 'slip44' && parts.assetReference === '60') return chain.native.symbol
    return parts.assetNamespace === 'erc20' ? assetFamily(asset) : undefined
  },
  signer: (keys, _chainId, account) => keys.getSigner({ secretId: account.secretId, chain: 'evm', index: account.index }),
  accountKeys: (_chainId: ChainId, signer: Signer | AccountSigner) => ({ address: addressSigner(signer).address }),
  nativeAsset: (chainId: ChainId): AssetId => `${chainId}/slip44:60`,
  paymentSchemes: Object.freeze([eip681Scheme]),
} satisfies ChainFamily)
