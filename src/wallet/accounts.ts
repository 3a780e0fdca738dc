/**
 * The wallet's accounts: which vault secret, chain, index and account options each one is, kept
 * (with its public address) in the wallet record so `accounts()` works while locked, and the
 * signer each needs. Everything that depends on the chain's family (which signer, which address,
 * which options, how an account id reads) comes from the family registry (`chains/family.ts`):
 * this file names no family.
 *
 * What names an account: on account chains its one address. On families whose accounts spread
 * over many addresses, the account's id (an output descriptor on Bitcoin) is what adapters take
 * as `from`, what the portfolio follows and what the journal records, and its `address` is its
 * first receive address, the public face a person expects. Either names it in `from`.
 * @module
 * @internal
 */
import { isIntegerIn } from '../core/assert.js'
import type { ChainId } from '../core/caip.js'
import type { ChainAdapter, Json } from '../chains/adapter.js'
import { chainFamily, findChainFamily, type KeySource } from '../chains/family.js'
import { DataIntegrityError, InvalidArgumentError, NotSupportedError } from '../core/errors.js'
import type { BitcoinAddressType } from '../keys/address/bitcoin.js'
import type { AccountSigner, Signer } from '../keys/signer.js'
import type { GetAccountSignerOptions, GetSignerOptions } from '../vault/signers.js'
import type { Vault } from '../vault/vault.js'

/** A family's account options, as its `accountOptions` checks them (e.g. `{ addressType: 'p2tr' }`). */
export type AccountOptions = { readonly [option: string]: Json }

/** How an account is made (stored in the wallet record; no secret). */
export interface AccountRecord {
  readonly chainId: ChainId
  readonly secretId: string
  readonly index: number
  /**
   * The family's account options with their defaults (Bitcoin: `{ addressType: 'p2wpkh' }`);
   * absent where the family takes none.
   */
  readonly options?: AccountOptions
  /**
   * The `addressType` account option, where the family has one (Bitcoin). Records written before
   * `options` existed kept it only here; it is still written beside `options` so they read alike.
   * @deprecated read `options.addressType`
   */
  readonly addressType?: BitcoinAddressType
  /**
   * The account's address. On multi-address accounts (Bitcoin): its first receive address, which
   * a person can pay and a `from` can name; give payers `receiveAddress()` instead, so addresses
   * are not reused.
   */
  readonly address: string
  /** Multi-address accounts: the account's id (Bitcoin: its output descriptor). Absent on account chains. */
  readonly descriptor?: string
  readonly label?: string
}

/** One address of a wallet account (`receiveAddress()`, `addressAt()`). */
export interface WalletAddress {
  readonly address: string
  /** Its index on its branch (receive or change); 0 on account chains. */
  readonly index: number
  /** True on the change branch. */
  readonly change: boolean
  /** Its derivation path from the master key, when the account's descriptor gives the key origin. */
  readonly path?: string
}

/** What adapters, the portfolio and the journal know the account by: its descriptor, else its address. */
export function accountId(record: Pick<AccountRecord, 'address' | 'descriptor'>): string {
  return record.descriptor ?? record.address
}

/** The account options a record was made with: `options`, or (records from before options) its `addressType`. */
export function accountOptionsOf(record: Pick<AccountRecord, 'options' | 'addressType'>): AccountOptions {
  if (record.options !== undefined) return record.options
  return record.addressType === undefined ? {} : { addressType: record.addressType }
}

/** The record fields that hold `options`: none when empty; `addressType` beside them for earlier readers. */
function optionFields(options: AccountOptions): Pick<AccountRecord, 'options' | 'addressType'> {
  if (Object.keys(options).length === 0) return {}
  const legacy = typeof options.addressType === 'string' ? { addressType: options.addressType as BitcoinAddressType } : {}
  return { options: Object.freeze({ ...options }), ...legacy }
}

/** JSON with sorted keys, so equal options compare equal. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k] as Json)}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

/** `options` with the family's defaults, as one comparable string (the stored form when the family refuses them). */
function optionsKey(chainId: ChainId, options: AccountOptions): string {
  try {
    return canonical(findChainFamily(chainId)?.accountOptions(options) ?? options)
  } catch {
    return canonical(options)
  }
}

/** True when two sets of account options on `chainId` name the same account (defaults filled in). */
export function sameAccountOptions(chainId: ChainId, a: AccountOptions, b: AccountOptions): boolean {
  return optionsKey(chainId, a) === optionsKey(chainId, b)
}

/**
 * The family's checked account options for a new account on `chainId`.
 * @throws InvalidArgumentError for options the family does not take; NotSupportedError for a chain no family serves
 */
export function checkAccountOptions(chainId: ChainId, options: { readonly [option: string]: unknown }): AccountOptions {
  return chainFamily(chainId).accountOptions(options)
}

/**
 * The vault as a family's key source. A family passes the options its keys need with `chain` as
 * a plain string; the vault checks every option at run time (an unknown chain or option throws
 * InvalidArgumentError), so they go through as the vault's own option types.
 */
function keySource(vault: Vault): KeySource {
  return {
    getSigner: (options) => vault.getSigner(options as GetSignerOptions),
    getAccountSigner: (options) => vault.getAccountSigner(options as GetAccountSignerOptions),
  }
}

/** The signer for an account (the vault must be unlocked): whatever its family signs with. */
export async function accountSigner(
  vault: Vault,
  record: Pick<AccountRecord, 'chainId' | 'secretId' | 'index' | 'options' | 'addressType'>,
): Promise<Signer | AccountSigner> {
  return chainFamily(record.chainId).signer(keySource(vault), record.chainId, {
    secretId: record.secretId,
    index: record.index,
    options: accountOptionsOf(record),
  })
}

/**
 * Makes the record of a new account: checks its options with its family, derives its address
 * (and, on multi-address accounts, its descriptor).
 * @throws InvalidArgumentError; NotSupportedError for a chain no family serves; the vault's errors
 */
export async function newAccount(
  vault: Vault,
  adapter: Pick<ChainAdapter, 'chainId'>,
  options: { secretId: string; index: number; options?: { readonly [option: string]: unknown }; label?: string },
): Promise<AccountRecord> {
  const { secretId, index, label } = options
  const { chainId } = adapter
  if (!isIntegerIn(index, 0, 2 ** 31 - 1)) throw new InvalidArgumentError('index must be an integer from 0 to 2^31 - 1.')
  if (label !== undefined && (typeof label !== 'string' || label.length > 100))
    throw new InvalidArgumentError('label must be a string of at most 100 characters.')
  const family = chainFamily(chainId)
  const checked = family.accountOptions(options.options ?? {})
  const signer = await family.signer(keySource(vault), chainId, { secretId, index, options: checked })
  const keys = family.accountKeys(chainId, signer)
  return Object.freeze({
    chainId,
    secretId,
    index,
    ...optionFields(checked),
    address: keys.address,
    ...(keys.descriptor === undefined ? {} : { descriptor: keys.descriptor }),
    ...(label === undefined ? {} : { label }),
  })
}

/**
 * `account.addressAt(index, { change })`, offline. Multi-address accounts (a descriptor): the
 * family's address at `<change>/<index>` of the account. Account chains: an account is one
 * address, so `addressAt(0)` is it and any other index or the change branch throws
 * NotSupportedError (another address is another account: `wallet.account(chainId, { index })`).
 * @throws InvalidArgumentError, NotSupportedError
 */
export function addressAt(record: AccountRecord, index: unknown, options: unknown = {}): WalletAddress {
  if (!isIntegerIn(index, 0, 2 ** 31 - 1)) throw new InvalidArgumentError('index must be an integer from 0 to 2^31 - 1.')
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object such as { change: true }.')
  const change = (options as { change?: unknown }).change ?? false
  if (typeof change !== 'boolean') throw new InvalidArgumentError('change must be a boolean.')
  if (record.descriptor !== undefined) {
    const family = chainFamily(record.chainId)
    if (!family.addressAt)
      throw new NotSupportedError(`The ${family.title} family cannot derive the addresses of an account descriptor.`, {
        details: { chainId: record.chainId },
      })
    return family.addressAt(record.chainId, record.descriptor, change, index)
  }
  if (index !== 0 || change) {
    throw new NotSupportedError(
      `An account on ${record.chainId} is one address: addressAt(0) is ${record.address}. Another address is another account: wallet.account('${record.chainId}', { index }).`,
      { details: { chainId: record.chainId, index, change } },
    )
  }
  return Object.freeze({ address: record.address, index: 0, change: false })
}

/**
 * `account.receiveAddress()`: the address to give a payer. Accounts with a descriptor ask the
 * adapter's `nextReceiveAddress` (discovery on the chain: the first never-used receive address)
 * and check its answer against their own derivation; account chains return their address.
 * @throws NotSupportedError when the adapter cannot discover; DataIntegrityError when its address is not the account's; the adapter's network errors
 */
export async function receiveAddress(adapter: ChainAdapter, record: AccountRecord): Promise<WalletAddress> {
  if (record.descriptor === undefined) return addressAt(record, 0)
  if (typeof adapter.nextReceiveAddress !== 'function') {
    throw new NotSupportedError(
      `The ${adapter.chainId} adapter cannot find the next unused address (no nextReceiveAddress); use account.addressAt(index).`,
    )
  }
  const next: unknown = await adapter.nextReceiveAddress(record.descriptor)
  const { address, index } = (next ?? {}) as { address?: unknown; index?: unknown }
  const own = isIntegerIn(index, 0, 2 ** 31 - 1) ? addressAt(record, index) : undefined
  if (!own || own.address !== address) {
    throw new DataIntegrityError(
      `The ${adapter.chainId} adapter's next receive address is not the account's own address at the index it gives.`,
      {
        details: {
          chainId: adapter.chainId,
          index: String(index).slice(0, 20),
          got: String(address).slice(0, 100),
          ...(own ? { expected: own.address } : {}),
        },
      },
    )
  }
  return own
}

/**
 * True when two references name the same account on `chainId`: equal strings, hex addresses
 * equal but for case, or whatever the chain's family counts as the same (Bitcoin: an account's
 * output descriptor and its first receive address, what `WalletAccount.address` is), so a
 * `from` may give either. Without `chainId` only the first two rules apply.
 */
export function sameAddress(a: string, b: string, chainId?: ChainId): boolean {
  if (a === b) return true
  if (typeof a !== 'string' || typeof b !== 'string') return false
  if (/^0x[0-9a-f]+$/i.test(a) && a.toLowerCase() === b.toLowerCase()) return true
  const family = chainId === undefined ? undefined : findChainFamily(chainId)
  return family?.sameAddress?.(a, b) ?? false
}

/**
 * An account as read from a wallet record, in today's form:
 * - options: records from before account options kept only `addressType` (or nothing, for the
 *   default); they get their family's checked options, defaults filled in.
 * - descriptor: records from before accounts had `descriptor` kept a multi-address account's id
 *   in `address`; it moves to `descriptor` and `address` becomes the account's first receive
 *   address (the family's `accountFromId`, derived offline).
 * Records of a chain no registered family serves, or whose options the family refuses, are
 * returned as they are (using them fails later, with the family's own error).
 */
export function migrateAccount(record: AccountRecord): AccountRecord {
  const family = findChainFamily(record.chainId)
  if (!family) return record
  let options: AccountOptions
  try {
    options = family.accountOptions(accountOptionsOf(record))
  } catch {
    return record
  }
  const keys = record.descriptor === undefined ? family.accountFromId?.(record.chainId, record.address) : undefined
  const { options: _options, addressType: _addressType, ...rest } = record
  return Object.freeze({
    ...rest,
    ...optionFields(options),
    ...(keys?.descriptor === undefined ? {} : { address: keys.address, descriptor: keys.descriptor }),
  })
}
