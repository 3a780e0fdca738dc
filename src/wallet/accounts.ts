/**
 * The wallet's accounts: which vault secret, chain, index and address type each one is, kept
 * (with its public address) in the wallet record so `accounts()` works while locked, and the
 * signer each needs: an address signer on account chains, an account signer (any child key of
 * a BIP-32 account, named by its descriptor) on Bitcoin.
 * @module
 * @internal
 */
import type { ChainId } from '../caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import { InvalidArgumentError, NotSupportedError } from '../errors.js'
import type { BitcoinAddressType } from '../keys/address/bitcoin.js'
import type { AccountSigner, Signer } from '../keys/signer.js'
import type { Vault } from '../vault/vault.js'

/** How an account is made (stored in the wallet record; no secret). */
export interface AccountRecord {
  readonly chainId: ChainId
  readonly secretId: string
  readonly index: number
  readonly addressType?: BitcoinAddressType
  /** The address (account chains) or the output descriptor (Bitcoin). */
  readonly address: string
  readonly label?: string
}

/** The key family a chain uses. */
export type ChainKind = 'evm' | 'bitcoin' | 'solana' | 'tron'

const BITCOIN_NETWORKS: Readonly<Record<string, 'mainnet' | 'testnet' | 'regtest'>> = {
  '000000000019d6689c085ae165831e93': 'mainnet',
  '000000000933ea01ad0ee984209779ba': 'testnet',
  '0f9188f13cb7b2c71f2a335e3a4fc328': 'regtest',
}

/** The key family of a CAIP-2 chain. @throws NotSupportedError */
export function chainKind(chainId: ChainId): ChainKind {
  const namespace = chainId.slice(0, chainId.indexOf(':'))
  switch (namespace) {
    case 'eip155':
      return 'evm'
    case 'bip122':
      return 'bitcoin'
    case 'solana':
      return 'solana'
    case 'tron':
      return 'tron'
    default:
      throw new NotSupportedError(`The wallet has no keys for ${namespace} chains.`, { details: { chainId } })
  }
}

/** The Bitcoin network of a bip122 chain (the adapter's own `network` when it has one). */
function bitcoinNetwork(adapter: ChainAdapter): 'mainnet' | 'testnet' | 'regtest' {
  const own = (adapter as { network?: unknown }).network
  if (own === 'mainnet' || own === 'testnet' || own === 'regtest') return own
  const network = BITCOIN_NETWORKS[adapter.chainId.slice('bip122:'.length)]
  if (!network) throw new NotSupportedError(`Unknown Bitcoin network ${adapter.chainId}.`)
  return network
}

/** The signer for an account (the vault must be unlocked). */
export async function accountSigner(vault: Vault, adapter: ChainAdapter, record: Pick<AccountRecord, 'secretId' | 'index' | 'addressType'>): Promise<Signer | AccountSigner> {
  const kind = chainKind(adapter.chainId)
  if (kind === 'bitcoin') {
    return vault.getAccountSigner({ secretId: record.secretId, chain: 'bitcoin', network: bitcoinNetwork(adapter), account: record.index, ...(record.addressType ? { addressType: record.addressType } : {}) })
  }
  return vault.getSigner({ secretId: record.secretId, chain: kind, index: record.index })
}

/** Makes the record of a new account: derives its address or descriptor. */
export async function newAccount(vault: Vault, adapter: ChainAdapter, options: { secretId: string; index: number; addressType?: BitcoinAddressType; label?: string }): Promise<AccountRecord> {
  const { secretId, index, addressType, label } = options
  if (!Number.isSafeInteger(index) || index < 0 || index >= 2 ** 31) throw new InvalidArgumentError('index must be an integer from 0 to 2^31 - 1.')
  if (label !== undefined && (typeof label !== 'string' || label.length > 100)) throw new InvalidArgumentError('label must be a string of at most 100 characters.')
  const signer = await accountSigner(vault, adapter, { secretId, index, ...(addressType ? { addressType } : {}) })
  const address = 'descriptor' in signer ? signer.descriptor : signer.address
  return Object.freeze({ chainId: adapter.chainId, secretId, index, ...(addressType ? { addressType } : {}), address, ...(label === undefined ? {} : { label }) })
}

/** True when two addresses name the same account (hex compared case-insensitively). */
export function sameAddress(a: string, b: string): boolean {
  return a === b || (/^0x/i.test(a) && a.toLowerCase() === b.toLowerCase())
}
