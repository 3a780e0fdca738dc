/**
 * How the CLI shows amounts, accounts and quotes to people, and their JSON forms.
 * @module
 * @internal
 */
import { formatAmount } from '../core/amount.js'
import { findChainFamily } from '../chains/family.js'
import type { WalletAccount, WalletQuote } from '../wallet/wallet.js'
import type { CliConfig } from './config.js'
import { chainName } from './chains.js'

/** `1.5 USDT`. */
export function amountText(units: bigint, decimals: number, symbol: string): string {
  return `${formatAmount(units, decimals)} ${symbol}`
}

/** How an account is shown: the address, or for a multi-address account (Bitcoin) its index and type. */
export function accountText(account: Pick<WalletAccount, 'chainId' | 'address' | 'index' | 'addressType'>): string {
  const family = findChainFamily(account.chainId)
  if (!family?.addressAt) return account.address
  const type = account.addressType ?? family.accountOptions({}).addressType
  return `account ${account.index}${typeof type === 'string' ? ` (${type})` : ''}`
}

/** The JSON form of a wallet account. */
export function accountJson(account: WalletAccount): Record<string, unknown> {
  return {
    chainId: account.chainId,
    index: account.index,
    ...(account.addressType ? { addressType: account.addressType } : {}),
    address: account.address,
    ...(account.descriptor ? { descriptor: account.descriptor } : {}),
    ...(account.label ? { label: account.label } : {}),
  }
}

/** A quote's payer: the address, or "your Bitcoin account" for a multi-address account's descriptor. */
function fromText(chainId: WalletQuote['chainId'], from: string): string {
  const family = findChainFamily(chainId)
  return family?.accountFromId?.(chainId, from) ? `your ${family.title} account` : from
}

/** The lines that describe a quote before it is confirmed. */
export function quoteLines(config: CliConfig, q: WalletQuote): string[] {
  return [
    `Send:   ${amountText(q.amount, q.decimals, q.symbol)}`,
    `Chain:  ${chainName(config, q.chainId)}${chainName(config, q.chainId) === q.chainId ? '' : ` (${q.chainId})`}`,
    `From:   ${fromText(q.chainId, q.from)}`,
    `To:     ${q.to}`,
    `Fee:    up to ${amountText(q.fee.amount, q.feeDecimals, q.feeSymbol)} (${q.feeLevel}; likely ${amountText(q.fee.expected, q.feeDecimals, q.feeSymbol)})`,
  ]
}

/** The JSON form of a quote. */
export function quoteJson(q: WalletQuote): Record<string, unknown> {
  return {
    chainId: q.chainId,
    from: q.from,
    to: q.to,
    asset: q.asset,
    symbol: q.symbol,
    decimals: q.decimals,
    amount: q.amount,
    amountFormatted: formatAmount(q.amount, q.decimals),
    fee: {
      asset: q.fee.asset,
      symbol: q.feeSymbol,
      decimals: q.feeDecimals,
      amount: q.fee.amount,
      expected: q.fee.expected,
      level: q.feeLevel,
    },
  }
}
