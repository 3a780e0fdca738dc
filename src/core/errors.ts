/**
 * Every error coffer throws on purpose is a {@link CofferError} subclass with a stable
 * `code`, a literal `name`, a one-line `shortMessage`, structured `details` and a `docsPath`
 * (a section of `docs/errors.md` that says what the error means and what to do).
 *
 * The subclasses are generated from one table, {@link COFFER_ERRORS} (class name -> code and
 * default message): the codes ({@link CofferErrorCode}), the classes and the doc links all
 * come from it, and `test/core/errors.test.ts` checks `docs/errors.md` against it. Each
 * generated class is a real named class (`instanceof`, `error.name`, `constructor.name`,
 * stack traces and `util.inspect` work as for a hand-written one). To add an error: a row
 * in the table, its details in {@link ErrorDetailsMap}, an export below, a section in
 * `docs/errors.md`.
 *
 * Rule: no message, detail or cause ever carries a secret (mnemonic words, key bytes,
 * passphrases, passwords). Callers put positions, counts and public values in `details`,
 * whose values are primitives only (no objects that could drag a secret along).
 * @module
 */

/** One public, non-secret fact about a failure. */
export type ErrorDetailValue = string | number | boolean | bigint | null | undefined

/**
 * Public, non-secret facts about a failure: positions, counts, expected values. This open
 * record is also the details type of the errors whose facts vary from one call site to the
 * next (see {@link ErrorDetailsMap}).
 */
export type ErrorDetails = Readonly<Record<string, ErrorDetailValue>>

/** Options every {@link CofferError} constructor takes; `D` is the error's details type. */
export interface CofferErrorOptions<D extends ErrorDetails = ErrorDetails> {
  /** Public, non-secret facts that help the caller fix the problem. */
  details?: D
  /** The lower-level error that caused this one, if any. Never a secret-bearing value. */
  cause?: unknown
}

/**
 * The table every error class is generated from: class name -> stable `code` and, where the
 * error has one, the default `message` its constructor uses when given none. The order is the
 * order of `docs/errors.md`.
 */
const TABLE = {
  InvalidArgumentError: { code: 'INVALID_ARGUMENT' },
  InvalidMnemonicError: { code: 'INVALID_MNEMONIC' },
  InvalidEntropyError: { code: 'INVALID_ENTROPY' },
  InvalidSeedError: { code: 'INVALID_SEED' },
  InvalidPathError: { code: 'INVALID_PATH' },
  InvalidExtendedKeyError: { code: 'INVALID_EXTENDED_KEY' },
  InvalidPrivateKeyError: { code: 'INVALID_PRIVATE_KEY' },
  InvalidAddressError: { code: 'INVALID_ADDRESS' },
  InvalidAmountError: { code: 'INVALID_AMOUNT' },
  InvalidCaipIdError: { code: 'INVALID_CAIP_ID' },
  KeyWipedError: { code: 'KEY_WIPED', message: 'This key has been wiped and can no longer be used.' },
  NotSupportedError: { code: 'NOT_SUPPORTED' },
  VaultNotFoundError: { code: 'VAULT_NOT_FOUND', message: 'No vault in this storage; create one with Vault.create.' },
  VaultLockedError: { code: 'VAULT_LOCKED', message: 'The vault is locked; unlock it with its password first.' },
  WrongPasswordError: { code: 'WRONG_PASSWORD', message: 'Wrong password, or the encrypted data was modified.' },
  VaultFormatError: { code: 'VAULT_FORMAT' },
  UnsupportedVersionError: { code: 'UNSUPPORTED_VERSION' },
  UnsupportedKdfError: { code: 'UNSUPPORTED_KDF' },
  SecretNotFoundError: { code: 'SECRET_NOT_FOUND' },
  StorageError: { code: 'STORAGE' },
  SignatureVerificationError: { code: 'SIGNATURE_VERIFICATION' },
  InsufficientFundsError: { code: 'INSUFFICIENT_FUNDS' },
  ChainMismatchError: { code: 'CHAIN_MISMATCH' },
  RpcError: { code: 'RPC' },
  TransactionTimeoutError: { code: 'TRANSACTION_TIMEOUT' },
  TransactionRejectedError: { code: 'TRANSACTION_REJECTED' },
  UnknownAssetError: { code: 'UNKNOWN_ASSET' },
  PriceSourceError: { code: 'PRICE_SOURCE' },
  ListenerError: { code: 'LISTENER' },
  PolicyViolationError: { code: 'POLICY_VIOLATION' },
  JournalIntegrityError: { code: 'JOURNAL_INTEGRITY' },
  InvalidPaymentUriError: { code: 'INVALID_PAYMENT_URI' },
  BroadcastUnknownError: { code: 'BROADCAST_UNKNOWN' },
  DataIntegrityError: { code: 'DATA_INTEGRITY' },
  StorageConflictError: { code: 'STORAGE_CONFLICT' },
  DeadlineExceededError: { code: 'DEADLINE_EXCEEDED' },
  DiscoveryLimitError: { code: 'DISCOVERY_LIMIT' },
  FeeTooHighError: { code: 'FEE_TOO_HIGH' },
  VaultExistsError: {
    code: 'VAULT_EXISTS',
    message: 'This storage already holds a vault; open it with Vault.open, or choose another storage.',
  },
  UnknownDelegateError: { code: 'UNKNOWN_DELEGATE' },
} as const satisfies Record<string, { readonly code: string; readonly message?: string }>

type Table = typeof TABLE

/** The class name of every coffer error (`'VaultExistsError'`, …). */
export type CofferErrorName = keyof Table

/** The stable code of the error class named `N`. */
export type CodeOf<N extends CofferErrorName> = Table[N]['code']

/** Stable machine-readable codes of every coffer error (derived from {@link COFFER_ERRORS}). */
export type CofferErrorCode = CodeOf<CofferErrorName>

/** The section of `docs/errors.md` that explains `code`: `/docs/errors.md#vault_exists`. */
export type DocsPath<C extends CofferErrorCode = CofferErrorCode> = `/docs/errors.md#${Lowercase<C>}`

/** The documentation link of `code` (the anchor GitHub gives the heading `## CODE`). */
function docsPathOf<C extends CofferErrorCode>(code: C): DocsPath<C> {
  return `/docs/errors.md#${code.toLowerCase() as Lowercase<C>}`
}

/** One row of {@link COFFER_ERRORS}. */
export interface CofferErrorEntry<N extends CofferErrorName = CofferErrorName> {
  /** Stable machine-readable code. */
  readonly code: CodeOf<N>
  /** Where `docs/errors.md` explains it. */
  readonly docsPath: DocsPath<CodeOf<N>>
  /** The message the constructor uses when given none (only some errors have one). */
  readonly message?: string
}

/** Every coffer error class by name, with its code, its documentation link and its default message, if any. */
export const COFFER_ERRORS: { readonly [N in CofferErrorName]: CofferErrorEntry<N> } = /* @__PURE__ */ (() => {
  const rows: Record<string, CofferErrorEntry> = {}
  for (const [name, row] of Object.entries(TABLE) as [CofferErrorName, { readonly code: CofferErrorCode; readonly message?: string }][]) {
    rows[name] = Object.freeze({
      code: row.code,
      docsPath: docsPathOf(row.code),
      ...(row.message === undefined ? {} : { message: row.message }),
    })
  }
  return Object.freeze(rows) as { readonly [N in CofferErrorName]: CofferErrorEntry<N> }
})()

/** Details that may hold any public facts (an open record): for errors raised from many places with different facts. */
type OpenDetails<Known extends ErrorDetails = ErrorDetails> = Known & ErrorDetails

/** Details of an error that carries none today. */
type NoDetails = Readonly<Record<string, never>>

/** Details of {@link BroadcastUnknownError}: `hash` and `chainId` are always there (copied from its `transaction`). */
export type BroadcastUnknownDetails = {
  readonly hash: string
  readonly chainId: string
  readonly nonce?: number
  readonly attempts?: number
  readonly deadlineMs?: number
}

/**
 * The `details` of each error class. Most are closed records of the facts their call sites
 * give (so `new FeeTooHighError(m, { details: { rate, ceiling } })` is checked and
 * `error.details.rate` is a `bigint | undefined`); the ones marked open accept any public
 * facts besides the named ones (their call sites vary too much for a fixed shape).
 */
export type ErrorDetailsMap = {
  /** Open: every parameter check names its own facts. */
  InvalidArgumentError: OpenDetails
  InvalidMnemonicError: {
    readonly reason?: 'word-count' | 'unknown-word' | 'checksum'
    /** 1-based position of the unknown word (never the word). */
    readonly position?: number
    readonly wordCount?: number
    readonly language?: string
    readonly length?: number
  }
  InvalidEntropyError: NoDetails
  InvalidSeedError: NoDetails
  InvalidPathError: { readonly index?: number; readonly segment?: number; readonly depth?: number }
  InvalidExtendedKeyError: NoDetails
  InvalidPrivateKeyError: NoDetails
  InvalidAddressError: { readonly chainId?: string }
  InvalidAmountError: {
    readonly input?: string
    readonly length?: number
    readonly decimals?: number
    readonly fractionDigits?: number
    readonly amount?: bigint
    readonly dust?: bigint
    readonly outputType?: string
    readonly max?: bigint
  }
  InvalidCaipIdError: { readonly kind?: string; readonly expected?: string; readonly suggestion?: string }
  KeyWipedError: NoDetails
  /** Open: names the chain, package or setting that is missing. */
  NotSupportedError: OpenDetails<{ readonly chainId?: string; readonly package?: string }>
  VaultNotFoundError: NoDetails
  VaultLockedError: NoDetails
  WrongPasswordError: NoDetails
  /** Open: names where in the file the problem is. */
  VaultFormatError: OpenDetails
  UnsupportedVersionError: { readonly version?: number }
  UnsupportedKdfError: { readonly algorithm?: string; readonly format?: string }
  SecretNotFoundError: { readonly id?: string }
  StorageError: {
    readonly lock?: string
    readonly lockFile?: string
    readonly waitMs?: number
    readonly pid?: number
    readonly host?: string
  }
  SignatureVerificationError: NoDetails
  InsufficientFundsError: {
    readonly asset?: string
    /** Base units, as a decimal string. */
    readonly needed?: string
    /** Base units, as a decimal string. */
    readonly available?: string
    readonly unconfirmed?: string
    readonly uneconomical?: number
    readonly balance?: string
    readonly fee?: string
    readonly nonce?: number
  }
  ChainMismatchError: { readonly expected?: number | string; readonly reported?: number | string }
  /** Open: HTTP status, JSON-RPC method and code, and whatever the node said. */
  RpcError: OpenDetails<{ readonly status?: number; readonly method?: string }>
  TransactionTimeoutError: { readonly hash?: string; readonly state?: string; readonly confirmations?: number }
  TransactionRejectedError: {
    readonly status?: number
    /** The node's own refusal code: a number (bitcoind's -26, Agave's -32002) or java-tron's name (`TAPOS_ERROR`). */
    readonly code?: number | string
    readonly reason?: string
    readonly nonce?: number
    /** True when the nonce is taken by another transaction (this one can never be mined). */
    readonly nonceTaken?: boolean
  }
  UnknownAssetError: { readonly chainId?: string; readonly assets?: string; readonly known?: string }
  PriceSourceError: { readonly endpoint?: string; readonly status?: number; readonly retryAfter?: number; readonly timeoutMs?: number }
  ListenerError: NoDetails
  /** Open: `rule` names the rule; the rule adds its own facts. */
  PolicyViolationError: OpenDetails<{ readonly rule?: string }>
  JournalIntegrityError: { readonly problems?: string; readonly problemCount?: number; readonly firstSeq?: number }
  /** Open: names the URI part at fault. */
  InvalidPaymentUriError: OpenDetails
  BroadcastUnknownError: BroadcastUnknownDetails
  DataIntegrityError: {
    readonly input?: string
    readonly hashesTo?: string
    readonly outputs?: number
    readonly actual?: bigint
    readonly claimed?: bigint
    readonly hash?: string
    readonly chainId?: string
    readonly index?: string
    readonly got?: string
    readonly expected?: string
  }
  StorageConflictError: { readonly key?: string; readonly attempts?: number; readonly lockFile?: string; readonly staleMs?: number }
  DeadlineExceededError: {
    readonly deadlineMs?: number
    readonly chainId?: string
    readonly hash?: string
    readonly binary?: string
    readonly output?: string
  }
  DiscoveryLimitError: {
    readonly limit?: 'maxDiscoveryAddresses' | 'deadlineMs'
    readonly maxDiscoveryAddresses?: number
    readonly deadlineMs?: number
    readonly scanned?: number
  }
  FeeTooHighError: { readonly rate?: bigint; readonly ceiling?: bigint; readonly level?: string }
  VaultExistsError: NoDetails
  UnknownDelegateError: { readonly delegate?: string; readonly chainId?: string }
}

/** The `details` type of the error class named `N`. */
export type DetailsOf<N extends CofferErrorName> = ErrorDetailsMap[N]

function formatDetails(details: ErrorDetails | undefined): string {
  if (!details) return ''
  const lines = Object.entries(details)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${k}: ${typeof v === 'bigint' ? `${v}n` : String(v)}`)
  return lines.length ? `\n\nDetails:\n${lines.join('\n')}` : ''
}

/** Base class of every error coffer throws on purpose. Catch it to catch them all. */
export class CofferError<D extends ErrorDetails = ErrorDetails> extends Error {
  override name = 'CofferError'
  /** Stable machine-readable code; safe to switch on. */
  readonly code: CofferErrorCode
  /** One line for people, without details. */
  readonly shortMessage: string
  /** Public facts about the failure (never secrets). */
  readonly details: Readonly<D>
  /** Where `docs/errors.md` explains this error and what to do about it. */
  readonly docsPath: DocsPath

  constructor(code: CofferErrorCode, shortMessage: string, options: CofferErrorOptions<D> = {}) {
    super(shortMessage + formatDetails(options.details), options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.shortMessage = shortMessage
    this.details = Object.freeze({ ...options.details }) as Readonly<D>
    this.docsPath = docsPathOf(code)
  }
}

/** An instance of the error class named `N`: literal `name`, `code` and `docsPath`, and its own `details` type. */
export type CofferErrorOf<N extends CofferErrorName> = CofferError<DetailsOf<N>> & {
  readonly name: N
  readonly code: CodeOf<N>
  readonly docsPath: DocsPath<CodeOf<N>>
}

/** Constructor arguments of the error class named `N`: the message is optional where the table gives a default. */
export type CofferErrorArgs<N extends CofferErrorName> = Table[N] extends { readonly message: string }
  ? [shortMessage?: string, options?: CofferErrorOptions<DetailsOf<N>>]
  : [shortMessage: string, options?: CofferErrorOptions<DetailsOf<N>>]

/** The type of a generated error class (`typeof VaultExistsError`). */
export interface CofferErrorClass<N extends CofferErrorName> {
  new (...args: CofferErrorArgs<N>): CofferErrorOf<N>
  readonly prototype: CofferErrorOf<N>
}

/** Makes the class of table row `name`: a real class named `name`, extending {@link CofferError}. */
function defineError<const N extends CofferErrorName>(name: N): CofferErrorClass<N> {
  const { code, message } = TABLE[name] as { readonly code: CofferErrorCode; readonly message?: string }
  const ErrorClass = class extends CofferError {
    constructor(shortMessage?: string, options?: CofferErrorOptions) {
      super(code, shortMessage === undefined && message !== undefined ? message : (shortMessage as string), options)
      this.name = name
    }
  }
  Object.defineProperty(ErrorClass, 'name', { value: name })
  return ErrorClass as unknown as CofferErrorClass<N>
}

/** A parameter has the wrong type, shape or range. */
export const InvalidArgumentError = /* @__PURE__ */ defineError('InvalidArgumentError')
/** An instance of {@link InvalidArgumentError}. */
export type InvalidArgumentError = CofferErrorOf<'InvalidArgumentError'>

/** A mnemonic has the wrong word count, an unknown word or a bad checksum. Never quotes the words. */
export const InvalidMnemonicError = /* @__PURE__ */ defineError('InvalidMnemonicError')
/** An instance of {@link InvalidMnemonicError}. */
export type InvalidMnemonicError = CofferErrorOf<'InvalidMnemonicError'>

/** BIP-39 entropy of the wrong type or length. */
export const InvalidEntropyError = /* @__PURE__ */ defineError('InvalidEntropyError')
/** An instance of {@link InvalidEntropyError}. */
export type InvalidEntropyError = CofferErrorOf<'InvalidEntropyError'>

/** A BIP-32 / SLIP-10 seed of the wrong type or length. */
export const InvalidSeedError = /* @__PURE__ */ defineError('InvalidSeedError')
/** An instance of {@link InvalidSeedError}. */
export type InvalidSeedError = CofferErrorOf<'InvalidSeedError'>

/** A derivation path that does not parse, or cannot be derived from this key. */
export const InvalidPathError = /* @__PURE__ */ defineError('InvalidPathError')
/** An instance of {@link InvalidPathError}. */
export type InvalidPathError = CofferErrorOf<'InvalidPathError'>

/** An extended key (xpub / xprv / tpub / …) that is malformed or invalid (BIP-32 test vector 5). */
export const InvalidExtendedKeyError = /* @__PURE__ */ defineError('InvalidExtendedKeyError')
/** An instance of {@link InvalidExtendedKeyError}. */
export type InvalidExtendedKeyError = CofferErrorOf<'InvalidExtendedKeyError'>

/** A raw private key that is not a valid scalar for its curve. */
export const InvalidPrivateKeyError = /* @__PURE__ */ defineError('InvalidPrivateKeyError')
/** An instance of {@link InvalidPrivateKeyError}. */
export type InvalidPrivateKeyError = CofferErrorOf<'InvalidPrivateKeyError'>

/** An address that does not parse or does not belong to the expected chain / network. */
export const InvalidAddressError = /* @__PURE__ */ defineError('InvalidAddressError')
/** An instance of {@link InvalidAddressError}. */
export type InvalidAddressError = CofferErrorOf<'InvalidAddressError'>

/** An amount string or value that is not an exact, non-negative decimal within range. */
export const InvalidAmountError = /* @__PURE__ */ defineError('InvalidAmountError')
/** An instance of {@link InvalidAmountError}. */
export type InvalidAmountError = CofferErrorOf<'InvalidAmountError'>

/** A CAIP-2 / CAIP-10 / CAIP-19 identifier that does not match its grammar. */
export const InvalidCaipIdError = /* @__PURE__ */ defineError('InvalidCaipIdError')
/** An instance of {@link InvalidCaipIdError}. */
export type InvalidCaipIdError = CofferErrorOf<'InvalidCaipIdError'>

/** A key object was used after `wipe()` (or after its owner locked). */
export const KeyWipedError = /* @__PURE__ */ defineError('KeyWipedError')
/** An instance of {@link KeyWipedError}. */
export type KeyWipedError = CofferErrorOf<'KeyWipedError'>

/** The operation is not supported by this object (chain, adapter, key type). */
export const NotSupportedError = /* @__PURE__ */ defineError('NotSupportedError')
/** An instance of {@link NotSupportedError}. */
export type NotSupportedError = CofferErrorOf<'NotSupportedError'>

/** `Vault.open` found no vault in its storage. */
export const VaultNotFoundError = /* @__PURE__ */ defineError('VaultNotFoundError')
/** An instance of {@link VaultNotFoundError}. */
export type VaultNotFoundError = CofferErrorOf<'VaultNotFoundError'>

/** The vault is locked (or locked itself), so its secrets and signers are unavailable. */
export const VaultLockedError = /* @__PURE__ */ defineError('VaultLockedError')
/** An instance of {@link VaultLockedError}. */
export type VaultLockedError = CofferErrorOf<'VaultLockedError'>

/**
 * The password does not open this vault or keystore. Authenticated encryption cannot tell a
 * wrong password from modified ciphertext, so a tampered file reports this too.
 */
export const WrongPasswordError = /* @__PURE__ */ defineError('WrongPasswordError')
/** An instance of {@link WrongPasswordError}. */
export type WrongPasswordError = CofferErrorOf<'WrongPasswordError'>

/** A vault, keystore or MetaMask file that is not well-formed, or whose parameters are out of bounds. */
export const VaultFormatError = /* @__PURE__ */ defineError('VaultFormatError')
/** An instance of {@link VaultFormatError}. */
export type VaultFormatError = CofferErrorOf<'VaultFormatError'>

/** A file whose format version this coffer does not know (often: written by a newer coffer). */
export const UnsupportedVersionError = /* @__PURE__ */ defineError('UnsupportedVersionError')
/** An instance of {@link UnsupportedVersionError}. */
export type UnsupportedVersionError = CofferErrorOf<'UnsupportedVersionError'>

/** A key-derivation function or cipher this coffer does not implement. */
export const UnsupportedKdfError = /* @__PURE__ */ defineError('UnsupportedKdfError')
/** An instance of {@link UnsupportedKdfError}. */
export type UnsupportedKdfError = CofferErrorOf<'UnsupportedKdfError'>

/** No secret with this id in the vault. */
export const SecretNotFoundError = /* @__PURE__ */ defineError('SecretNotFoundError')
/** An instance of {@link SecretNotFoundError}. */
export type SecretNotFoundError = CofferErrorOf<'SecretNotFoundError'>

/** Reading or writing the vault's storage failed; the previous stored vault is intact. */
export const StorageError = /* @__PURE__ */ defineError('StorageError')
/** An instance of {@link StorageError}. */
export type StorageError = CofferErrorOf<'StorageError'>

/** A signature failed the signer's own check before release (a fault, a bad key, or tampering). */
export const SignatureVerificationError = /* @__PURE__ */ defineError('SignatureVerificationError')
/** An instance of {@link SignatureVerificationError}. */
export type SignatureVerificationError = CofferErrorOf<'SignatureVerificationError'>

/** Not enough of the asset (or of the native coin for the fee) to make this transfer. Raised before signing. */
export const InsufficientFundsError = /* @__PURE__ */ defineError('InsufficientFundsError')
/** An instance of {@link InsufficientFundsError}. */
export type InsufficientFundsError = CofferErrorOf<'InsufficientFundsError'>

/** The node reports another chain than the adapter was configured for; nothing is signed for it. */
export const ChainMismatchError = /* @__PURE__ */ defineError('ChainMismatchError')
/** An instance of {@link ChainMismatchError}. */
export type ChainMismatchError = CofferErrorOf<'ChainMismatchError'>

/** A node or API request failed after retries (network, HTTP status, JSON-RPC error). */
export const RpcError = /* @__PURE__ */ defineError('RpcError')
/** An instance of {@link RpcError}. */
export type RpcError = CofferErrorOf<'RpcError'>

/** A transaction did not reach the wanted confirmations in time. It may still confirm later. */
export const TransactionTimeoutError = /* @__PURE__ */ defineError('TransactionTimeoutError')
/** An instance of {@link TransactionTimeoutError}. */
export type TransactionTimeoutError = CofferErrorOf<'TransactionTimeoutError'>

/** The node refused a transaction on broadcast (bad nonce, underpriced, reverted in simulation, …). */
export const TransactionRejectedError = /* @__PURE__ */ defineError('TransactionRejectedError')
/** An instance of {@link TransactionRejectedError}. */
export type TransactionRejectedError = CofferErrorOf<'TransactionRejectedError'>

/** An asset id or symbol this adapter does not know. */
export const UnknownAssetError = /* @__PURE__ */ defineError('UnknownAssetError')
/** An instance of {@link UnknownAssetError}. */
export type UnknownAssetError = CofferErrorOf<'UnknownAssetError'>

/** A price source failed: network error, timeout, HTTP status (429 carries `retryAfter` seconds) or a malformed answer. */
export const PriceSourceError = /* @__PURE__ */ defineError('PriceSourceError')
/** An instance of {@link PriceSourceError}. */
export type PriceSourceError = CofferErrorOf<'PriceSourceError'>

/** An event listener threw; the emitter reports it (with the thrown value as `cause`) and carries on. */
export const ListenerError = /* @__PURE__ */ defineError('ListenerError')
/** An instance of {@link ListenerError}. */
export type ListenerError = CofferErrorOf<'ListenerError'>

/** A spending policy refused a signature; `details.rule` names the rule (`perWindow`, `allow`, `onBeforeSign`, …). Nothing was signed. */
export const PolicyViolationError = /* @__PURE__ */ defineError('PolicyViolationError')
/** An instance of {@link PolicyViolationError}. */
export type PolicyViolationError = CofferErrorOf<'PolicyViolationError'>

/** The audit journal failed verification (an entry edited, removed, moved or the tail cut); `details.problems` lists the first ones. */
export const JournalIntegrityError = /* @__PURE__ */ defineError('JournalIntegrityError')
/** An instance of {@link JournalIntegrityError}. */
export type JournalIntegrityError = CofferErrorOf<'JournalIntegrityError'>

/** A payment request URI (EIP-681, BIP-21, Solana Pay, TRON) that is malformed, unsupported, or names an invalid address or amount. */
export const InvalidPaymentUriError = /* @__PURE__ */ defineError('InvalidPaymentUriError')
/** An instance of {@link InvalidPaymentUriError}. */
export type InvalidPaymentUriError = CofferErrorOf<'InvalidPaymentUriError'>

/** A signed transaction as it went out: enough to re-broadcast the same bytes or look it up by hash. */
export interface BroadcastTransaction {
  /** CAIP-2 chain id. */
  readonly chainId: `${string}:${string}`
  readonly kind: string
  readonly from: string
  readonly hash: string
  readonly raw: string
}

/**
 * A broadcast whose answer was lost (HTTP 5xx, timeout, reset, an unreadable reply): the node
 * may have the transaction. It is **maybe sent**, never "not sent": keep it counted, re-broadcast
 * `transaction.raw` (the same bytes, idempotent by hash) or look it up by `transaction.hash`, and
 * never sign a second transaction for the same payment until this one is proven unminable.
 *
 * Written by hand (its constructor takes the transaction) but still a row of {@link COFFER_ERRORS}.
 */
export class BroadcastUnknownError extends CofferError<BroadcastUnknownDetails> {
  override name = 'BroadcastUnknownError' as const
  declare readonly code: CodeOf<'BroadcastUnknownError'>
  declare readonly docsPath: DocsPath<CodeOf<'BroadcastUnknownError'>>
  /** The signed transaction whose fate is unknown (public data: it may already be on chain). */
  readonly transaction: BroadcastTransaction
  constructor(
    shortMessage: string,
    transaction: BroadcastTransaction,
    options: CofferErrorOptions<Omit<BroadcastUnknownDetails, 'hash' | 'chainId'>> = {},
  ) {
    super(TABLE.BroadcastUnknownError.code, shortMessage, {
      ...options,
      details: { hash: transaction.hash, chainId: transaction.chainId, ...options.details },
    })
    this.transaction = Object.freeze({
      chainId: transaction.chainId,
      kind: transaction.kind,
      from: transaction.from,
      hash: transaction.hash,
      raw: transaction.raw,
    })
  }
}

/**
 * A server's answer failed a check coffer makes before trusting it: a previous transaction that
 * does not hash to its txid, an output whose value or script differs from what the server listed,
 * a receipt for another transaction. Nothing was signed or reported on its word.
 */
export const DataIntegrityError = /* @__PURE__ */ defineError('DataIntegrityError')
/** An instance of {@link DataIntegrityError}. */
export type DataIntegrityError = CofferErrorOf<'DataIntegrityError'>

/** Another writer (another process, another instance) changed a stored record in a way this write cannot merge; re-read and retry. Nothing was overwritten. */
export const StorageConflictError = /* @__PURE__ */ defineError('StorageConflictError')
/** An instance of {@link StorageConflictError}. */
export type StorageConflictError = CofferErrorOf<'StorageConflictError'>

/** A call that touches the network ran past its overall deadline (`details.deadlineMs`). A broadcast that hits it throws {@link BroadcastUnknownError} instead. */
export const DeadlineExceededError = /* @__PURE__ */ defineError('DeadlineExceededError')
/** An instance of {@link DeadlineExceededError}. */
export type DeadlineExceededError = CofferErrorOf<'DeadlineExceededError'>

/** Account discovery stopped at its cap on addresses or time (`details.limit`): the server reports more used addresses than a real wallet has. */
export const DiscoveryLimitError = /* @__PURE__ */ defineError('DiscoveryLimitError')
/** An instance of {@link DiscoveryLimitError}. */
export type DiscoveryLimitError = CofferErrorOf<'DiscoveryLimitError'>

/** A fee rate from the network is above the adapter's sanity ceiling (`details.rate`, `details.ceiling`); raise the ceiling deliberately to pay it. */
export const FeeTooHighError = /* @__PURE__ */ defineError('FeeTooHighError')
/** An instance of {@link FeeTooHighError}. */
export type FeeTooHighError = CofferErrorOf<'FeeTooHighError'>

/** `Vault.create` (and `Wallet.create`) found a vault already in its storage and overwrote nothing; open it instead, or choose another storage. */
export const VaultExistsError = /* @__PURE__ */ defineError('VaultExistsError')
/** An instance of {@link VaultExistsError}. */
export type VaultExistsError = CofferErrorOf<'VaultExistsError'>

/**
 * An EIP-7702 authorization names a delegate that is not on coffer's list of audited account
 * implementations, and the caller did not name it as the one they insist on (`allowDelegate`):
 * such an authorization hands the account to that contract's code. Nothing was signed.
 */
export const UnknownDelegateError = /* @__PURE__ */ defineError('UnknownDelegateError')
/** An instance of {@link UnknownDelegateError}. */
export type UnknownDelegateError = CofferErrorOf<'UnknownDelegateError'>
