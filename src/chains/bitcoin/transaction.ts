/**
 * Turning a quote's (or a replacement's) JSON inputs and outputs into an unsigned PSBT: every
 * non-taproot input gets its previous transaction from the backend, checked against its txid,
 * script and value before anything is signed; inputs and outputs take a fresh random order and
 * the lock time is the anti-fee-sniping height, so no two builds are alike.
 * @module
 * @internal
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import type { Transaction } from '@scure/btc-signer'
import type { BitcoinAddressType } from '../../keys/address/bitcoin.js'
import { rpc, type BitcoinBackend } from './client.js'
import { antiFeeSnipingLockTime, shuffled } from './build-entropy.js'
import type { BitcoinChain } from './networks.js'
import { buildPsbt, type PsbtInput, type PsbtOutput } from './psbt.js'

/** An input as quotes and the journal keep it. */
export interface InputJson {
  txid: string
  vout: number
  value: string
  type: BitcoinAddressType
  address: string
  publicKey?: string
  path?: string
}

/** An output as quotes and the journal keep it. */
export interface OutputJson {
  address: string
  value: string
  change?: boolean
  /** Change to an account: its key (hex) and full path, so the PSBT proves the output is the signer's. */
  publicKey?: string
  path?: string
}

/** Quote / journal outputs as PSBT outputs (change with its key origin when the account's fingerprint is known). */
function psbtOutputs(outputs: readonly OutputJson[], fingerprint: number | undefined): PsbtOutput[] {
  return outputs.map((o) => ({
    address: o.address,
    value: BigInt(o.value),
    ...(o.change && o.publicKey && o.path && fingerprint !== undefined ? { publicKey: hexToBytes(o.publicKey), origin: { fingerprint, path: o.path } } : {}),
  }))
}

/** Quote / journal inputs as PSBT inputs, each non-taproot one with its previous transaction (read once per txid). */
async function psbtInputs(backend: BitcoinBackend, inputs: readonly InputJson[], fingerprint: number | undefined): Promise<PsbtInput[]> {
  const previous = new Map<string, Promise<string>>()
  const previousTx = (txid: string) => {
    let hex = previous.get(txid)
    if (!hex) previous.set(txid, (hex = rpc('Reading the previous transaction', () => backend.transactionHex(txid))))
    return hex
  }
  return Promise.all(
    inputs.map(async (i) => ({
      txid: i.txid,
      vout: i.vout,
      value: BigInt(i.value),
      type: i.type,
      address: i.address,
      ...(i.publicKey ? { publicKey: hexToBytes(i.publicKey) } : {}),
      ...(i.path && fingerprint !== undefined ? { origin: { fingerprint, path: i.path } } : {}),
      ...(i.type === 'p2tr' ? {} : { previousTx: await previousTx(i.txid) }),
    })),
  )
}

/** An unsigned PSBT and the order it put the inputs and outputs in. */
export interface Built {
  readonly psbt: Transaction
  readonly inputs: InputJson[]
  readonly outputs: OutputJson[]
  readonly lockTime: number
}

/**
 * Builds the PSBT for `inputs` → `outputs` in a fresh random order, locked at the
 * anti-fee-sniping height from `tipHeight`.
 * @throws DataIntegrityError when a previous transaction does not match its coin
 */
export async function buildUnsigned(backend: BitcoinBackend, chain: BitcoinChain, inputs: readonly InputJson[], outputs: readonly OutputJson[], fingerprint: number | undefined, tipHeight: number): Promise<Built> {
  const ins = shuffled(inputs)
  const outs = shuffled(outputs)
  const lockTime = antiFeeSnipingLockTime(tipHeight)
  const psbt = buildPsbt(chain.params, await psbtInputs(backend, ins, fingerprint), psbtOutputs(outs, fingerprint), { lockTime })
  return { psbt, inputs: ins, outputs: outs, lockTime }
}
