/**
 * The wallet facade: vault + chain adapters + portfolio + policy + audit journal.
 * @module
 */
export {
  Wallet,
  type WalletAccount,
  type WalletAccountOptions,
  type WalletCreateOptions,
  type WalletEvents,
  type WalletOpenOptions,
  type WalletQuote,
  type SendOptions,
  type PayOptions,
} from './wallet.js'
export type { QuoteRequest, AccountRef, BatchQuoteRequest } from './requests.js'
export type { AccountRecord, WalletAddress } from './accounts.js'
