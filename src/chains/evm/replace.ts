/**
 * Replacing a pending EVM transaction (speed-up or cancel): same nonce, every fee raised by at
 * least 10% (what nodes require of a replacement) and never below today's chosen level. A
 * cancel is a 0-value send to yourself.
 * @module
 * @internal
 */
import { getAddress, type Hex, type PublicClient } from 'viem'
import { InvalidArgumentError } from '../../core/errors.js'
import type { Secp256k1Signer } from '../../keys/signer.js'
import type { AssetId } from '../../core/caip.js'
import type { FeeLevel } from '../adapter.js'
import type { EvmChain } from './networks.js'
import { bumpPricing, gasPricing, type GasPricing } from './fees.js'
import { rpc } from './client.js'
import { pricingFields, signEvmTransaction, unsignedTransaction, type EvmTransactionPayload } from './transaction.js'

/** A signed replacement, ready to broadcast. */
export interface Replacement {
  raw: Hex
  nonce: number
}

/** Signs the replacement of pending transaction `hash`. @throws InvalidArgumentError if it is unknown, mined, or not the signer's */
export async function signReplacement(
  client: PublicClient,
  chain: EvmChain,
  nativeAsset: AssetId,
  hash: `0x${string}`,
  s: Secp256k1Signer,
  level: FeeLevel,
  cancel: boolean,
): Promise<Replacement> {
  const [tx, receipt] = await rpc('Reading the transaction to replace', () =>
    Promise.all([client.getTransaction({ hash }).catch(() => undefined), client.request({ method: 'eth_getTransactionReceipt', params: [hash] })]),
  )
  if (!tx) throw new InvalidArgumentError(`Transaction ${hash} is not known to the node; nothing to replace.`)
  if (receipt) throw new InvalidArgumentError(`Transaction ${hash} is already mined; it cannot be replaced.`)
  if (tx.from.toLowerCase() !== s.address.toLowerCase()) throw new InvalidArgumentError(`Transaction ${hash} is from ${tx.from}, not the signer ${s.address}.`)
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
