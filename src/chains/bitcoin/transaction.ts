/**
 * Turning a quote's (or a replacement's) JSON inputs and outputs into an unsigned PSBT: every
 * non-taproot input gets its previous transaction from the backend, checked against its txid,
 * script and value before anything is signed; inputs and outputs take a fresh random order and
 * the lock time is the anti-fee-sniping height, so no two builds are alike. And signing such a
 * transaction offline: the PSBT checked against its summary, signed, finalized, extracted.
 * @module
 * @internal
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import type { Transaction } from '@scure/btc-signer'
import type { BitcoinAddressType } from '../../keys/address/bitcoin.js'
import type { AccountSigner, Signer } from '../../keys/signer.js'
import type { SignedTransaction, UnsignedTransaction } from '../adapter.js'
import { rpc, type BitcoinBackend } from './client.js'
import { antiFeeSnipingLockTime, shuffled } from './build-entropy.js'
import type { Call } from './call.js'
import { nativeAssetInfo, type BitcoinChain } from './networks.js'
import {
  buildPsbt,
  checkPsbtSummary,
  finalizePsbt,
  psbtFromBase64,
  psbtToBase64,
  signPsbt,
  type PsbtInput,
  type PsbtOutput,
} from './psbt.js'
import { readTipHeight } from './status.js'
import type { QuoteParts } from './validate.js'

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
    ...(o.change && o.publicKey && o.path && fingerprint !== undefined
      ? { publicKey: hexToBytes(o.publicKey), origin: { fingerprint, path: o.path } }
      : {}),
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
export async function buildUnsigned(
  backend: BitcoinBackend,
  chain: BitcoinChain,
  inputs: readonly InputJson[],
  outputs: readonly OutputJson[],
  fingerprint: number | undefined,
  tipHeight: number,
): Promise<Built> {
  const ins = shuffled(inputs)
  const outs = shuffled(outputs)
  const lockTime = antiFeeSnipingLockTime(tipHeight)
  const psbt = buildPsbt(chain.params, await psbtInputs(backend, ins, fingerprint), psbtOutputs(outs, fingerprint), { lockTime })
  return { psbt, inputs: ins, outputs: outs, lockTime }
}

/**
 * The checked quote as an unsigned transaction, in one call: the PSBT (base64) at the quote's tip
 * (or the backend's, read now, for a quote that does not say), with a JSON summary.
 * @throws DataIntegrityError when a previous transaction does not match its coin; RpcError
 */
export async function buildTransfer(call: Call, chain: BitcoinChain, parts: QuoteParts): Promise<UnsignedTransaction> {
  const { quote: q, inputs, outputs, fingerprint, quotedTip } = parts
  const tipHeight = typeof quotedTip === 'number' ? quotedTip : await readTipHeight(call)
  const built = await buildUnsigned(call.backend, chain, inputs, outputs, fingerprint, tipHeight)
  // The coin's symbol and decimals travel with it for an offline signer's prompt.
  const native = [nativeAssetInfo(chain)].find((a) => a.id === q.asset)
  return {
    chainId: chain.caip2,
    kind: 'bitcoin-psbt',
    from: q.from,
    summary: {
      to: q.to,
      asset: q.asset,
      amount: q.amount.toString(),
      fee: q.fee.amount.toString(),
      ...(native ? { symbol: native.symbol, decimals: native.decimals } : {}),
    },
    payload: {
      psbt: psbtToBase64(built.psbt),
      network: chain.network,
      feeRate: q.details.feeRate as string,
      vsize: q.details.vsize as number,
      lockTime: built.lockTime,
      inputs: built.inputs as never,
      outputs: built.outputs as never,
    },
  }
}

/**
 * Signs a checked unsigned transaction offline: refuses a PSBT that does not match its summary,
 * signs every input the signer can, finalizes and extracts.
 * @throws InvalidArgumentError, DataIntegrityError, SignatureVerificationError; what the signer throws
 */
export async function signTransfer(
  u: UnsignedTransaction,
  signer: Signer | AccountSigner,
  chain: BitcoinChain,
): Promise<SignedTransaction> {
  const psbt = psbtFromBase64(u.payload.psbt as string)
  checkPsbtSummary(psbt, u.summary, chain.params, signer)
  await signPsbt(psbt, signer, chain.params)
  const { hex, txid } = finalizePsbt(psbt)
  return { chainId: chain.caip2, kind: 'bitcoin-psbt', from: u.from, hash: txid, raw: hex }
}
