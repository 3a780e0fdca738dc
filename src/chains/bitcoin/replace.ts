/**
 * Fee bumping by replacement (BIP-125): the same inputs and payment, a fee rate at least the
 * requested one and at least 1 sat/vB above the original's, and an absolute fee at least the
 * original's plus 1 sat/vB of the new size (rules 3, 4 and 6). The extra fee comes out of the
 * change output; if the change cannot pay it (or would fall below dust), the change is dropped
 * or more of the account's confirmed coins are added. And the speed-up around it: only a
 * pending send this adapter journalled is replaced, and the replacement is journalled also
 * when its broadcast's outcome is unknown.
 * @module
 * @internal
 */
import { BroadcastUnknownError, InsufficientFundsError, InvalidArgumentError, type BroadcastTransaction } from '../../core/errors.js'
import type { BitcoinNetwork } from '../../keys/address/bitcoin.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { FeeLevel } from '../adapter.js'
import { resolveSource, type Source } from './account.js'
import type { Call } from './call.js'
import type { BitcoinBackend } from './client.js'
import type { DiscoveryLimits } from './discovery.js'
import { checkFeeRate, feeRates, type FeeCaps } from './fees.js'
import type { Journal, SentTransaction } from './journal.js'
import type { BitcoinChain } from './networks.js'
import { finalizePsbt, signPsbt } from './psbt.js'
import { inputJson, recipientType, spendable } from './quote.js'
import { readStatus, readTipHeight } from './status.js'
import { buildUnsigned, type InputJson, type OutputJson } from './transaction.js'
import { dustThreshold, txVsize, type OutputType } from './vsize.js'

/** Options of `speedUp`. */
export interface ReplaceOptions {
  /** Fee level the replacement must at least reach, default `'fast'` (subject to `maxFeeRate`). */
  feeLevel?: FeeLevel
  /** An explicit rate in sat/vB instead (your choice: not capped by `maxFeeRate`). */
  feeRate?: bigint
}

/** @deprecated Renamed {@link ReplaceOptions} (one name across families). */
export type BumpOptions = ReplaceOptions

/** The replacement's inputs, outputs and fee. */
type Bump = Pick<SentTransaction, 'inputs' | 'outputs' | 'fee' | 'feeRate' | 'vsize'>

const INCREMENTAL_RELAY_FEE = 1n

/** Where the replacement's change goes (with its key and path for an account). */
type ChangeTo = { address: string; publicKey?: string; path?: string }

function shape(inputs: Bump['inputs'], outputs: Bump['outputs'], network: BitcoinNetwork, changeType: OutputType): number {
  return txVsize({
    inputs: inputs.map((i) => i.type),
    outputs: outputs.map((o) => (o.change ? changeType : recipientType(o.address, network))),
  })
}

/** Prices and shapes the replacement of `sent` at no less than `rate` sat/vB. @throws InsufficientFundsError */
async function bumpFee(
  sent: SentTransaction,
  rate: bigint,
  source: Source,
  backend: BitcoinBackend,
  limits: DiscoveryLimits,
  network: BitcoinNetwork,
): Promise<Bump> {
  const oldFee = BigInt(sent.fee)
  const newRate = rate > BigInt(sent.feeRate) ? rate : BigInt(sent.feeRate) + INCREMENTAL_RELAY_FEE
  const changeType: OutputType = source.kind === 'account' ? source.descriptor.addressType : source.addressType
  const feeFor = (vsize: number) => {
    const byRate = BigInt(vsize) * newRate
    const byRule = oldFee + BigInt(vsize) * INCREMENTAL_RELAY_FEE
    return byRate > byRule ? byRate : byRule
  }
  let inputs = [...sent.inputs]
  const payments = sent.outputs.filter((o) => !o.change)
  const total = (list: readonly { value: string }[]) => list.reduce((sum, x) => sum + BigInt(x.value), 0n)
  const dust = dustThreshold(changeType)

  /** The cheapest valid replacement with these inputs: with change if it clears dust, else without. */
  const price = (changeTo: ChangeTo | undefined): Bump | undefined => {
    if (changeTo) {
      const vsize = shape(inputs, [...payments, { ...changeTo, value: '0', change: true }], network, changeType)
      const fee = feeFor(vsize)
      const change = total(inputs) - total(payments) - fee
      if (change >= dust)
        return {
          inputs,
          outputs: [...payments, { ...changeTo, value: change.toString(), change: true }],
          fee: fee.toString(),
          feeRate: newRate.toString(),
          vsize,
        }
    }
    const vsize = shape(inputs, payments, network, changeType)
    const fee = total(inputs) - total(payments)
    return fee >= feeFor(vsize) ? { inputs, outputs: payments, fee: fee.toString(), feeRate: newRate.toString(), vsize } : undefined
  }

  const previous = sent.outputs.find((o) => o.change)
  let changeTo: ChangeTo | undefined = previous && {
    address: previous.address,
    ...(previous.publicKey ? { publicKey: previous.publicKey } : {}),
    ...(previous.path ? { path: previous.path } : {}),
  }
  const direct = price(changeTo)
  if (direct) return direct
  // The change cannot pay: add more of the source's confirmed coins, largest first.
  const funds = await spendable(backend, source, limits)
  const fresh = funds.change
  changeTo ??= {
    address: fresh.address,
    ...(fresh.publicKey?.length ? { publicKey: bytesToHex(fresh.publicKey) } : {}),
    ...(fresh.path ? { path: fresh.path } : {}),
  }
  const used = new Set(inputs.map((i) => `${i.txid}:${i.vout}`))
  const extra = funds.utxos
    .filter((u) => u.confirmed && !used.has(`${u.txid}:${u.vout}`))
    .sort((a, b) => (b.value > a.value ? 1 : b.value < a.value ? -1 : 0))
  for (const u of extra) {
    inputs = [...inputs, inputJson(u)]
    const bumped = price(changeTo)
    if (bumped) return bumped
  }
  throw new InsufficientFundsError('Not enough confirmed coins to pay the higher fee.', {
    details: { needed: feeFor(sent.vsize).toString(), available: (total(inputs) - total(payments)).toString() },
  })
}

/** What a speed-up works with: the adapter's chain, fee ceilings, journal, calls and broadcast. */
export interface SpeedUpContext {
  readonly chain: BitcoinChain
  readonly feeCaps: FeeCaps
  readonly journal: Journal
  /** Runs one call under the adapter's deadline. */
  run<T>(what: string, task: (call: Call) => Promise<T>): Promise<T>
  /** The adapter's broadcast (re-sends and lookups, bounded by the deadline). */
  broadcast(tx: BroadcastTransaction): Promise<string>
}

/**
 * Replaces the journalled pending send `hash` with a higher fee (at least `target.feeRate`, else
 * the network's rate for `target.level`, capped), signs, broadcasts and journals the replacement.
 * Returns the new txid.
 * @throws InvalidArgumentError for a transaction the adapter did not send; InvalidArgumentError
 *   for one no longer pending; FeeTooHighError; InsufficientFundsError; DataIntegrityError;
 *   TransactionRejectedError; BroadcastUnknownError (journalled: maybe sent); what the signer throws
 */
export async function speedUp(
  ctx: SpeedUpContext,
  hash: string,
  signer: Signer | AccountSigner,
  target: { feeRate: bigint | undefined; level: FeeLevel },
): Promise<string> {
  const { chain, journal } = ctx
  const { feeRate, level } = target
  const sent = await journal.get(hash)
  if (!sent)
    throw new InvalidArgumentError(
      'Only sends this adapter made (sendTransfer) can be sped up here; re-quote with higher fees for others.',
      { details: { hash } },
    )
  const source = resolveSource(sent.source, chain.network)
  const { built, bumped } = await ctx.run('Preparing the replacement', async (call) => {
    const status = await readStatus(call, hash, chain.nativeAsset, journal)
    if (status.state !== 'pending')
      throw new InvalidArgumentError(`Transaction ${hash} is ${status.state}; only pending transactions can be replaced.`)
    const floor = feeRate ?? checkFeeRate((await feeRates(call.backend, ctx.feeCaps))[level], ctx.feeCaps, level)
    const bump = () => bumpFee(sent, floor, source, call.backend, call.limits, chain.network)
    const bumped = await (source.kind === 'account' ? call.discovering(bump) : bump())
    const tip = await readTipHeight(call)
    return {
      bumped,
      built: await buildUnsigned(call.backend, chain, bumped.inputs as InputJson[], bumped.outputs as OutputJson[], sent.fingerprint, tip),
    }
  })
  await signPsbt(built.psbt, signer, chain.params)
  const { hex, txid: newTxid } = finalizePsbt(built.psbt)
  const record: SentTransaction = {
    ...bumped,
    inputs: built.inputs,
    outputs: built.outputs,
    hash: newTxid,
    source: sent.source,
    sentAt: Date.now(),
    replaces: sent.hash,
    ...(sent.fingerprint === undefined ? {} : { fingerprint: sent.fingerprint }),
  }
  try {
    await ctx.broadcast({ chainId: chain.caip2, kind: 'bitcoin-psbt', from: sent.source, hash: newTxid, raw: hex })
  } catch (error) {
    if (error instanceof BroadcastUnknownError) await journal.add(record)
    throw error
  }
  await journal.add(record)
  return newTxid
}
