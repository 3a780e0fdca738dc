/**
 * Paying gas in a stablecoin on the account's own address: the EOA runs Simple7702Account's
 * code under EIP-7702 (delegated inside its first operation, by an authorization the bundler
 * carries, so an account with no ETH can start), and sends ERC-4337 v0.8 operations through a
 * bundler; a token paymaster pays the gas and takes the token in the same operation.
 *
 * One operation = `executeBatch([approve(paymaster, 0)?, approve(paymaster, maxFee), transfer…])`.
 * The approval is exactly the most the fee can be at the quoted rate ({@link maxTokenFee}), so
 * the fee the quote shows, the policy checks and the account signs is a hard on-chain cap; the
 * reset to 0 first is there for tokens (USDT) that refuse to change a non-zero allowance.
 *
 * This file prices the operation (the quote); sponsored-send.ts signs and sends it.
 * @module
 * @internal
 */
import { encodeFunctionData, erc20Abi, type Hex, type PublicClient } from 'viem'
import type { AssetId } from '../../core/caip.js'
import { formatAmount } from '../../core/amount.js'
import { assertOptions } from '../../core/assert.js'
import { InsufficientFundsError, InvalidArgumentError, NotSupportedError, UnknownDelegateError } from '../../core/errors.js'
import { isValidEvmAddress, toChecksumAddress } from '../../keys/address/evm.js'
import { FEE_LEVELS, type FeeEstimate, type FeeLevel, type TransferQuote } from '../adapter.js'
import { BundlerClient } from './bundler.js'
import { rpc } from './client.js'
import { KNOWN_DELEGATES, delegationOf } from './eip7702.js'
import { expectedPricePerGas, gasPricing, type GasPricing } from './fees.js'
import type { QuoteContext } from './quote.js'
import { TokenPaymasterClient, maxTokenFee, type TokenQuote } from './token-paymaster.js'
import type { EvmAsset } from './tokens.js'
import type { UserOperation } from './user-operation.js'

/** Options of an EVM adapter's `stablecoinGas`: where the bundler and the token paymaster service are. */
export interface StablecoinGasOptions {
  /** An ERC-4337 bundler's JSON-RPC URL (ERC-7769: any bundler). */
  readonly bundlerUrl: string
  /** A token paymaster service's URL: ERC-7677 `pm_*` methods and `pimlico_getTokenQuotes`. */
  readonly paymasterUrl: string
  /** Accept only this paymaster contract from the service (recommended: the one you audited). */
  readonly paymaster?: string
  /** The account code installed on an EOA that has none, default Simple7702Account v0.8 (KNOWN_DELEGATES[0]). */
  readonly delegate?: string
  /** A delegate outside KNOWN_DELEGATES the caller insists on, by address (as signAuthorization's option). */
  readonly allowDelegate?: string
}

/** The adapter's stablecoin-gas setup, checked. */
export interface StablecoinGas {
  readonly bundler: BundlerClient
  readonly paymaster: TokenPaymasterClient
  readonly delegate: `0x${string}`
  readonly entryPoint: `0x${string}`
  readonly allowDelegate?: `0x${string}`
}

/** Simple7702Account v0.8's batch call (BaseAccount.executeBatch). */
const EXECUTE_BATCH_ABI = [
  {
    type: 'function',
    name: 'executeBatch',
    stateMutability: 'nonpayable',
    inputs: [
      {
        name: 'calls',
        type: 'tuple[]',
        components: [
          { name: 'target', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'data', type: 'bytes' },
        ],
      },
    ],
    outputs: [],
  },
] as const

/** EntryPoint v0.8's nonce read. */
export const GET_NONCE_ABI = [
  {
    type: 'function',
    name: 'getNonce',
    stateMutability: 'view',
    inputs: [
      { name: 'sender', type: 'address' },
      { name: 'key', type: 'uint192' },
    ],
    outputs: [{ name: 'nonce', type: 'uint256' }],
  },
] as const

/**
 * A signature of the right shape that recovers to no one's account: accounts check it without
 * reverting, so bundlers can estimate before the real one exists (the one viem's accounts use).
 */
const STUB_SIGNATURE: Hex = `0x${'ff'.repeat(15)}f0${'00'.repeat(16)}7a${'aa'.repeat(31)}1c`

/** Checks `stablecoinGas` options. @throws InvalidArgumentError, UnknownDelegateError */
export function stablecoinGas(
  options: StablecoinGasOptions,
  transport: { timeoutMs: number; retryCount: number; fetch?: typeof fetch },
): StablecoinGas {
  const o = assertOptions(options, 'stablecoinGas') as StablecoinGasOptions
  const url = (value: unknown, name: string): string => {
    if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/.test(value))
      throw new InvalidArgumentError(`stablecoinGas.${name} must be an http(s) URL.`)
    return value
  }
  const addr = (value: unknown, name: string): `0x${string}` | undefined => {
    if (value === undefined) return undefined
    if (typeof value !== 'string' || !isValidEvmAddress(value))
      throw new InvalidArgumentError(`stablecoinGas.${name} must be an EVM address.`)
    return toChecksumAddress(value)
  }
  const allowDelegate = addr(o.allowDelegate, 'allowDelegate')
  const delegate = addr(o.delegate, 'delegate') ?? KNOWN_DELEGATES[0]!.address
  const known = KNOWN_DELEGATES.find((d) => d.address.toLowerCase() === delegate.toLowerCase())
  if (!known && allowDelegate?.toLowerCase() !== delegate.toLowerCase())
    throw new UnknownDelegateError(
      `stablecoinGas.delegate ${delegate} is not a known account implementation; an authorization to it hands the account over. Pass allowDelegate: '${delegate}' only after auditing it.`,
      { details: { delegate } },
    )
  const settings = (u: string) => ({ url: u, ...transport })
  return {
    bundler: new BundlerClient(settings(url(o.bundlerUrl, 'bundlerUrl'))),
    paymaster: new TokenPaymasterClient(settings(url(o.paymasterUrl, 'paymasterUrl')), addr(o.paymaster, 'paymaster')),
    delegate,
    // An unknown delegate the caller insists on must trust the same EntryPoint v0.8.
    entryPoint: known?.entryPoint ?? KNOWN_DELEGATES[0]!.entryPoint,
    ...(allowDelegate ? { allowDelegate } : {}),
  }
}

/** One payment in an operation. */
export interface SponsoredPayment {
  readonly to: `0x${string}`
  readonly amount: bigint
}

/** What the operation does, JSON-safe, kept in the quote's details and rebuilt identically at send time. */
export interface SponsoredPlan {
  readonly token: `0x${string}`
  readonly payments: readonly SponsoredPayment[]
  readonly paymaster: `0x${string}`
  /** The approval (= the fee cap in the token). */
  readonly approval: bigint
  /** Whether the allowance is set to 0 first (it was not 0 when quoted). */
  readonly resetApproval: boolean
}

/** The calls of an operation, in order. */
function planCalls(plan: SponsoredPlan): { target: `0x${string}`; value: bigint; data: Hex }[] {
  const call = (data: Hex) => ({ target: plan.token, value: 0n, data })
  const approve = (amount: bigint) => call(encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [plan.paymaster, amount] }))
  return [
    ...(plan.resetApproval ? [approve(0n)] : []),
    approve(plan.approval),
    ...plan.payments.map((p) => call(encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [p.to, p.amount] }))),
  ]
}

/** The operation's callData. */
function planCallData(plan: SponsoredPlan): Hex {
  return encodeFunctionData({ abi: EXECUTE_BATCH_ABI, functionName: 'executeBatch', args: [planCalls(plan)] })
}

/** What the account looks like to the EntryPoint: whether it needs delegating first. */
export async function accountState(
  client: PublicClient,
  gas: StablecoinGas,
  from: `0x${string}`,
): Promise<{ delegated: boolean; entryPointNonce: bigint }> {
  const [code, entryPointNonce] = await rpc('Reading the account for an operation', () =>
    Promise.all([
      client.getCode({ address: from }),
      client.readContract({ address: gas.entryPoint, abi: GET_NONCE_ABI, functionName: 'getNonce', args: [from, 0n] }),
    ]),
  )
  const delegate = delegationOf(code ?? '0x')
  if (delegate === undefined)
    throw new NotSupportedError(
      `${from} is a contract, not an EOA; coffer pays gas in a stablecoin only from its own EOAs (under EIP-7702).`,
    )
  if (delegate !== null && delegate.toLowerCase() !== gas.delegate.toLowerCase())
    throw new UnknownDelegateError(
      `${from} already runs the code of ${delegate}, not ${gas.delegate}; coffer will not send operations through an account implementation it was not told to trust.`,
      { details: { delegate } },
    )
  return { delegated: delegate !== null, entryPointNonce }
}

/** Fee levels' EIP-1559 prices. @throws NotSupportedError on a chain without EIP-1559 */
function eip1559(pricing: GasPricing): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  if (pricing.type !== 'eip1559') throw new NotSupportedError('ERC-4337 operations need an EIP-1559 chain.')
  return { maxFeePerGas: pricing.maxFeePerGas, maxPriorityFeePerGas: pricing.maxPriorityFeePerGas }
}

/** The unsigned operation for a plan at the quoted gas (`paymasterData` added at send time). */
export function planOperation(
  from: `0x${string}`,
  plan: SponsoredPlan,
  details: { readonly [key: string]: unknown },
  paymasterData: Hex,
): UserOperation {
  const n = (k: string) => {
    const v = details[k]
    if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(v))
      throw new InvalidArgumentError(`This quote's details.${k} is not a number.`)
    return BigInt(v)
  }
  return {
    sender: from,
    nonce: n('entryPointNonce'),
    callData: planCallData(plan),
    callGasLimit: n('callGasLimit'),
    verificationGasLimit: n('verificationGasLimit'),
    preVerificationGas: n('preVerificationGas'),
    maxFeePerGas: n('maxFeePerGas'),
    maxPriorityFeePerGas: n('maxPriorityFeePerGas'),
    paymaster: plan.paymaster,
    paymasterVerificationGasLimit: n('paymasterVerificationGasLimit'),
    paymasterPostOpGasLimit: n('paymasterPostOpGasLimit'),
    paymasterData,
  }
}

/** A placeholder authorization for estimation at the account's nonce (the real one is signed at send time). */
function stubAuthorization(chainId: number, delegate: `0x${string}`, nonce: number) {
  return { chainId, address: delegate, nonce, yParity: 0 as const, r: `0x${'aa'.repeat(32)}` as Hex, s: `0x${'11'.repeat(32)}` as Hex }
}

/**
 * Prices `payments` of `asset` from `from` with the gas paid in `asset` by the token paymaster:
 * the fee at each level is the most the operation can take (its approval), with its ETH
 * equivalent, the rate and the paymaster in `details`.
 * @throws InvalidArgumentError (the native coin), NotSupportedError, UnknownDelegateError,
 *   InsufficientFundsError, RpcError (the bundler or the service refused: the message says why), DataIntegrityError
 */
export async function quoteSponsored(
  ctx: QuoteContext,
  gas: StablecoinGas,
  from: `0x${string}`,
  asset: EvmAsset,
  requested: readonly { readonly to: `0x${string}`; readonly amount: bigint | 'max' }[],
  level: FeeLevel,
): Promise<TransferQuote> {
  if (requested.length === 0) throw new InvalidArgumentError('An operation needs at least one payment.')
  if (requested.length > 1 && requested.some((p) => p.amount === 'max'))
    throw new InvalidArgumentError("'max' can only be the amount of a single payment.")
  if (asset.kind !== 'token' || !asset.address)
    throw new InvalidArgumentError('Gas can be paid in a stablecoin only for a token payment (the fee is taken in the token sent).')
  await ctx.verifyChain()
  const chainId = ctx.chain.id
  const token = asset.address
  const [state, pricing, quote, accountNonce] = await Promise.all([
    accountState(ctx.client, gas, from),
    gasPricing(ctx.client, ctx.chain),
    gas.paymaster.tokenQuote(token, gas.entryPoint, chainId),
    rpc('Reading the account nonce', () => ctx.client.getTransactionCount({ address: from, blockTag: 'pending' })),
  ])
  const [balance, currentAllowance] = await rpc('Reading the token balance and the paymaster’s allowance', () =>
    Promise.all([
      ctx.client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [from] }),
      ctx.client.readContract({ address: token, abi: erc20Abi, functionName: 'allowance', args: [from, quote.paymaster] }),
    ]),
  )
  const prices = Object.fromEntries(FEE_LEVELS.map((l) => [l, eip1559(pricing[l])])) as Record<FeeLevel, ReturnType<typeof eip1559>>
  const price = prices[level]
  // 'max' is estimated as the whole balance, then lowered by the fee.
  let payments: SponsoredPayment[] = requested.map((p) => ({ to: p.to, amount: p.amount === 'max' ? balance : p.amount }))
  // Estimate with the largest approval (its calldata costs the most): the real one is smaller.
  const plan: SponsoredPlan = {
    token: quote.token,
    payments,
    paymaster: quote.paymaster,
    approval: 2n ** 256n - 1n,
    resetApproval: currentAllowance !== 0n,
  }
  const draft: UserOperation = {
    sender: from,
    nonce: state.entryPointNonce,
    callData: planCallData(plan),
    callGasLimit: 0n,
    verificationGasLimit: 0n,
    preVerificationGas: 0n,
    ...price,
    signature: STUB_SIGNATURE,
    ...(state.delegated ? {} : { factory: '0x7702' as `0x${string}`, eip7702Auth: stubAuthorization(chainId, gas.delegate, accountNonce) }),
  }
  const stub = await gas.paymaster.stubData(draft, gas.entryPoint, chainId, quote)
  const estimate = await gas.bundler.estimateUserOperationGas({ ...draft, ...stub }, gas.entryPoint)
  const limits = {
    preVerificationGas: estimate.preVerificationGas,
    verificationGasLimit: estimate.verificationGasLimit,
    callGasLimit: estimate.callGasLimit,
    paymasterVerificationGasLimit: max(stub.paymasterVerificationGasLimit, estimate.paymasterVerificationGasLimit ?? 0n),
    paymasterPostOpGasLimit: max(stub.paymasterPostOpGasLimit, estimate.paymasterPostOpGasLimit ?? 0n),
  }
  const fees = Object.fromEntries(
    FEE_LEVELS.map((l) => [l, feeAt(l, asset, quote, { ...draft, ...limits, ...prices[l] }, pricing[l])]),
  ) as Record<FeeLevel, FeeEstimate>
  const fee = fees[level]
  if (requested[0]?.amount === 'max') {
    const rest = balance - fee.amount
    if (rest <= 0n)
      throw new InsufficientFundsError(`Nothing to send: the ${asset.symbol} balance (${show(asset, balance)}) does not cover the fee.`, {
        details: { asset: asset.id, available: balance.toString(), fee: fee.amount.toString() },
      })
    payments = [{ to: payments[0]!.to, amount: rest }]
  }
  const total = payments.reduce((s, p) => s + p.amount, 0n) + fee.amount
  if (balance < total)
    throw new InsufficientFundsError(
      `${from} has ${show(asset, balance)}; the payment and the most the fee can be (paid in ${asset.symbol}) need ${show(asset, total)}.`,
      { details: { asset: asset.id, needed: total.toString(), available: balance.toString(), fee: fee.amount.toString() } },
    )
  return {
    chainId: ctx.chain.caip2,
    from,
    // A batch's `to` is its first recipient (TransferRequest.payments).
    to: payments[0]!.to,
    asset: asset.id as AssetId,
    amount: payments.reduce((s, p) => s + p.amount, 0n),
    feeLevel: level,
    fee,
    fees,
    createdAt: Date.now(),
    ...(requested.length > 1 ? { payments: payments.map((p) => ({ to: p.to, amount: p.amount })) } : {}),
    details: {
      gasPaidIn: 'stablecoin',
      token: quote.token,
      paymaster: quote.paymaster,
      exchangeRate: quote.exchangeRate.toString(),
      postOpGas: quote.postOpGas.toString(),
      entryPoint: gas.entryPoint,
      delegate: gas.delegate,
      delegated: state.delegated,
      resetApproval: plan.resetApproval,
      entryPointNonce: state.entryPointNonce.toString(),
      ...Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, v.toString()])),
      maxFeePerGas: price.maxFeePerGas.toString(),
      maxPriorityFeePerGas: price.maxPriorityFeePerGas.toString(),
    },
  }
}

const max = (a: bigint, b: bigint) => (a > b ? a : b)

function show(asset: EvmAsset, units: bigint): string {
  return `${formatAmount(units, asset.decimals)} ${asset.symbol}`
}

/** The fee at one level, in the token: the cap (the approval), the likely amount, and their ETH equivalents. */
function feeAt(level: FeeLevel, asset: EvmAsset, quote: TokenQuote, op: UserOperation, pricing: GasPricing): FeeEstimate {
  const cap = maxTokenFee(op, quote)
  const expectedPrice = expectedPricePerGas(pricing)
  const expected = maxTokenFee({ ...op, maxFeePerGas: expectedPrice }, quote)
  return {
    level,
    asset: asset.id,
    amount: cap.token,
    expected: expected.token,
    details: {
      paidIn: asset.symbol,
      nativeAmount: cap.wei.toString(),
      nativeExpected: expected.wei.toString(),
      exchangeRate: quote.exchangeRate.toString(),
      paymaster: quote.paymaster,
      // The approval the operation gives the paymaster: exactly the cap.
      approval: cap.token.toString(),
      maxFeePerGas: op.maxFeePerGas.toString(),
      maxPriorityFeePerGas: op.maxPriorityFeePerGas.toString(),
    },
  }
}
