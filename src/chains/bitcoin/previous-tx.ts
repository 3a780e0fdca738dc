/**
 * Checking a previous transaction before signing over it (design rule 9, CVE-2020-14199).
 *
 * A non-taproot signature does not commit to the amounts of the other inputs (legacy P2PKH does
 * not commit to any amount; segwit v0 only to its own). A server that understates a coin's
 * value therefore makes coffer sign a transaction whose real fee is the difference. The whole
 * previous transaction proves the value: it must hash (double SHA-256 of its serialization
 * without witnesses, byte-reversed for display) to the input's txid, and its output `vout` must
 * pay the script and the value the spend was priced with.
 * @module
 * @internal
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { RawTx } from '@scure/btc-signer'
import { DataIntegrityError } from '../../core/errors.js'

/** A decoded raw transaction, as @scure/btc-signer holds a PSBT's `nonWitnessUtxo`. */
export type RawTransaction = ReturnType<typeof RawTx.decode>

/** The largest raw transaction accepted: a whole block's weight (4 MB) of bytes. */
const MAX_TX_BYTES = 4_000_000

/** The txid (display byte order) of a decoded transaction. */
function txidOf(tx: RawTransaction): string {
  const bytes = RawTx.encode({ ...tx, segwitFlag: false, witnesses: undefined })
  return bytesToHex(sha256(sha256(bytes)).reverse())
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** What the spend was priced with: the coin `txid:vout` paying `value` satoshis to `script`. */
export interface ExpectedPrevout {
  readonly txid: string
  readonly vout: number
  readonly script: Uint8Array
  readonly value: bigint
}

/**
 * Checks a decoded previous transaction against the coin it is said to create.
 * @throws DataIntegrityError when it hashes to another txid, has no output `vout`, or that output pays another script or value
 */
export function checkPreviousTx(tx: RawTransaction, expected: ExpectedPrevout, where: string): void {
  const txid = txidOf(tx)
  const coin = `${expected.txid}:${expected.vout}`
  if (txid !== expected.txid.toLowerCase()) {
    throw new DataIntegrityError(
      `The previous transaction given for ${where} (${coin}) hashes to ${txid}, not to its txid; refusing to sign over it.`,
      { details: { input: coin, hashesTo: txid } },
    )
  }
  const output = tx.outputs[expected.vout]
  if (!output)
    throw new DataIntegrityError(`The previous transaction of ${where} has no output ${expected.vout}; refusing to sign over it.`, {
      details: { input: coin, outputs: tx.outputs.length },
    })
  if (!equal(output.script, expected.script)) {
    throw new DataIntegrityError(`Output ${coin} pays another script than the one ${where} spends; refusing to sign over it.`, {
      details: { input: coin },
    })
  }
  if (output.amount !== expected.value) {
    throw new DataIntegrityError(
      `Output ${coin} holds ${output.amount} sat, not the ${expected.value} sat ${where} was priced with; refusing to sign over it.`,
      {
        details: { input: coin, actual: output.amount, claimed: expected.value },
      },
    )
  }
}

/**
 * Parses a previous transaction's hex (as a server sent it) and checks it with
 * {@link checkPreviousTx}. Returns its bytes, for a PSBT's `nonWitnessUtxo`.
 * @throws DataIntegrityError
 */
export function verifyPreviousTx(hex: unknown, expected: ExpectedPrevout, where: string): Uint8Array {
  const coin = `${expected.txid}:${expected.vout}`
  if (typeof hex !== 'string' || hex.length === 0 || hex.length > 2 * MAX_TX_BYTES || !/^([0-9a-fA-F]{2})+$/.test(hex)) {
    throw new DataIntegrityError(`The server's previous transaction for ${where} (${coin}) is not transaction hex.`, {
      details: { input: coin },
    })
  }
  const bytes = hexToBytes(hex)
  let tx: RawTransaction
  try {
    tx = RawTx.decode(bytes)
  } catch (cause) {
    throw new DataIntegrityError(`The server's previous transaction for ${where} (${coin}) does not parse.`, {
      cause,
      details: { input: coin },
    })
  }
  checkPreviousTx(tx, expected, where)
  return bytes
}

/** The txid of a raw transaction's hex, or undefined when it does not parse as one. */
export function rawTxid(hex: string): string | undefined {
  try {
    return txidOf(RawTx.decode(hexToBytes(hex)))
  } catch {
    return undefined
  }
}
