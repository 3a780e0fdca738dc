/**
 * Pricing an EVM transfer: what the transaction calls, how much gas it needs (estimated,
 * with a 20% margin above a plain 21,000-gas send), what it costs at each fee level, and
 * whether the sender can pay amount and fee — all before anything is signed
 * ({@link quoteTransfer} gathers it all).
 * @module
 * @internal
 */
import { encodeFunctionData, erc20Abi, type Hex, type PublicClient } from 'viem'
import type { AssetId } from '../../core/caip.js'
import { InsufficientFundsError, InvalidArgumentError } from '../../core/errors.js'
import { formatAmount } from '../../core/amount.js'
import {
  FEE_LEVELS,
  type Balance,
  type FeeEstimate,
  type FeeLevel,
  type GetBalancesParameters,
  type TransferQuote,
  type TransferRequest,
} from '../adapter.js'
import type { EvmChain } from './networks.js'
import { expectedPricePerGas, gasPricing, maxPricePerGas, type GasPricing } from './fees.js'
import { errorText, rpc } from './client.js'
import type { EvmAsset, TokenBook } from './tokens.js'
import { pricingFields } from './transaction.js'
import type { CheckedTransfer } from './validate.js'

const PLAIN_TRANSFER_GAS = 21_000n

/** The call a transfer makes. */
interface TransferCall {
  to: `0x${string}`
  value: bigint
  data: Hex
}

/** The call that moves `amount` of `asset` to `recipient`. */
function transferCall(asset: EvmAsset, recipient: `0x${string}`, amount: bigint): TransferCall {
  if (asset.kind === 'native') return { to: recipient, value: amount, data: '0x' }
  return {
    to: asset.address as `0x${string}`,
    value: 0n,
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [recipient, amount] }),
  }
}

/** Estimated gas for a call, with the safety margin. */
async function estimateGas(client: PublicClient, from: `0x${string}`, call: TransferCall, marginPercent: bigint): Promise<bigint> {
  const gas = await rpc('Estimating gas', () => client.estimateGas({ account: from, to: call.to, value: call.value, data: call.data }))
  return gas <= PLAIN_TRANSFER_GAS ? gas : (gas * marginPercent) / 100n
}

function feeEstimate(chain: EvmChain, level: FeeLevel, gas: bigint, pricing: GasPricing): FeeEstimate {
  const fields = pricingFields(pricing)
  return {
    level,
    asset: chain.nativeAsset,
    amount: gas * maxPricePerGas(pricing),
    expected: gas * expectedPricePerGas(pricing),
    details: { gas: gas.toString(), ...(JSON.parse(JSON.stringify(fields)) as Record<string, string>) },
  }
}

/** Fee estimates at every level for `gas`. */
function feeEstimates(chain: EvmChain, gas: bigint, pricing: Record<FeeLevel, GasPricing>): Record<FeeLevel, FeeEstimate> {
  return Object.fromEntries(FEE_LEVELS.map((level) => [level, feeEstimate(chain, level, gas, pricing[level])])) as Record<
    FeeLevel,
    FeeEstimate
  >
}

function short(asset: { symbol: string; decimals: number }, units: bigint): string {
  return `${formatAmount(units, asset.decimals)} ${asset.symbol}`
}

/** Everything `quoteTransfer` has gathered. */
interface QuoteInputs {
  chain: EvmChain
  request: TransferRequest & { from: `0x${string}`; to: `0x${string}` }
  asset: EvmAsset
  nativeAsset: EvmAsset
  level: FeeLevel
  pricing: Record<FeeLevel, GasPricing>
  nativeBalance: bigint
  assetBalance: bigint
  gas: bigint
}

/** Resolves `'max'`, checks funds for amount and fee, and returns the quote. @throws InsufficientFundsError */
function makeQuote(q: QuoteInputs): TransferQuote {
  const fees = feeEstimates(q.chain, q.gas, q.pricing)
  const fee = fees[q.level]
  const native = q.asset.kind === 'native'
  let amount: bigint
  if (q.request.amount === 'max') {
    amount = native ? q.nativeBalance - fee.amount : q.assetBalance
    if (amount <= 0n) {
      throw new InsufficientFundsError(`Nothing to send: the ${q.asset.symbol} balance ${native ? 'does not cover the fee' : 'is zero'}.`, {
        details: {
          asset: q.asset.id,
          balance: short(q.asset, native ? q.nativeBalance : q.assetBalance),
          fee: short(q.nativeAsset, fee.amount),
        },
      })
    }
  } else {
    amount = q.request.amount
  }
  const neededNative = (native ? amount : 0n) + fee.amount
  if (!native && q.assetBalance < amount) {
    throw new InsufficientFundsError(
      `Not enough ${q.asset.symbol}: sending ${short(q.asset, amount)}, the balance is ${short(q.asset, q.assetBalance)}.`,
      {
        details: { asset: q.asset.id, needed: amount.toString(), available: q.assetBalance.toString() },
      },
    )
  }
  if (q.nativeBalance < neededNative) {
    throw new InsufficientFundsError(
      native
        ? `Not enough ${q.asset.symbol}: ${short(q.asset, amount)} plus up to ${short(q.nativeAsset, fee.amount)} fee, the balance is ${short(q.asset, q.nativeBalance)}.`
        : `Not enough ${q.nativeAsset.symbol} for the fee: up to ${short(q.nativeAsset, fee.amount)}, the balance is ${short(q.nativeAsset, q.nativeBalance)}.`,
      { details: { asset: q.nativeAsset.id, needed: neededNative.toString(), available: q.nativeBalance.toString() } },
    )
  }
  const call = transferCall(q.asset, q.request.to, amount)
  return Object.freeze({
    chainId: q.chain.caip2,
    from: q.request.from,
    to: q.request.to,
    asset: q.asset.id,
    amount,
    feeLevel: q.level,
    fee,
    fees,
    createdAt: Date.now(),
    details: { call: { to: call.to, value: call.value.toString(), data: call.data }, gas: q.gas.toString() },
  })
}

/** What a quote works with. */
export interface QuoteContext {
  readonly chain: EvmChain
  readonly client: PublicClient
  readonly tokens: TokenBook
  /** Gas estimate margin in percent. */
  readonly gasMargin: bigint
  /** Checks the node serves the chain. @throws ChainMismatchError */
  verifyChain(): Promise<void>
  /** The adapter's balance read. */
  balances(parameters: GetBalancesParameters): Promise<Balance[]>
}

/**
 * Prices a checked transfer: verifies the chain, reads the asset, gas prices and the sender's
 * balances, estimates gas (not for a token amount above the balance: the quote reports the
 * shortfall), and makes the quote.
 * @throws InsufficientFundsError; ChainMismatchError; InvalidCaipIdError, UnknownAssetError; RpcError
 */
export async function quoteTransfer(ctx: QuoteContext, transfer: CheckedTransfer): Promise<TransferQuote> {
  const { request: r, from, to, amount, level } = transfer
  await ctx.verifyChain()
  const [asset, native] = await Promise.all([ctx.tokens.get(r.asset as AssetId), ctx.tokens.get(ctx.chain.nativeAsset)])
  const [pricing, balances] = await Promise.all([
    gasPricing(ctx.client, ctx.chain),
    ctx.balances({ addresses: [from], assets: asset.kind === 'native' ? [asset.id] : [native.id, asset.id] }),
  ])
  const read = (id: AssetId) => {
    const b = balances.find((x) => x.asset === id)
    if (!b || !b.ok) throw b && !b.ok ? b.error : new InvalidArgumentError('balance missing')
    return b.amount
  }
  const nativeBalance = read(native.id)
  const assetBalance = read(asset.id)
  const inputs = {
    chain: ctx.chain,
    request: { ...(r as TransferRequest), from, to, amount },
    asset,
    nativeAsset: native,
    level,
    pricing,
    nativeBalance,
    assetBalance,
  }
  const probeAmount = amount === 'max' ? (asset.kind === 'native' ? 0n : assetBalance) : amount
  if (asset.kind === 'token' && probeAmount > assetBalance) {
    // Estimating would revert; the quote below reports the shortfall precisely.
    return makeQuote({ ...inputs, gas: 0n })
  }
  const gas = await estimateGas(ctx.client, from, transferCall(asset, to, probeAmount), ctx.gasMargin).catch((error: unknown) => {
    if (/insufficient funds|exceeds balance|transfer amount exceeds/.test(errorText(error))) {
      throw new InsufficientFundsError(`The node says ${from} cannot pay for this transfer.`, { cause: error })
    }
    throw error
  })
  return makeQuote({ ...inputs, gas })
}
