/**
 * Every error coffer throws on purpose is a {@link CofferError} subclass with a stable
 * `code`, a literal `name`, a one-line `shortMessage` and structured `details`.
 *
 * Rule: no message, detail or cause ever carries a secret (mnemonic words, key bytes,
 * passphrases, passwords). Callers put positions, counts and public values in `details`.
 * @module
 */

/** Public, non-secret facts about a failure: positions, counts, expected values. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | bigint | null | undefined>>

/** Options every {@link CofferError} constructor takes. */
export interface CofferErrorOptions {
  /** Public, non-secret facts that help the caller fix the problem. */
  details?: ErrorDetails
  /** The lower-level error that caused this one, if any. Never a secret-bearing value. */
  cause?: unknown
}

/** Stable machine-readable codes of every coffer error. */
export type CofferErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_MNEMONIC'
  | 'INVALID_ENTROPY'
  | 'INVALID_SEED'
  | 'INVALID_PATH'
  | 'INVALID_EXTENDED_KEY'
  | 'INVALID_PRIVATE_KEY'
  | 'INVALID_ADDRESS'
  | 'INVALID_AMOUNT'
  | 'INVALID_CAIP_ID'
  | 'KEY_WIPED'
  | 'NOT_SUPPORTED'
  | 'VAULT_NOT_FOUND'
  | 'VAULT_LOCKED'
  | 'WRONG_PASSWORD'
  | 'VAULT_FORMAT'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_KDF'
  | 'SECRET_NOT_FOUND'
  | 'STORAGE'
  | 'SIGNATURE_VERIFICATION'
  | 'INSUFFICIENT_FUNDS'
  | 'CHAIN_MISMATCH'
  | 'RPC'
  | 'TRANSACTION_TIMEOUT'
  | 'TRANSACTION_REJECTED'
  | 'UNKNOWN_ASSET'
  | 'PRICE_SOURCE'
  | 'LISTENER'
  | 'POLICY_VIOLATION'
  | 'JOURNAL_INTEGRITY'
  | 'INVALID_PAYMENT_URI'
  | 'BROADCAST_UNKNOWN'
  | 'DATA_INTEGRITY'
  | 'STORAGE_CONFLICT'
  | 'DEADLINE_EXCEEDED'
  | 'DISCOVERY_LIMIT'
  | 'FEE_TOO_HIGH'
  | 'VAULT_EXISTS'

function formatDetails(details: ErrorDetails | undefined): string {
  if (!details) return ''
  const lines = Object.entries(details)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${k}: ${typeof v === 'bigint' ? `${v}n` : String(v)}`)
  return lines.length ? `\n\nDetails:\n${lines.join('\n')}` : ''
}

/** Base class of every error coffer throws on purpose. Catch it to catch them all. */
export class CofferError extends Error {
  override name = 'CofferError'
  /** Stable machine-readable code; safe to switch on. */
  readonly code: CofferErrorCode
  /** One line for people, without details. */
  readonly shortMessage: string
  /** Public facts about the failure (never secrets). */
  readonly details: ErrorDetails

  constructor(code: CofferErrorCode, shortMessage: string, options: CofferErrorOptions = {}) {
    super(shortMessage + formatDetails(options.details), options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.shortMessage = shortMessage
    this.details = Object.freeze({ ...options.details })
  }
}

/** A parameter has the wrong type, shape or range. */
export class InvalidArgumentError extends CofferError {
  override name = 'InvalidArgumentError' as const
  declare readonly code: 'INVALID_ARGUMENT'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_ARGUMENT', shortMessage, options)
  }
}

/** A mnemonic has the wrong word count, an unknown word or a bad checksum. Never quotes the words. */
export class InvalidMnemonicError extends CofferError {
  override name = 'InvalidMnemonicError' as const
  declare readonly code: 'INVALID_MNEMONIC'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_MNEMONIC', shortMessage, options)
  }
}

/** BIP-39 entropy of the wrong type or length. */
export class InvalidEntropyError extends CofferError {
  override name = 'InvalidEntropyError' as const
  declare readonly code: 'INVALID_ENTROPY'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_ENTROPY', shortMessage, options)
  }
}

/** A BIP-32 / SLIP-10 seed of the wrong type or length. */
export class InvalidSeedError extends CofferError {
  override name = 'InvalidSeedError' as const
  declare readonly code: 'INVALID_SEED'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_SEED', shortMessage, options)
  }
}

/** A derivation path that does not parse, or cannot be derived from this key. */
export class InvalidPathError extends CofferError {
  override name = 'InvalidPathError' as const
  declare readonly code: 'INVALID_PATH'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_PATH', shortMessage, options)
  }
}

/** An extended key (xpub / xprv / tpub / …) that is malformed or invalid (BIP-32 test vector 5). */
export class InvalidExtendedKeyError extends CofferError {
  override name = 'InvalidExtendedKeyError' as const
  declare readonly code: 'INVALID_EXTENDED_KEY'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_EXTENDED_KEY', shortMessage, options)
  }
}

/** A raw private key that is not a valid scalar for its curve. */
export class InvalidPrivateKeyError extends CofferError {
  override name = 'InvalidPrivateKeyError' as const
  declare readonly code: 'INVALID_PRIVATE_KEY'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_PRIVATE_KEY', shortMessage, options)
  }
}

/** An address that does not parse or does not belong to the expected chain / network. */
export class InvalidAddressError extends CofferError {
  override name = 'InvalidAddressError' as const
  declare readonly code: 'INVALID_ADDRESS'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_ADDRESS', shortMessage, options)
  }
}

/** An amount string or value that is not an exact, non-negative decimal within range. */
export class InvalidAmountError extends CofferError {
  override name = 'InvalidAmountError' as const
  declare readonly code: 'INVALID_AMOUNT'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_AMOUNT', shortMessage, options)
  }
}

/** A CAIP-2 / CAIP-10 / CAIP-19 identifier that does not match its grammar. */
export class InvalidCaipIdError extends CofferError {
  override name = 'InvalidCaipIdError' as const
  declare readonly code: 'INVALID_CAIP_ID'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_CAIP_ID', shortMessage, options)
  }
}

/** A key object was used after `wipe()` (or after its owner locked). */
export class KeyWipedError extends CofferError {
  override name = 'KeyWipedError' as const
  declare readonly code: 'KEY_WIPED'
  constructor(shortMessage = 'This key has been wiped and can no longer be used.', options?: CofferErrorOptions) {
    super('KEY_WIPED', shortMessage, options)
  }
}

/** The operation is not supported by this object (chain, adapter, key type). */
export class NotSupportedError extends CofferError {
  override name = 'NotSupportedError' as const
  declare readonly code: 'NOT_SUPPORTED'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('NOT_SUPPORTED', shortMessage, options)
  }
}

/** `Vault.open` found no vault in its storage. */
export class VaultNotFoundError extends CofferError {
  override name = 'VaultNotFoundError' as const
  declare readonly code: 'VAULT_NOT_FOUND'
  constructor(shortMessage = 'No vault in this storage; create one with Vault.create.', options?: CofferErrorOptions) {
    super('VAULT_NOT_FOUND', shortMessage, options)
  }
}

/** The vault is locked (or locked itself), so its secrets and signers are unavailable. */
export class VaultLockedError extends CofferError {
  override name = 'VaultLockedError' as const
  declare readonly code: 'VAULT_LOCKED'
  constructor(shortMessage = 'The vault is locked; unlock it with its password first.', options?: CofferErrorOptions) {
    super('VAULT_LOCKED', shortMessage, options)
  }
}

/**
 * The password does not open this vault or keystore. Authenticated encryption cannot tell a
 * wrong password from modified ciphertext, so a tampered file reports this too.
 */
export class WrongPasswordError extends CofferError {
  override name = 'WrongPasswordError' as const
  declare readonly code: 'WRONG_PASSWORD'
  constructor(shortMessage = 'Wrong password, or the encrypted data was modified.', options?: CofferErrorOptions) {
    super('WRONG_PASSWORD', shortMessage, options)
  }
}

/** A vault, keystore or MetaMask file that is not well-formed, or whose parameters are out of bounds. */
export class VaultFormatError extends CofferError {
  override name = 'VaultFormatError' as const
  declare readonly code: 'VAULT_FORMAT'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('VAULT_FORMAT', shortMessage, options)
  }
}

/** A file whose format version this coffer does not know (often: written by a newer coffer). */
export class UnsupportedVersionError extends CofferError {
  override name = 'UnsupportedVersionError' as const
  declare readonly code: 'UNSUPPORTED_VERSION'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('UNSUPPORTED_VERSION', shortMessage, options)
  }
}

/** A key-derivation function or cipher this coffer does not implement. */
export class UnsupportedKdfError extends CofferError {
  override name = 'UnsupportedKdfError' as const
  declare readonly code: 'UNSUPPORTED_KDF'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('UNSUPPORTED_KDF', shortMessage, options)
  }
}

/** No secret with this id in the vault. */
export class SecretNotFoundError extends CofferError {
  override name = 'SecretNotFoundError' as const
  declare readonly code: 'SECRET_NOT_FOUND'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('SECRET_NOT_FOUND', shortMessage, options)
  }
}

/** Reading or writing the vault's storage failed; the previous stored vault is intact. */
export class StorageError extends CofferError {
  override name = 'StorageError' as const
  declare readonly code: 'STORAGE'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('STORAGE', shortMessage, options)
  }
}

/** A signature failed the signer's own check before release (a fault, a bad key, or tampering). */
export class SignatureVerificationError extends CofferError {
  override name = 'SignatureVerificationError' as const
  declare readonly code: 'SIGNATURE_VERIFICATION'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('SIGNATURE_VERIFICATION', shortMessage, options)
  }
}

/** Not enough of the asset (or of the native coin for the fee) to make this transfer. Raised before signing. */
export class InsufficientFundsError extends CofferError {
  override name = 'InsufficientFundsError' as const
  declare readonly code: 'INSUFFICIENT_FUNDS'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INSUFFICIENT_FUNDS', shortMessage, options)
  }
}

/** The node reports another chain than the adapter was configured for; nothing is signed for it. */
export class ChainMismatchError extends CofferError {
  override name = 'ChainMismatchError' as const
  declare readonly code: 'CHAIN_MISMATCH'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('CHAIN_MISMATCH', shortMessage, options)
  }
}

/** A node or API request failed after retries (network, HTTP status, JSON-RPC error). */
export class RpcError extends CofferError {
  override name = 'RpcError' as const
  declare readonly code: 'RPC'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('RPC', shortMessage, options)
  }
}

/** A transaction did not reach the wanted confirmations in time. It may still confirm later. */
export class TransactionTimeoutError extends CofferError {
  override name = 'TransactionTimeoutError' as const
  declare readonly code: 'TRANSACTION_TIMEOUT'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('TRANSACTION_TIMEOUT', shortMessage, options)
  }
}

/** The node refused a transaction on broadcast (bad nonce, underpriced, reverted in simulation, …). */
export class TransactionRejectedError extends CofferError {
  override name = 'TransactionRejectedError' as const
  declare readonly code: 'TRANSACTION_REJECTED'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('TRANSACTION_REJECTED', shortMessage, options)
  }
}

/** An asset id or symbol this adapter does not know. */
export class UnknownAssetError extends CofferError {
  override name = 'UnknownAssetError' as const
  declare readonly code: 'UNKNOWN_ASSET'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('UNKNOWN_ASSET', shortMessage, options)
  }
}

/** A price source failed: network error, timeout, HTTP status (429 carries `retryAfter` seconds) or a malformed answer. */
export class PriceSourceError extends CofferError {
  override name = 'PriceSourceError' as const
  declare readonly code: 'PRICE_SOURCE'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('PRICE_SOURCE', shortMessage, options)
  }
}

/** An event listener threw; the emitter reports it (with the thrown value as `cause`) and carries on. */
export class ListenerError extends CofferError {
  override name = 'ListenerError' as const
  declare readonly code: 'LISTENER'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('LISTENER', shortMessage, options)
  }
}

/** The audit journal failed verification (an entry edited, removed, moved or the tail cut); `details.problems` lists the first ones. */
export class JournalIntegrityError extends CofferError {
  override name = 'JournalIntegrityError' as const
  declare readonly code: 'JOURNAL_INTEGRITY'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('JOURNAL_INTEGRITY', shortMessage, options)
  }
}

/** A payment request URI (EIP-681, BIP-21, Solana Pay, TRON) that is malformed, unsupported, or names an invalid address or amount. */
export class InvalidPaymentUriError extends CofferError {
  override name = 'InvalidPaymentUriError' as const
  declare readonly code: 'INVALID_PAYMENT_URI'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('INVALID_PAYMENT_URI', shortMessage, options)
  }
}

/** A spending policy refused a signature; `details.rule` names the rule (`perWindow`, `allow`, `onBeforeSign`, …). Nothing was signed. */
export class PolicyViolationError extends CofferError {
  override name = 'PolicyViolationError' as const
  declare readonly code: 'POLICY_VIOLATION'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('POLICY_VIOLATION', shortMessage, options)
  }
}

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
 */
export class BroadcastUnknownError extends CofferError {
  override name = 'BroadcastUnknownError' as const
  declare readonly code: 'BROADCAST_UNKNOWN'
  /** The signed transaction whose fate is unknown (public data: it may already be on chain). */
  readonly transaction: BroadcastTransaction
  constructor(shortMessage: string, transaction: BroadcastTransaction, options: CofferErrorOptions = {}) {
    super('BROADCAST_UNKNOWN', shortMessage, { ...options, details: { hash: transaction.hash, chainId: transaction.chainId, ...options.details } })
    this.transaction = Object.freeze({ chainId: transaction.chainId, kind: transaction.kind, from: transaction.from, hash: transaction.hash, raw: transaction.raw })
  }
}

/**
 * A server's answer failed a check coffer makes before trusting it: a previous transaction that
 * does not hash to its txid, an output whose value or script differs from what the server listed,
 * a receipt for another transaction. Nothing was signed or reported on its word.
 */
export class DataIntegrityError extends CofferError {
  override name = 'DataIntegrityError' as const
  declare readonly code: 'DATA_INTEGRITY'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('DATA_INTEGRITY', shortMessage, options)
  }
}

/** Another writer (another process, another instance) changed a stored record in a way this write cannot merge; re-read and retry. Nothing was overwritten. */
export class StorageConflictError extends CofferError {
  override name = 'StorageConflictError' as const
  declare readonly code: 'STORAGE_CONFLICT'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('STORAGE_CONFLICT', shortMessage, options)
  }
}

/** A call that touches the network ran past its overall deadline (`details.deadlineMs`). A broadcast that hits it throws {@link BroadcastUnknownError} instead. */
export class DeadlineExceededError extends CofferError {
  override name = 'DeadlineExceededError' as const
  declare readonly code: 'DEADLINE_EXCEEDED'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('DEADLINE_EXCEEDED', shortMessage, options)
  }
}

/** Account discovery stopped at its cap on addresses or time (`details.limit`): the server reports more used addresses than a real wallet has. */
export class DiscoveryLimitError extends CofferError {
  override name = 'DiscoveryLimitError' as const
  declare readonly code: 'DISCOVERY_LIMIT'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('DISCOVERY_LIMIT', shortMessage, options)
  }
}

/** A fee rate from the network is above the adapter's sanity ceiling (`details.rate`, `details.ceiling`); raise the ceiling deliberately to pay it. */
export class FeeTooHighError extends CofferError {
  override name = 'FeeTooHighError' as const
  declare readonly code: 'FEE_TOO_HIGH'
  constructor(shortMessage: string, options?: CofferErrorOptions) {
    super('FEE_TOO_HIGH', shortMessage, options)
  }
}

/** `Vault.create` (and `Wallet.create`) found a vault already in its storage and overwrote nothing; open it instead, or choose another storage. */
export class VaultExistsError extends CofferError {
  override name = 'VaultExistsError' as const
  declare readonly code: 'VAULT_EXISTS'
  constructor(shortMessage = 'This storage already holds a vault; open it with Vault.open, or choose another storage.', options?: CofferErrorOptions) {
    super('VAULT_EXISTS', shortMessage, options)
  }
}
