/**
 * Replacing a pending EVM transaction (speed-up or cancel): same nonce, every fee raised by at
 * least 10% (what nodes require of a replacement) and never below today's chosen level. A
 * cancel is a 0-value send to yourself. The replacement is broadcast like any send (a lost
 * answer re-sends the same bytes) and journalled with the hash it replaces, also when its
 * outcome is unknown.
 * @module
 * @internal
 */
import { getAddress, keccak256, parseTransaction, type Hex, type PublicClient } from 'viem'
import { assertOneOf, assertOptions } from '../../core/assert.js'
import { InvalidArgumentError, TransactionRejectedError } from '../../core/errors.js'
import type { AccountSigner, Secp256k1Signer, Signer } from '../../keys/signer.js'
import type { AssetId } from '../../core/caip.js'
import { FEE_LEVELS, type FeeLevel, type SignedTransaction } from '../adapter.js'
import type { EvmChain } from './networks.js'
import { broadcastSigned, type BroadcastRetry } from './broadcast.js'
import { bumpPricing, gasPricing, type GasPricing } from './fees.js'
import { rpc } from './client.js'
import { recordSend, type Journal } from './journal.js'
import { evmSigner } from './signing.js'
import type { TokenBook } from './tokens.js'
import { pricingFields, signEvmTransaction, unsignedTransaction, type EvmTransactionPayload } from './transaction.js'

/** Options of `speedUp` and `cancel`. */
export interface ReplaceOptions {
  /** Fee level the replacement must at least reach, default `'fast'`. */
  feeLevel?: FeeLevel
}

/** A signed replacement, ready to broadcast. */
interface Replacement {
  raw: Hex
  nonce: number
}

/** Signs the replacement of pending transaction `hash`. @throws InvalidArgumentError if it is unknown, mined, or not the signer's */
async function signReplacement(
  client: PublicClient,
  chain: EvmChain,
  nativeAsset: AssetId,
  hash: `0x${string}`,
  s: Secp256k1Signer,
  level: FeeLevel,
  cancel: boolean,
): Promise<Replacement> {
  const [tx, receipt] = await rpc('Reading the transaction to replace', () =>
    Promise.all([
      client.getTransaction({ hash }).catch(() => undefined),
      client.request({ method: 'eth_getTransactionReceipt', params: [hash] }),
    ]),
  )
  if (!tx) throw new InvalidArgumentError(`Transaction ${hash} is not known to the node; nothing to replace.`)
  if (receipt) throw new InvalidArgumentError(`Transaction ${hash} is already mined; it cannot be replaced.`)
  if (tx.from.toLowerCase() !== s.address.toLowerCase())
    throw new InvalidArgumentError(`Transaction ${hash} is from ${tx.from}, not the signer ${s.address}.`)
  const old: GasPricing =
    tx.maxFeePerGas !== undefined && tx.maxFeePerGas !== null
      ? { type: 'eip1559', maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? 0n, baseFeePerGas: 0n }
      : { type: 'legacy', gasPrice: tx.gasPrice ?? 0n }
  const current = (await gasPricing(client, chain))[level]
  const payload: EvmTransactionPayload = {
    ...pricingFields(bumpPricing(old, current)),
    chainId: chain.id,
    nonce: tx.nonce,
    to: cancel ? getAddress(s.address) : (tx.to as `0x${string}`),
    value: cancel ? '0' : tx.value.toString(),
    data: cancel ? ('0x' as Hex) : tx.input,
    gas: cancel ? '21000' : tx.gas.toString(),
  }
  const perGas = BigInt((payload as { maxFeePerGas?: string }).maxFeePerGas ?? (payload as { gasPrice?: string }).gasPrice ?? '0')
  const unsigned = unsignedTransaction(payload, getAddress(s.address), {
    to: payload.to as string,
    asset: nativeAsset,
    amount: payload.value,
    fee: (BigInt(payload.gas) * perGas).toString(),
    ...(payload.data && payload.data !== '0x' ? { data: payload.data } : {}),
  })
  const signed = await signEvmTransaction(unsigned, s)
  return { raw: signed.raw as Hex, nonce: tx.nonce }
}

/** What a replacement works with. */
export interface ReplaceContext {
  readonly chain: EvmChain
  readonly client: PublicClient
  /** Broadcast clients, one per endpoint. */
  readonly send: readonly PublicClient[]
  readonly retry: BroadcastRetry
  readonly journal: Journal
  readonly tokens: TokenBook
  /** Checks the node serves the chain. @throws ChainMismatchError */
  verifyChain(): Promise<void>
}

/**
 * Speeds up (or, with `cancel`, cancels) pending transaction `hash`: signs the replacement,
 * broadcasts it and journals it (also when the outcome is unknown). Returns the new hash.
 * @throws InvalidArgumentError (not pending, not the signer's, a non-EVM signer, a bad fee level);
 *   ChainMismatchError; TransactionRejectedError; BroadcastUnknownError (maybe sent); RpcError; what the signer throws
 */
export async function replaceTransaction(
  ctx: ReplaceContext,
  hash: `0x${string}`,
  signer: Signer | AccountSigner,
  options: ReplaceOptions,
  cancel: boolean,
): Promise<string> {
  const s = evmSigner(signer)
  const level = assertOneOf(assertOptions(options).feeLevel ?? 'fast', 'feeLevel', FEE_LEVELS)
  await ctx.verifyChain()
  const { raw, nonce } = await signReplacement(ctx.client, ctx.chain, ctx.chain.nativeAsset, hash, s, level, cancel)
  const from = getAddress(s.address)
  const signed: SignedTransaction = {
    chainId: ctx.chain.caip2,
    kind: `evm-${parseTransaction(raw).type ?? 'legacy'}`,
    from,
    hash: keccak256(raw),
    raw,
  }
  const result = await broadcastSigned(ctx.send, ctx.client, signed, from, nonce, ctx.retry)
  if (result.kind === 'refused')
    throw new TransactionRejectedError(`The node refused the replacement: ${result.error.shortMessage}`, { cause: result.error })
  await recordSend(ctx.journal, ctx.tokens, ctx.chain, signed.hash as `0x${string}`, from, parseTransaction(raw), nonce, {
    replaces: hash,
    ...(cancel ? { cancel: true } : {}),
  })
  if (result.kind === 'unknown') throw result.error
  return result.hash
}
