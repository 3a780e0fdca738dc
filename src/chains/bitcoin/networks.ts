/**
 * Bitcoin networks: CAIP-2 ids (the genesis block hash prefix, per CAIP-4 bip122), BIP-44
 * coin types, and the address parameters @scure/btc-signer needs.
 * @module
 */
import type { AssetId, ChainId } from '../../core/caip.js'
import { BITCOIN_NETWORK_PARAMS, type BitcoinNetwork } from '../../keys/address/bitcoin.js'
import type { AssetInfo } from '../adapter.js'

/** Address parameters in @scure/btc-signer's shape. */
export interface BtcNetworkParams {
  readonly bech32: string
  readonly pubKeyHash: number
  readonly scriptHash: number
  readonly wif: number
}

/** Facts about one Bitcoin network. */
export interface BitcoinChain {
  readonly network: BitcoinNetwork
  readonly name: string
  /** `bip122:<first 32 hex digits of the genesis hash>`. */
  readonly caip2: ChainId
  /** `<caip2>/slip44:0` on mainnet, `slip44:1` on test networks. */
  readonly nativeAsset: AssetId
  readonly coinType: 0 | 1
  readonly params: BtcNetworkParams
  /** Typical block interval. */
  readonly blockTimeMs: number
}

/** The three networks coffer supports. */
export const BITCOIN_CHAINS: Readonly<Record<BitcoinNetwork, BitcoinChain>> = {
  mainnet: {
    network: 'mainnet',
    name: 'Bitcoin',
    caip2: 'bip122:000000000019d6689c085ae165831e93',
    nativeAsset: 'bip122:000000000019d6689c085ae165831e93/slip44:0',
    coinType: 0,
    params: { ...BITCOIN_NETWORK_PARAMS.mainnet, wif: 0x80 },
    blockTimeMs: 600_000,
  },
  testnet: {
    network: 'testnet',
    name: 'Bitcoin Testnet',
    caip2: 'bip122:000000000933ea01ad0ee984209779ba',
    nativeAsset: 'bip122:000000000933ea01ad0ee984209779ba/slip44:1',
    coinType: 1,
    params: { ...BITCOIN_NETWORK_PARAMS.testnet, wif: 0xef },
    blockTimeMs: 600_000,
  },
  regtest: {
    network: 'regtest',
    name: 'Bitcoin Regtest',
    caip2: 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328',
    nativeAsset: 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328/slip44:1',
    coinType: 1,
    params: { ...BITCOIN_NETWORK_PARAMS.regtest, wif: 0xef },
    blockTimeMs: 1_000,
  },
}

/** The network's coin as an asset: BTC (tBTC on test networks), 8 decimals. */
export function nativeAssetInfo(chain: BitcoinChain): AssetInfo {
  const symbol = chain.network === 'mainnet' ? 'BTC' : 'tBTC'
  return { id: chain.nativeAsset, chainId: chain.caip2, symbol, name: chain.name, decimals: 8, kind: 'native', family: 'BTC' }
}
