/**
 * Decoding of SPL Token and Token-2022 account data (what `getMultipleAccounts` /
 * `getAccountInfo` return with `encoding: 'base64'`), and Token-2022's transfer fee arithmetic.
 *
 * Layouts (spl-token `state.rs`, spl-token-2022 `extension/mod.rs`):
 * - token account, 165 bytes: mint 32, owner 32, amount u64, delegate COption<Pubkey> (4 + 32),
 *   state u8 (0 uninitialized, 1 initialized, 2 frozen), isNative COption<u64> (4 + 8),
 *   delegatedAmount u64, closeAuthority COption<Pubkey> (4 + 32);
 * - mint, 82 bytes: mintAuthority COption<Pubkey>, supply u64, decimals u8, isInitialized bool,
 *   freezeAuthority COption<Pubkey>;
 * - Token-2022 with extensions: the base state, zero padding up to byte 165, the account type
 *   at byte 165 (1 mint, 2 account), then TLV entries (type u16, length u16, value) until the
 *   end or an entry of type 0;
 * - durable nonce account (System program), 80 bytes: version u32 (0 legacy, 1 current), state
 *   u32 (1 initialized), authority 32, durable nonce 32, lamports per signature u64.
 *
 * Every decoder takes any bytes and returns `undefined` for bytes that are not what it decodes;
 * none throws.
 * @module
 * @internal
 */
import { base58 } from '@scure/base'
import { InvalidArgumentError } from '../../core/errors.js'
import { SYSTEM_PROGRAM, TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from './programs.js'
import { U64_MAX } from './shapes.js'

/** Length of an SPL token account without extensions. */
const TOKEN_ACCOUNT_SIZE = 165
/** Length of an SPL mint without extensions. */
const MINT_SIZE = 82
/** Where Token-2022 writes the account type of an account with extensions. */
const ACCOUNT_TYPE_OFFSET = 165
const ACCOUNT_TYPE_MINT = 1
const ACCOUNT_TYPE_ACCOUNT = 2
/** TLV type of TransferFeeConfig. */
export const EXTENSION_TRANSFER_FEE_CONFIG = 1
const TRANSFER_FEE_CONFIG_SIZE = 108
/** Length of a durable nonce account. */
export const NONCE_ACCOUNT_SIZE = 80
/** Bytes of a Token-2022 multisig account: no token account may have this length (Token-2022 pads it). */
const MULTISIG_SIZE = 355

/**
 * The account extension (TLV type → value size) each mint extension requires of every token
 * account of the mint (Token-2022's `get_required_init_account_extensions`).
 */
const REQUIRED_ACCOUNT_EXTENSIONS: ReadonlyMap<number, { type: number; size: number }> = new Map([
  [1, { type: 2, size: 8 }], // TransferFeeConfig → TransferFeeAmount (withheld u64)
  [9, { type: 13, size: 0 }], // NonTransferable → NonTransferableAccount
  [14, { type: 15, size: 1 }], // TransferHook → TransferHookAccount (transferring flag)
  [16, { type: 17, size: 64 }], // ConfidentialTransferFeeConfig → ConfidentialTransferFeeAmount (ElGamal ciphertext)
  [26, { type: 27, size: 0 }], // Pausable → PausableAccount
])
/** ImmutableOwner: the associated token account program adds it to every Token-2022 account it creates. */
const IMMUTABLE_OWNER = { type: 7, size: 0 }

/** A decoded token account. */
export interface TokenAccountData {
  readonly mint: string
  readonly owner: string
  readonly amount: bigint
  /** Frozen accounts hold their tokens but cannot send them. */
  readonly state: 'initialized' | 'frozen'
  readonly delegate?: string
  readonly delegatedAmount: bigint
  /** For wrapped-SOL accounts: the rent-exempt reserve (lamports not counted in `amount`). */
  readonly rentExemptReserve?: bigint
  readonly closeAuthority?: string
}

/** A decoded mint. */
export interface MintData {
  readonly mintAuthority?: string
  readonly supply: bigint
  readonly decimals: number
  readonly isInitialized: boolean
  readonly freezeAuthority?: string
}

/** One epoch's transfer fee of a Token-2022 mint. */
interface TransferFee {
  readonly epoch: bigint
  readonly maximumFee: bigint
  readonly transferFeeBasisPoints: number
}

/** A Token-2022 mint's TransferFeeConfig extension. */
export interface TransferFeeConfig {
  readonly transferFeeConfigAuthority?: string
  readonly withdrawWithheldAuthority?: string
  readonly withheldAmount: bigint
  readonly olderTransferFee: TransferFee
  readonly newerTransferFee: TransferFee
}

function u64(data: Uint8Array, offset: number): bigint {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(offset, true)
}
function u32(data: Uint8Array, offset: number): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(offset, true)
}
function u16(data: Uint8Array, offset: number): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint16(offset, true)
}
function key(data: Uint8Array, offset: number): string {
  return base58.encode(data.subarray(offset, offset + 32))
}

/** A COption<T> at `offset` (tag u32 0 or 1): null when malformed, undefined when None. */
function cOption<T>(data: Uint8Array, offset: number, read: (at: number) => T): T | undefined | null {
  const tag = u32(data, offset)
  if (tag === 0) return undefined
  if (tag === 1) return read(offset + 4)
  return null
}

/** An OptionalNonZeroPubkey (Token-2022): all zeros is None. */
function nonZeroKey(data: Uint8Array, offset: number): string | undefined {
  return data.subarray(offset, offset + 32).every((b) => b === 0) ? undefined : key(data, offset)
}

/** The account type of Token-2022 data longer than the base state, or undefined for malformed data. */
function extendedType(data: Uint8Array, baseSize: number): number | undefined {
  if (data.length <= ACCOUNT_TYPE_OFFSET) return undefined
  // Between the base state and the account type Token-2022 writes zeros only.
  for (let i = baseSize; i < ACCOUNT_TYPE_OFFSET; i++) if (data[i] !== 0) return undefined
  return data[ACCOUNT_TYPE_OFFSET]
}

/**
 * A token account (SPL Token, or Token-2022 with or without extensions); undefined for data
 * that is not an initialized token account.
 */
export function decodeTokenAccount(data: Uint8Array): TokenAccountData | undefined {
  if (!(data instanceof Uint8Array) || data.length < TOKEN_ACCOUNT_SIZE) return undefined
  if (data.length > TOKEN_ACCOUNT_SIZE && extendedType(data, TOKEN_ACCOUNT_SIZE) !== ACCOUNT_TYPE_ACCOUNT) return undefined
  const delegate = cOption(data, 72, (at) => key(data, at))
  const stateByte = data[108]
  const isNative = cOption(data, 109, (at) => u64(data, at))
  const closeAuthority = cOption(data, 129, (at) => key(data, at))
  if (delegate === null || isNative === null || closeAuthority === null) return undefined
  if (stateByte !== 1 && stateByte !== 2) return undefined
  return {
    mint: key(data, 0),
    owner: key(data, 32),
    amount: u64(data, 64),
    state: stateByte === 1 ? 'initialized' : 'frozen',
    ...(delegate === undefined ? {} : { delegate }),
    delegatedAmount: u64(data, 121),
    ...(isNative === undefined ? {} : { rentExemptReserve: isNative }),
    ...(closeAuthority === undefined ? {} : { closeAuthority }),
  }
}

/** A mint (SPL Token, or Token-2022 with or without extensions); undefined for data that is not a mint. */
export function decodeMint(data: Uint8Array): MintData | undefined {
  if (!(data instanceof Uint8Array) || data.length < MINT_SIZE) return undefined
  if (data.length > MINT_SIZE && extendedType(data, MINT_SIZE) !== ACCOUNT_TYPE_MINT) return undefined
  const mintAuthority = cOption(data, 0, (at) => key(data, at))
  const freezeAuthority = cOption(data, 46, (at) => key(data, at))
  const initialized = data[45]
  if (mintAuthority === null || freezeAuthority === null || (initialized !== 0 && initialized !== 1)) return undefined
  return {
    ...(mintAuthority === undefined ? {} : { mintAuthority }),
    supply: u64(data, 36),
    decimals: data[44]!,
    isInitialized: initialized === 1,
    ...(freezeAuthority === undefined ? {} : { freezeAuthority }),
  }
}

/**
 * The TLV entries after a Token-2022 mint's or account's base state, as (type, value) pairs;
 * undefined when the data has no extension area or an entry runs past the end.
 */
export function extensionEntries(data: Uint8Array): { type: number; value: Uint8Array }[] | undefined {
  if (!(data instanceof Uint8Array) || data.length <= ACCOUNT_TYPE_OFFSET) return undefined
  const entries: { type: number; value: Uint8Array }[] = []
  let at = ACCOUNT_TYPE_OFFSET + 1
  while (at + 4 <= data.length) {
    const type = u16(data, at)
    const length = u16(data, at + 2)
    if (type === 0) break
    if (at + 4 + length > data.length) return undefined
    entries.push({ type, value: data.subarray(at + 4, at + 4 + length) })
    at += 4 + length
  }
  return entries
}

/**
 * Bytes of the associated token account the ATA program creates for a mint owned by `program`
 * (what Token-2022's `GetAccountDataSize` answers it): 165 for SPL Token; for Token-2022, 165 +
 * the account-type byte + ImmutableOwner + the account extensions the mint's extensions require
 * (4 bytes of TLV header each), 2 more when that is the size of a multisig account. Undefined
 * when `mintData` is not a mint or `program` is not a token program.
 */
export function associatedAccountSize(program: string, mintData: Uint8Array): number | undefined {
  if (decodeMint(mintData) === undefined) return undefined
  if (program === TOKEN_PROGRAM) return mintData.length === MINT_SIZE ? TOKEN_ACCOUNT_SIZE : undefined
  if (program !== TOKEN_2022_PROGRAM) return undefined
  const entries = mintData.length === MINT_SIZE ? [] : extensionEntries(mintData)
  if (entries === undefined) return undefined
  let size = ACCOUNT_TYPE_OFFSET + 1 + 4 + IMMUTABLE_OWNER.size
  for (const { type } of entries) {
    const required = REQUIRED_ACCOUNT_EXTENSIONS.get(type)
    if (required) size += 4 + required.size
  }
  return size === MULTISIG_SIZE ? size + 2 : size
}

function transferFee(value: Uint8Array, offset: number): TransferFee {
  return { epoch: u64(value, offset), maximumFee: u64(value, offset + 8), transferFeeBasisPoints: u16(value, offset + 16) }
}

/** A Token-2022 mint's TransferFeeConfig; undefined when `mintData` is not a mint or has none. */
export function transferFeeConfig(mintData: Uint8Array): TransferFeeConfig | undefined {
  if (decodeMint(mintData) === undefined) return undefined
  const entry = extensionEntries(mintData)?.find((e) => e.type === EXTENSION_TRANSFER_FEE_CONFIG)
  if (!entry || entry.value.length !== TRANSFER_FEE_CONFIG_SIZE) return undefined
  const v = entry.value
  const older = transferFee(v, 72)
  const newer = transferFee(v, 90)
  if (older.transferFeeBasisPoints > 10_000 || newer.transferFeeBasisPoints > 10_000) return undefined
  const transferFeeConfigAuthority = nonZeroKey(v, 0)
  const withdrawWithheldAuthority = nonZeroKey(v, 32)
  return {
    ...(transferFeeConfigAuthority === undefined ? {} : { transferFeeConfigAuthority }),
    ...(withdrawWithheldAuthority === undefined ? {} : { withdrawWithheldAuthority }),
    withheldAmount: u64(v, 64),
    olderTransferFee: older,
    newerTransferFee: newer,
  }
}

function checkU64(value: unknown, name: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) throw new InvalidArgumentError(`${name} must be a u64 bigint.`)
  return value
}

/** The fee in force at `epoch`: the newer one from its epoch on (Token-2022's `get_epoch_fee`). */
function feeAt(config: TransferFeeConfig, epoch: bigint): TransferFee {
  return checkU64(epoch, 'epoch') >= config.newerTransferFee.epoch ? config.newerTransferFee : config.olderTransferFee
}

function feeOf(fee: TransferFee, amount: bigint): bigint {
  const bps = BigInt(fee.transferFeeBasisPoints)
  if (bps === 0n || amount === 0n) return 0n
  const raw = (amount * bps + 9_999n) / 10_000n
  return raw < fee.maximumFee ? raw : fee.maximumFee
}

/**
 * The fee Token-2022 withholds from a transfer of `amount` (gross) at `epoch`: ceil(amount ×
 * bps / 10,000), capped at the maximum fee (Token-2022's `calculate_fee`).
 * @throws InvalidArgumentError for amounts or epochs outside u64
 */
export function transferFeeAt(config: TransferFeeConfig, epoch: bigint, amount: bigint): bigint {
  return feeOf(feeAt(config, epoch), checkU64(amount, 'amount'))
}

/**
 * The smallest gross amount whose transfer at `epoch` delivers exactly `net` after the fee
 * (gross − fee(gross) = net). gross − fee(gross) grows by 0 or 1 per unit of gross, so a binary
 * search over [net, net + maximumFee] finds it, and the result is checked before it is returned.
 * @throws InvalidArgumentError when no u64 gross delivers `net`
 */
export function grossForNet(config: TransferFeeConfig, epoch: bigint, net: bigint): bigint {
  const fee = feeAt(config, epoch)
  checkU64(net, 'net')
  const netOf = (gross: bigint) => gross - feeOf(fee, gross)
  let low = net
  let high = net + fee.maximumFee
  if (high > U64_MAX) high = U64_MAX
  if (netOf(high) < net) throw new InvalidArgumentError(`No u64 amount delivers ${net} after the transfer fee.`)
  while (low < high) {
    const mid = (low + high) / 2n
    if (netOf(mid) >= net) high = mid
    else low = mid + 1n
  }
  if (netOf(low) !== net || (low > 0n && netOf(low - 1n) >= net))
    throw new InvalidArgumentError(`No amount delivers exactly ${net} after the transfer fee.`)
  return low
}

/** A durable nonce account's state. */
export interface NonceData {
  /** Who may advance (and withdraw from) it. */
  readonly authority: string
  /** The durable nonce: a transaction's "recent blockhash" while it stands. */
  readonly nonce: string
  readonly lamportsPerSignature: bigint
}

/**
 * An initialized durable nonce account (System program, 80 bytes, version 0 or 1, state 1);
 * undefined for anything else, including a nonce account still uninitialized.
 */
export function decodeNonce(owner: string, data: Uint8Array): NonceData | undefined {
  if (owner !== SYSTEM_PROGRAM || !(data instanceof Uint8Array) || data.length !== NONCE_ACCOUNT_SIZE) return undefined
  if (u32(data, 0) > 1 || u32(data, 4) !== 1) return undefined
  return { authority: key(data, 8), nonce: key(data, 40), lamportsPerSignature: u64(data, 72) }
}

/** True for an account that can pay Solana fees: absent, or owned by the System program with no data. */
export function isWalletAccount(account: { readonly owner: string; readonly data: Uint8Array } | null | undefined): boolean {
  return account === null || account === undefined || (account.owner === SYSTEM_PROGRAM && account.data.length === 0)
}
