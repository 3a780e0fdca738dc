/**
 * Pricing a TRON transfer in one round of parallel reads (two for a TRC-20 `'max'`): both
 * accounts (`/wallet/getaccount`: balance, existence, contract), the sender's resources
 * (`/wallet/getaccountresource`), the chain parameters (`/wallet/getchainparameters`), and for a
 * TRC-20 the token balance (`balanceOf`) and the transfer's energy (`transfer(to, amount)` run by
 * `/wallet/triggerconstantcontract` from the sender: `energy_used`, which in java-tron already
 * includes the contract's dynamic-energy `energy_penalty`, reported on its own). The signed size is
 * measured on the real encoding (./protobuf.ts) with a stand-in reference block and a 65-byte
 * signature. ./fees.ts turns that into what burns.
 *
 * TRON has no fee market: `slow`, `normal` and `fast` are one price (`details.feeMarket: 'none'`).
 * `fee.amount` is the most the transfer can cost (the TRC-20 fee_limit + bandwidth burn +
 * activation) and is the `maxFee` to build with; `fee.expected` is what burns if the estimate
 * holds. Money rules: TRX needs amount + fee; a TRC-20 needs the tokens AND the TRX its energy and
 * bandwidth may burn — refused before anything is signed, in plain words, since an account holding
 * only USDT is the commonest TRON support question. `'max'` is the balance less the fee (TRX) or
 * the whole token balance. Sending to oneself (java-tron refuses it), TRX to a contract, or
 * tokens to the token contract are refused.
 * @module
 * @internal
 */
import { refuseStablecoinGas } from '../request-extras.js'
import { formatAmount } from '../../core/amount.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import {
  DataIntegrityError,
  InsufficientFundsError,
  InvalidAddressError,
  InvalidAmountError,
  NotSupportedError,
  RpcError,
  TransactionRejectedError,
  UnknownAssetError,
} from '../../core/errors.js'
import { isValidTronAddress } from '../../keys/address/tron.js'
import { FEE_LEVELS, type FeeEstimate, type FeeLevel, type TransferQuote, type TransferRequest } from '../adapter.js'
import { decodeUint256, encodeTrc20BalanceOf, encodeTrc20Transfer } from './abi.js'
import { tronAddressToBytes } from './address.js'
import type { TronClient } from './client.js'
import { readTronFeeParameters, readTronResources, tronFeeLimit, tronTransferCost, type TronTransferCost } from './fees.js'
import { trc20AssetId, TRX_DECIMALS } from './networks.js'
import { encodeRawTransaction, type TronContract } from './protobuf.js'
import type { TronSigningToken } from './signing.js'
import { constantOf } from './constant-call.js'

/** What the quote knows of the chain. */
export interface TronQuoteContext {
  readonly chainId: ChainId
  readonly nativeAsset: AssetId
  readonly tokens: readonly TronSigningToken[]
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const trx = (sun: bigint) => `${formatAmount(sun, TRX_DECIMALS)} TRX`

interface AccountFacts {
  readonly exists: boolean
  readonly balance: bigint
  readonly contract: boolean
}

function accountOf(answer: unknown, address: string): AccountFacts {
  const path = '/wallet/getaccount'
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer))
    throw new RpcError(`${path}: the answer is not an object.`, { details: { method: path } })
  const a = answer as { address?: unknown; balance?: unknown; type?: unknown }
  if (Object.keys(a).length === 0) return { exists: false, balance: 0n, contract: false }
  if (a.address !== address) throw new DataIntegrityError(`${path}: asked for ${address}, the node answered another account.`)
  const balance = a.balance ?? 0
  if (typeof balance !== 'number' || !Number.isSafeInteger(balance) || balance < 0)
    throw new RpcError(`${path}: the balance of ${address} is not a non-negative integer.`, { details: { method: path } })
  return { exists: true, balance: BigInt(balance), contract: a.type === 'Contract' }
}

/** The signed size of a transfer: the raw encoded with a stand-in reference block, plus one 65-byte signature. */
function signedSize(contract: TronContract, feeLimit: bigint, memo: Uint8Array): number {
  const now = BigInt(Date.now())
  const raw = encodeRawTransaction({
    refBlockBytes: new Uint8Array(2),
    refBlockNum: 0n,
    refBlockHash: new Uint8Array(8),
    expiration: now + 60_000n,
    data: memo,
    contract,
    timestamp: now,
    feeLimit,
  })
  const field = (n: number) => 1 + (n < 0x80 ? 1 : n < 0x4000 ? 2 : 3) + n
  return field(raw.length) + field(65)
}

function details(cost: TronTransferCost, energyPenalty: bigint) {
  return {
    feeMarket: 'none',
    energyNeeded: cost.energyNeeded.toString(),
    energyPenalty: energyPenalty.toString(),
    energyCovered: cost.energyCovered.toString(),
    energyBurn: cost.energyBurn.toString(),
    bandwidthNeeded: cost.bandwidthNeeded.toString(),
    bandwidthCovered: cost.bandwidthCovered.toString(),
    bandwidthBurn: cost.bandwidthBurn.toString(),
    activationFee: cost.activationFee.toString(),
    feeLimit: cost.feeLimit.toString(),
  }
}

/**
 * Quotes `request` (TRX or a listed TRC-20).
 * @throws InvalidAddressError, InvalidAmountError, UnknownAssetError, InsufficientFundsError,
 *   TransactionRejectedError (the token refuses the transfer: paused, blacklisted), RpcError, DataIntegrityError
 */
export async function quoteTronTransfer(
  client: TronClient,
  context: TronQuoteContext,
  request: TransferRequest,
  options: { readonly signal?: AbortSignal } = {},
): Promise<TransferQuote> {
  const { chainId, nativeAsset, tokens } = context
  const { from, to, asset } = request
  const signal = options.signal
  const level: FeeLevel = request.feeLevel ?? 'normal'
  if (!isValidTronAddress(from)) throw new InvalidAddressError('from is not a TRON address.')
  if (!isValidTronAddress(to)) throw new InvalidAddressError('to is not a TRON address.')
  if (to === from) throw new InvalidAddressError('TRON does not transfer to the sender itself.')
  const amountIn = request.amount
  if (amountIn !== 'max' && (typeof amountIn !== 'bigint' || amountIn <= 0n))
    throw new InvalidAmountError("amount must be a positive bigint of base units or 'max'.")
  refuseStablecoinGas(request, 'TRON')
  if (request.references !== undefined)
    throw new NotSupportedError('TRON transfers cannot carry payment references (Solana Pay); the memo travels in the transaction.')
  const memo = request.memo === undefined ? new Uint8Array() : new TextEncoder().encode(request.memo)
  const token = asset === nativeAsset ? undefined : tokens.find((t) => trc20AssetId(chainId, t.contract) === asset)
  if (asset !== nativeAsset && !token) throw new UnknownAssetError(`${asset} is not TRX or a listed TRC-20 of ${chainId}.`)
  if (token && to === token.contract)
    throw new InvalidAddressError(`to is the ${token.symbol} contract itself: tokens sent there are lost.`)

  const post = <T>(path: string, body: object) => client.post<T>(path, { ...body, visible: true }, { signal })
  const trigger = (selector: string, data: Uint8Array) =>
    post('/wallet/triggerconstantcontract', {
      owner_address: from,
      contract_address: token!.contract,
      function_selector: selector,
      parameter: hex(data.subarray(4)),
    }).then(constantOf)
  const estimate = (amount: bigint) => trigger('transfer(address,uint256)', encodeTrc20Transfer(to, amount))
  const [fromAnswer, toAnswer, resourceAnswer, paramsAnswer, tokenBalance, early] = await Promise.all([
    post('/wallet/getaccount', { address: from }),
    post('/wallet/getaccount', { address: to }),
    post('/wallet/getaccountresource', { address: from }),
    post('/wallet/getchainparameters', {}),
    token
      ? trigger('balanceOf(address)', encodeTrc20BalanceOf(from)).then((c) => {
          if (c.reverted) throw new DataIntegrityError(`${token.symbol}'s balanceOf reverted.`)
          return decodeUint256(c.output)
        })
      : undefined,
    token && amountIn !== 'max' ? estimate(amountIn) : undefined,
  ])
  const sender = accountOf(fromAnswer, from)
  const recipient = accountOf(toAnswer, to)
  const resources = readTronResources(resourceAnswer)
  const params = readTronFeeParameters(paramsAnswer)
  const owner = tronAddressToBytes(from)

  let amount: bigint
  let cost: TronTransferCost
  let penalty = 0n
  if (!token) {
    if (recipient.contract) throw new InvalidAddressError('to is a smart contract: TRON refuses TRX sent to a contract.')
    const contractFor = (value: bigint): TronContract => ({
      type: 'TransferContract',
      permissionId: 0,
      parameter: { ownerAddress: owner, toAddress: tronAddressToBytes(to), amount: value },
    })
    const sizeAmount = amountIn === 'max' ? (sender.balance > 0n ? sender.balance : 1n) : amountIn
    cost = tronTransferCost({
      params,
      resources,
      signedSize: signedSize(contractFor(sizeAmount), 0n, memo),
      energy: 0n,
      createsAccount: !recipient.exists,
    })
    amount = amountIn === 'max' ? sender.balance - cost.maxFee : amountIn
    if (amount <= 0n || amount + cost.maxFee > sender.balance)
      throw new InsufficientFundsError(
        `This account holds ${trx(sender.balance)}; sending ${amountIn === 'max' ? 'anything' : trx(amountIn)} costs ${trx(cost.maxFee)} in fees` +
          (cost.activationFee > 0n ? ` (${trx(cost.activationFee)} of it activates the new account ${to})` : '') +
          '.',
      )
  } else {
    if (tokenBalance! <= 0n || (amountIn !== 'max' && amountIn > tokenBalance!))
      throw new InsufficientFundsError(
        `This account holds ${formatAmount(tokenBalance!, token.decimals)} ${token.symbol}` +
          (amountIn === 'max' ? '.' : `, less than the ${formatAmount(amountIn, token.decimals)} ${token.symbol} to send.`),
      )
    amount = amountIn === 'max' ? tokenBalance! : amountIn
    const call = early ?? (await estimate(amount))
    if (call.reverted)
      throw new TransactionRejectedError(
        `The ${token.symbol} contract refuses this transfer (the token may be paused, or the sender or recipient blacklisted).`,
        { details: { reason: 'REVERT' } },
      )
    if (call.energy <= 0n) throw new DataIntegrityError(`/wallet/triggerconstantcontract: a ${token.symbol} transfer that used no energy.`)
    penalty = call.penalty
    if (penalty > call.energy) throw new DataIntegrityError('/wallet/triggerconstantcontract: energy_penalty is above energy_used.')
    const contract: TronContract = {
      type: 'TriggerSmartContract',
      permissionId: 0,
      parameter: {
        ownerAddress: owner,
        contractAddress: tronAddressToBytes(token.contract),
        callValue: 0n,
        data: encodeTrc20Transfer(to, amount),
        callTokenValue: 0n,
        tokenId: 0n,
      },
    }
    const feeLimit = tronFeeLimit(call.energy, params)
    cost = tronTransferCost({
      params,
      resources,
      signedSize: signedSize(contract, feeLimit, memo),
      energy: call.energy,
      createsAccount: false,
    })
    if (call.energy * params.energyFee > params.maxFeeLimit)
      throw new TransactionRejectedError(
        `This ${token.symbol} transfer needs ${call.energy} energy, more than the chain's largest fee limit (${trx(params.maxFeeLimit)}) can buy.`,
      )
    if (sender.balance < cost.maxBurn)
      throw new InsufficientFundsError(
        `Sending ${token.symbol} on TRON burns TRX for energy and bandwidth: this account holds ${trx(sender.balance)} and the transfer needs up to ${trx(cost.maxBurn)}` +
          ` (${cost.energyNeeded} energy, ${cost.energyCovered} of it covered by staked energy; ${cost.bandwidthNeeded} bytes of bandwidth). ` +
          (sender.exists
            ? 'Add TRX, or stake TRX for energy (or have energy delegated to it).'
            : 'It was never activated (tokens received do not activate an account): send it TRX first.'),
        { details: { needed: cost.maxBurn.toString(), available: sender.balance.toString() } },
      )
  }
  const fees = Object.fromEntries(
    FEE_LEVELS.map((l): [FeeLevel, FeeEstimate] => [
      l,
      { level: l, asset: nativeAsset, amount: cost.maxFee, expected: cost.expectedFee, details: details(cost, penalty) },
    ]),
  ) as { [L in FeeLevel]: FeeEstimate }
  return {
    chainId,
    from,
    to,
    asset,
    amount,
    feeLevel: level,
    fee: fees[level],
    fees,
    createdAt: Date.now(),
    details: {
      kind: token ? 'trc20' : 'trx',
      ...(token ? { contract: token.contract } : {}),
      feeLimit: cost.feeLimit.toString(),
      maxFee: cost.maxFee.toString(),
      recipientExists: recipient.exists,
      ...(request.memo === undefined ? {} : { memo: request.memo }),
    },
  }
}
