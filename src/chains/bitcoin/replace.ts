/**
 * Fee bumping by replacement (BIP-125): the same inputs and payment, a fee rate at least the
 * requested one and at least 1 sat/vB above the original's, and an absolute fee at least the
 * original's plus 1 sat/vB of the new size (rules 3, 4 and 6). The extra fee comes out of the
 * change output; if the change cannot pay it (or would fall below dust), the change is dropped
 * or more of the account's confirmed coins are added.
 * @module
 * @internal
 */
import { InsufficientFundsError } from '../../core/errors.js'
import type { BitcoinAddressType, BitcoinNetwork } from '../../keys/address/bitcoin.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { Source } from './account.js'
import type { BitcoinBackend } from './client.js'
import type { DiscoveryLimits } from './discovery.js'
import { recipientType, spendable } from './quote.js'
import { dustThreshold, txVsize, type OutputType } from './vsize.js'

/** A send this adapter made, as its journal keeps it (also when the broadcast's outcome was unknown). */
export interface SentTransaction {
  readonly hash: string
  /** Address or account descriptor it spent from. */
  readonly source: string
  readonly inputs: readonly { txid: string; vout: number; value: string; type: BitcoinAddressType; address: string; publicKey?: string; path?: string }[]
  /** Change outputs carry their key (hex) and path when they go back to an account. */
  readonly outputs: readonly { address: string; value: string; change?: boolean; publicKey?: string; path?: string }[]
  readonly fee: string
  readonly feeRate: string
  readonly vsize: number
  readonly fingerprint?: number
  readonly sentAt: number
  readonly replaces?: string
}

/** The replacement's inputs, outputs and fee. */
export type Bump = Pick<SentTransaction, 'inputs' | 'outputs' | 'fee' | 'feeRate' | 'vsize'>

const INCREMENTAL_RELAY_FEE = 1n

/** Where the replacement's change goes (with its key and path for an account). */
type ChangeTo = { address: string; publicKey?: string; path?: string }

function shape(inputs: Bump['inputs'], outputs: Bump['outputs'], network: BitcoinNetwork, changeType: OutputType): number {
  return txVsize({ inputs: inputs.map((i) => i.type), outputs: outputs.map((o) => (o.change ? changeType : recipientType(o.address, network))) })
}

/** Prices and shapes the replacement of `sent` at no less than `rate` sat/vB. @throws InsufficientFundsError */
export async function bumpFee(sent: SentTransaction, rate: bigint, source: Source, backend: BitcoinBackend, limits: DiscoveryLimits, network: BitcoinNetwork): Promise<Bump> {
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
      if (change >= dust) return { inputs, outputs: [...payments, { ...changeTo, value: change.toString(), change: true }], fee: fee.toString(), feeRate: newRate.toString(), vsize }
    }
    const vsize = shape(inputs, payments, network, changeType)
    const fee = total(inputs) - total(payments)
    return fee >= feeFor(vsize) ? { inputs, outputs: payments, fee: fee.toString(), feeRate: newRate.toString(), vsize } : undefined
  }

  const previous = sent.outputs.find((o) => o.change)
  let changeTo: ChangeTo | undefined = previous && { address: previous.address, ...(previous.publicKey ? { publicKey: previous.publicKey } : {}), ...(previous.path ? { path: previous.path } : {}) }
  const direct = price(changeTo)
  if (direct) return direct
  // The change cannot pay: add more of the source's confirmed coins, largest first.
  const funds = await spendable(backend, source, limits)
  const fresh = funds.change
  changeTo ??= { address: fresh.address, ...(fresh.publicKey?.length ? { publicKey: bytesToHex(fresh.publicKey) } : {}), ...(fresh.path ? { path: fresh.path } : {}) }
  const used = new Set(inputs.map((i) => `${i.txid}:${i.vout}`))
  const extra = funds.utxos.filter((u) => u.confirmed && !used.has(`${u.txid}:${u.vout}`)).sort((a, b) => (b.value > a.value ? 1 : b.value < a.value ? -1 : 0))
  for (const u of extra) {
    inputs = [...inputs, { txid: u.txid, vout: u.vout, value: u.value.toString(), type: u.type, address: u.address, ...(u.publicKey.length ? { publicKey: bytesToHex(u.publicKey) } : {}), ...(u.path ? { path: u.path } : {}) }]
    const bumped = price(changeTo)
    if (bumped) return bumped
  }
  throw new InsufficientFundsError('Not enough confirmed coins to pay the higher fee.', { details: { needed: feeFor(sent.vsize).toString(), available: (total(inputs) - total(payments)).toString() } })
}
