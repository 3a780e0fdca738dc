/**
 * coffer: a typed SDK for self-custody crypto and stablecoin wallets.
 * This entry re-exports the public API; subpaths (`coffer/keys`, …) hold the same
 * pieces for bundles that want less.
 * @module coffer
 */
export * from './core/errors.js'
export { parseAmount, formatAmount, MAX_AMOUNT, MAX_DECIMALS } from './core/amount.js'
export {
  parseChainId,
  formatChainId,
  isChainId,
  parseAccountId,
  formatAccountId,
  parseAssetId,
  formatAssetId,
  type ChainId,
  type AccountId,
  type AssetId,
  type ChainIdParts,
  type AccountIdParts,
  type AssetIdParts,
} from './core/caip.js'
export * from './keys/index.js'
export * from './vault/index.js'
export type {
  ChainAdapter,
  AdapterCapabilities,
  AssetInfo,
  Balance,
  BalanceRead,
  BalanceFailure,
  GetBalancesParameters,
  GetTransfersParameters,
  ChainTransfer,
  TransferScan,
  TransferRequest,
  TransferQuote,
  FeeEstimate,
  FeeLevel,
  UnsignedTransaction,
  SignedTransaction,
  SendTransferOptions,
  TransactionState,
  TransactionStatus,
  WaitOptions,
  HistoryItem,
  HistoryOptions,
  HistoryPage,
  BlockRef,
  Json,
  TypedDataSpend,
  ReceiveAddress,
  MessageSignature,
  ReplaceTransactionOptions,
} from './chains/adapter.js'
export {
  registerChainFamily,
  chainFamily,
  findChainFamily,
  chainFamilies,
  namespaceOf,
  type ChainFamily,
  type FamilyNetwork,
  type KeySource,
  type FamilyAccount,
  type FamilyAccountKeys,
  type FamilyAddress,
  type FamilyPaymentScheme,
  type FamilyCliConfig,
  type FamilyCliOption,
  type FamilyChainConfig,
} from './chains/family.js'
export { FEE_LEVELS } from './chains/adapter.js'
export * from './portfolio/index.js'
export * from './wallet/index.js'
export type { PolicyOptions, AssetLimit, FiatLimit, SignSummary } from './policy/policy.js'
export {
  AuditJournal,
  verifyChain,
  type AuditEntry,
  type AuditEntryInput,
  type AuditDecision,
  type AuditEntryKind,
  type JournalHead,
  type JournalProblem,
  type JournalVerification,
} from './audit/journal.js'
export { PAYMENT_STATUSES, type PaymentStatus } from './audit/entry.js'
export {
  parsePaymentUri,
  formatPaymentUri,
  type PaymentRequest,
  type PaymentUriScheme,
  type ParsePaymentUriOptions,
} from './payments/uri.js'
export { paymentQr, type PaymentQrOptions } from './payments/qr.js'
