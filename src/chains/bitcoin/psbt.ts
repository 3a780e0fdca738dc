/**
 * PSBTs (BIP-174, BIP-371) with @scure/btc-signer: build one from selected inputs (each with
 * its previous output, key origin and, for taproot, its internal key; every non-taproot input
 * with the whole previous transaction, checked against its txid), sign it with coffer
 * Signers — ECDSA for P2PKH / P2SH-P2WPKH / P2WPKH, BIP-340 Schnorr with the BIP-86 tweak for
 * P2TR — finalize and extract. Every input signals replaceability (BIP-125). Signing is
 * offline, and refuses a non-taproot input whose previous transaction is missing or does not
 * match (CVE-2020-14199), and sighash types that do not commit to every output.
 * @module
 */
import { isIntegerIn } from '../../core/assert.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { base64 } from '@scure/base'
import { Address, OutScript, p2sh, p2tr, p2wpkh, Transaction } from '@scure/btc-signer'
import { DataIntegrityError, InvalidArgumentError, SignatureVerificationError } from '../../core/errors.js'
import { hash160, type BitcoinAddressType } from '../../keys/address/bitcoin.js'
import { parsePath } from '../../keys/path.js'
import type { AccountSigner, Secp256k1Signer, Signer } from '../../keys/signer.js'
import type { BtcNetworkParams } from './networks.js'
import { checkPreviousTx, verifyPreviousTx } from './previous-tx.js'
import { sighashFor } from './sighash.js'

/** BIP-125: any sequence below 0xfffffffe signals replaceability. */
export const RBF_SEQUENCE = 0xfffffffd

/** An input to spend. */
export interface PsbtInput {
  readonly txid: string
  readonly vout: number
  readonly value: bigint
  readonly type: BitcoinAddressType
  /** The address that holds the output. */
  readonly address: string
  /** 33-byte compressed key that controls the output; a single-address source learns it from the signer. */
  readonly publicKey?: Uint8Array
  /** Key origin (master fingerprint + full path), when known. */
  readonly origin?: { readonly fingerprint: number; readonly path: string }
  /**
   * The previous transaction, hex: required for every non-taproot input (a P2PKH signature
   * commits to no amount, a segwit v0 one only to its own). It must hash to `txid` and its
   * output `vout` must pay `address` exactly `value`, else DataIntegrityError.
   */
  readonly previousTx?: string
}

/** An output to pay. */
export interface PsbtOutput {
  readonly address: string
  readonly value: bigint
  /** Change back to an account: its 33-byte key, written into the PSBT (with `origin`) so a signer can prove the output is its own. */
  readonly publicKey?: Uint8Array
  readonly origin?: { readonly fingerprint: number; readonly path: string }
}

/** Options of {@link buildPsbt}. */
export interface BuildPsbtOptions {
  /** nLockTime, a block height below 500,000,000 (the adapter uses the anti-fee-sniping height); default 0. */
  readonly lockTime?: number
}

/** The previous transaction of a non-taproot input, checked against the coin. @throws InvalidArgumentError, DataIntegrityError */
function previousTxOf(input: PsbtInput, script: Uint8Array): Uint8Array {
  if (!input.previousTx)
    throw new InvalidArgumentError(
      `${input.type.toUpperCase()} input ${input.txid}:${input.vout} needs its previous transaction (previousTx).`,
    )
  return verifyPreviousTx(
    input.previousTx,
    { txid: input.txid, vout: input.vout, script, value: input.value },
    `input ${input.txid}:${input.vout}`,
  )
}

/** Builds an unsigned PSBT with the inputs and outputs in the order given. @throws InvalidArgumentError, DataIntegrityError */
export function buildPsbt(
  network: BtcNetworkParams,
  inputs: readonly PsbtInput[],
  outputs: readonly PsbtOutput[],
  options: BuildPsbtOptions = {},
): Transaction {
  const lockTime = options.lockTime ?? 0
  if (!isIntegerIn(lockTime, 0, 500_000_000 - 1)) throw new InvalidArgumentError('lockTime must be a block height from 0 to 499,999,999.')
  const tx = new Transaction({ allowUnknownOutputs: false, lockTime })
  const address = Address(network)
  for (const input of inputs) {
    const origin = input.origin ? { fingerprint: input.origin.fingerprint, path: parsePath(input.origin.path) } : undefined
    const key = input.publicKey
    const base = { txid: input.txid, index: input.vout, sequence: RBF_SEQUENCE }
    const witnessUtxo = { script: OutScript.encode(address.decode(input.address)), amount: input.value }
    switch (input.type) {
      case 'p2wpkh':
        tx.addInput({
          ...base,
          witnessUtxo,
          nonWitnessUtxo: previousTxOf(input, witnessUtxo.script),
          ...(key && origin ? { bip32Derivation: [[key, origin]] } : {}),
        })
        break
      case 'p2sh-p2wpkh':
        tx.addInput({
          ...base,
          witnessUtxo,
          nonWitnessUtxo: previousTxOf(input, witnessUtxo.script),
          ...(key ? { redeemScript: p2wpkh(key, network).script } : {}),
          ...(key && origin ? { bip32Derivation: [[key, origin]] } : {}),
        })
        break
      case 'p2tr':
        tx.addInput({
          ...base,
          witnessUtxo,
          ...(key ? { tapInternalKey: key.subarray(1) } : {}),
          ...(key && origin ? { tapBip32Derivation: [[key.subarray(1), { hashes: [], der: origin }]] } : {}),
        })
        break
      case 'p2pkh':
        tx.addInput({
          ...base,
          nonWitnessUtxo: previousTxOf(input, witnessUtxo.script),
          ...(key && origin ? { bip32Derivation: [[key, origin]] } : {}),
        })
        break
    }
  }
  for (const output of outputs) {
    const index = tx.addOutputAddress(output.address, output.value, network)
    const key = output.publicKey
    if (!key || !output.origin) continue
    const origin = { fingerprint: output.origin.fingerprint, path: parsePath(output.origin.path) }
    const type = OutScript.decode(OutScript.encode(address.decode(output.address))).type
    if (type === 'tr')
      tx.updateOutput(index, { tapInternalKey: key.subarray(1), tapBip32Derivation: [[key.subarray(1), { hashes: [], der: origin }]] })
    else if (type === 'sh') tx.updateOutput(index, { redeemScript: p2wpkh(key, network).script, bip32Derivation: [[key, origin]] })
    else tx.updateOutput(index, { bip32Derivation: [[key, origin]] })
  }
  return tx
}

/** The output scripts a single key controls, by address type. */
function scriptsOf(key: Uint8Array, network: BtcNetworkParams): Record<BitcoinAddressType, Uint8Array> {
  return {
    p2wpkh: p2wpkh(key, network).script,
    'p2sh-p2wpkh': p2sh(p2wpkh(key, network), network).script,
    p2tr: p2tr(key.subarray(1), undefined, network).script,
    p2pkh: OutScript.encode({ type: 'pkh', hash: hash160(key) }),
  }
}

/** Base64 of a PSBT (BIP-174 v0), to hand to another signer. */
export function psbtToBase64(tx: Transaction): string {
  return base64.encode(tx.toPSBT(0))
}

/**
 * Parses a base64 PSBT. @scure/btc-signer checks on parsing that a `nonWitnessUtxo` hashes to
 * its input's txid (when that transaction is complete) and agrees with the `witnessUtxo`; those
 * failures are DataIntegrityError. @throws InvalidArgumentError, DataIntegrityError
 */
export function psbtFromBase64(text: unknown): Transaction {
  if (typeof text !== 'string' || text.length === 0 || text.length > 4_000_000)
    throw new InvalidArgumentError('A PSBT must be a base64 string.')
  let bytes: Uint8Array
  try {
    bytes = base64.decode(text.trim())
  } catch (cause) {
    throw new InvalidArgumentError('Not a valid base64 PSBT.', { cause })
  }
  try {
    return Transaction.fromPSBT(bytes)
  } catch (cause) {
    const message = String((cause as Error)?.message ?? cause)
    if (/nonWitnessUtxo|witnessUtxo different/.test(message)) {
      throw new DataIntegrityError(
        `The PSBT's previous transaction for an input does not match that input (${message.slice(0, 160)}); refusing it.`,
        { cause },
      )
    }
    throw new InvalidArgumentError('Not a valid base64 PSBT.', { cause })
  }
}

type InputInfo = ReturnType<Transaction['getInput']>

/** What kind of single-key output an input spends, from the script of its previous output. */
function inputKind(tx: Transaction, i: number): BitcoinAddressType | undefined {
  const input: InputInfo = tx.getInput(i)
  try {
    const type = OutScript.decode(prevOut(tx, i).script).type
    if (type === 'tr') return 'p2tr'
    if (type === 'wpkh') return 'p2wpkh'
    if (type === 'pkh') return 'p2pkh'
    if (type === 'sh' && input.redeemScript && OutScript.decode(input.redeemScript).type === 'wpkh') return 'p2sh-p2wpkh'
  } catch {
    // A script coffer cannot parse is one it does not sign.
  }
  return undefined
}

/** The signer for an input: an account's child (by key origin) or a single key whose script it is. */
function signerFor(tx: Transaction, i: number, signer: Signer | AccountSigner, network: BtcNetworkParams): Secp256k1Signer | undefined {
  const input = tx.getInput(i)
  if ('kind' in signer && signer.kind === 'account') {
    const origins = [...(input.bip32Derivation ?? []).map(([, o]) => o), ...(input.tapBip32Derivation ?? []).map(([, o]) => o.der)]
    const mine = origins.find((o) => o.fingerprint === signer.masterFingerprint && o.path.length >= 2)
    if (!mine) return undefined
    const [change, index] = mine.path.slice(-2) as [number, number]
    return change === 0 || change === 1 ? signer.child(change, index) : undefined
  }
  if ('kind' in signer || signer.curve !== 'secp256k1') return undefined
  // A single key: it signs the input if the previous output pays to it.
  const key = signer.publicKey
  const script = prevOut(tx, i).script
  const own = scriptsOf(key, network)
  const candidates: [Uint8Array, () => void][] = [
    [own.p2wpkh, () => undefined],
    [own['p2sh-p2wpkh'], () => input.redeemScript || tx.updateInput(i, { redeemScript: own.p2wpkh }, true)],
    [own.p2tr, () => input.tapInternalKey || tx.updateInput(i, { tapInternalKey: key.subarray(1) }, true)],
    [own.p2pkh, () => undefined],
  ]
  const match = candidates.find(([s]) => equal(s, script))
  if (!match) return undefined
  match[1]()
  return signer
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** Legacy (pre-segwit) sighash; @scure/btc-signer has it, but not as a public method. */
function legacySighash(tx: Transaction, idx: number, prevOutScript: Uint8Array, hashType: number): Uint8Array {
  return (tx as unknown as { preimageLegacy(i: number, s: Uint8Array, h: number): Uint8Array }).preimageLegacy(idx, prevOutScript, hashType)
}

/**
 * A non-taproot input is signed only over its whole previous transaction: present, hashing to
 * the input's txid, and (with a witnessUtxo) paying exactly what the witnessUtxo says. Without
 * it a segwit v0 signature commits to an amount nobody checked, and signatures from two sessions
 * fed different lies combine into a transaction paying more fee than either showed
 * (CVE-2020-14199). One exception, as BIP-174 signers allow: a segwit v0 input that is the
 * transaction's only input. Its signature commits to its own amount (BIP-143), so a false
 * amount makes it invalid, and there is no other input whose signature it could be combined
 * with: nothing can be spent that the signer did not see.
 * @throws InvalidArgumentError when it is missing; DataIntegrityError when it does not match
 */
function checkInputPrevTx(tx: Transaction, i: number, kind: BitcoinAddressType): void {
  const input = tx.getInput(i)
  if (!input.txid || input.index === undefined) throw new InvalidArgumentError(`PSBT input ${i} has no outpoint.`)
  if (!input.nonWitnessUtxo && kind !== 'p2pkh' && input.witnessUtxo && tx.inputsLength === 1) return
  if (!input.nonWitnessUtxo) {
    throw new InvalidArgumentError(
      `PSBT input ${i} has no previous transaction (nonWitnessUtxo); coffer signs a non-taproot input only over its whole previous transaction, which proves the amount.`,
      { details: { input: i } },
    )
  }
  const expected = prevOut(tx, i)
  checkPreviousTx(
    input.nonWitnessUtxo,
    { txid: bytesToHex(input.txid), vout: input.index, script: expected.script, value: expected.amount },
    `PSBT input ${i}`,
  )
}

/** One input about to be signed: its signer, kind and sighash type. */
type Plan = { index: number; key: Secp256k1Signer; kind: BitcoinAddressType; sighash: number }

/**
 * Signs every input `signer` can sign (a single key, or an account signer's child keys), with
 * the sighash type the input asks for when it commits to every output. Every input is checked
 * before the first signature, so a refusal signs nothing. Returns how many inputs it signed.
 * Does not finalize, so others can add signatures.
 * @throws InvalidArgumentError (missing previous transaction, NONE / SINGLE sighash), DataIntegrityError (previous transaction that does not match)
 */
export async function signPsbt(tx: Transaction, signer: Signer | AccountSigner, network: BtcNetworkParams): Promise<number> {
  const plans: Plan[] = []
  for (let i = 0; i < tx.inputsLength; i++) {
    const key = signerFor(tx, i, signer, network)
    const kind = key && inputKind(tx, i)
    if (!key || !kind) continue
    const sighash = sighashFor(tx.getInput(i).sighashType, kind === 'p2tr', i)
    if (kind !== 'p2tr') checkInputPrevTx(tx, i, kind)
    plans.push({ index: i, key, kind, sighash })
  }
  if (plans.length === 0) return 0
  const prevOuts = Array.from({ length: tx.inputsLength }, (_, i) => prevOut(tx, i))
  for (const { index: i, key, kind, sighash } of plans) {
    if (kind === 'p2tr') {
      const digest = tx.preimageWitnessV1(
        i,
        prevOuts.map((p) => p.script),
        sighash,
        prevOuts.map((p) => p.amount),
      )
      const sig = await key.signSchnorr(digest, { tweak: new Uint8Array(0) })
      tx.updateInput(i, { tapKeySig: sighash === 0 ? sig : new Uint8Array([...sig, sighash]) }, true)
    } else {
      const pkh = OutScript.encode({ type: 'pkh', hash: hash160(key.publicKey) })
      const digest = kind === 'p2pkh' ? legacySighash(tx, i, pkh, sighash) : tx.preimageWitnessV0(i, pkh, sighash, prevOuts[i]!.amount)
      const sig = await key.signDigest(digest)
      const der = new secp256k1.Signature(sig.r, sig.s).toDERRawBytes()
      tx.updateInput(i, { partialSig: [[key.publicKey, new Uint8Array([...der, sighash])]] }, true)
    }
  }
  return plans.length
}

function prevOut(tx: Transaction, i: number): { script: Uint8Array; amount: bigint } {
  const input = tx.getInput(i)
  if (input.witnessUtxo) return { script: input.witnessUtxo.script, amount: input.witnessUtxo.amount }
  if (input.nonWitnessUtxo && input.index !== undefined) {
    const out = input.nonWitnessUtxo.outputs[input.index]
    if (out) return { script: out.script, amount: out.amount }
  }
  throw new InvalidArgumentError(`PSBT input ${i} has no previous output.`)
}

/**
 * True when output `i` pays `signer` itself: for an account signer, the output carries a key
 * origin under the account's master fingerprint whose `<change>/<index>` child has that key and
 * that script; for a single key, the output pays one of the key's own scripts.
 */
function paysSigner(tx: Transaction, i: number, script: Uint8Array, signer: Signer | AccountSigner, network: BtcNetworkParams): boolean {
  if ('kind' in signer && signer.kind === 'account') {
    const output = tx.getOutput(i)
    const origins = [
      ...(output.bip32Derivation ?? []).map(([key, o]) => ({ key, o })),
      ...(output.tapBip32Derivation ?? []).map(([key, o]) => ({ key, o: o.der })),
    ]
    return origins.some(({ key, o }) => {
      if (o.fingerprint !== signer.masterFingerprint || o.path.length < 2) return false
      const [change, index] = o.path.slice(-2) as [number, number]
      if ((change !== 0 && change !== 1) || index >= 2 ** 31) return false
      const child = signer.child(change, index).publicKey
      const keyMatches = key.length === 32 ? equal(key, child.subarray(1)) : equal(key, child)
      return keyMatches && equal(scriptsOf(child, network)[signer.addressType], script)
    })
  }
  if ('kind' in signer || signer.curve !== 'secp256k1') return false
  return Object.values(scriptsOf(signer.publicKey, network)).some((own) => equal(own, script))
}

/**
 * Checks that a PSBT does what its summary says before anything is signed: it pays exactly
 * `amount` to `to`; any other output is change back to the signer, proven (an account's
 * change carries its key origin; a single key's change pays the key's own script); and its
 * fee (inputs minus outputs) is at most the summary's. An offline signer that shows the
 * summary therefore signs what it shows.
 * @throws InvalidArgumentError
 */
export function checkPsbtSummary(tx: Transaction, summary: unknown, network: BtcNetworkParams, signer: Signer | AccountSigner): void {
  const s = summary as { to?: unknown; amount?: unknown; fee?: unknown } | null
  if (
    !s ||
    typeof s.to !== 'string' ||
    typeof s.amount !== 'string' ||
    typeof s.fee !== 'string' ||
    !/^\d+$/.test(s.amount) ||
    !/^\d+$/.test(s.fee)
  ) {
    throw new InvalidArgumentError('The unsigned transaction has no valid summary { to, asset, amount, fee }.')
  }
  const mismatch = (what: string) =>
    new InvalidArgumentError(`The PSBT does not match its summary (${what}); refusing to sign what a reader of the summary did not see.`)
  const address = Address(network)
  let toRecipient = 0n
  let out = 0n
  for (let i = 0; i < tx.outputsLength; i++) {
    const o = tx.getOutput(i)
    if (!o.script || o.amount === undefined) throw mismatch(`output ${i} is incomplete`)
    out += o.amount
    let to: string | undefined
    try {
      to = address.encode(OutScript.decode(o.script))
    } catch {
      to = undefined
    }
    if (to !== undefined && to.toLowerCase() === s.to.toLowerCase()) toRecipient += o.amount
    else if (!paysSigner(tx, i, o.script, signer, network))
      throw mismatch(`output ${i} pays ${to ?? 'a non-standard script'}, neither the recipient nor change back to the signer`)
  }
  if (toRecipient !== BigInt(s.amount)) throw mismatch('it pays the recipient another amount')
  let input = 0n
  for (let i = 0; i < tx.inputsLength; i++) input += prevOut(tx, i).amount
  if (input - out > BigInt(s.fee)) throw mismatch('its fee is higher than the summary shows')
}

/** Finalizes every input and returns the raw transaction hex and txid. @throws SignatureVerificationError if any input is unsigned */
export function finalizePsbt(tx: Transaction): { hex: string; txid: string } {
  try {
    tx.finalize()
  } catch (cause) {
    throw new SignatureVerificationError('The PSBT cannot be finalized: an input is missing its signature.', { cause })
  }
  return { hex: tx.hex, txid: tx.id }
}
