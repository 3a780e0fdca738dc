/**
 * Signature verification of the Esplora-shaped server, independent of coffer's own crypto:
 * sighashes from bitcoinjs-lib, ECDSA and Schnorr checks from tiny-secp256k1 (libsecp256k1
 * compiled to WebAssembly). P2WPKH, P2SH-P2WPKH, P2PKH and P2TR key-path inputs are verified;
 * every other input type is refused as unverifiable, never accepted unchecked.
 * @module
 * @internal
 */
import { Transaction, initEccLib, payments, script as bscript } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { equalBytes, hash160, scriptAsm, scriptType, toHex } from './script.js'

initEccLib(ecc)

const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/** An output being spent: its script and value. */
export interface Prevout {
  script: Uint8Array
  value: bigint
}

/** A broadcast refused with a Bitcoin Core RPC error code and message. */
export class Rejection extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

/** A script-verification failure, worded as Bitcoin Core words it. */
export function scriptFail(i: number, kind: string, detail: string, mandatory = true): Rejection {
  const prefix = mandatory ? 'mandatory-script-verify-flag-failed' : 'non-mandatory-script-verify-flag'
  return new Rejection(-26, `${prefix} (${detail}): input ${i} (${kind})`)
}

/** A sighash type Bitcoin Core defines (ALL, NONE, SINGLE, each optionally with ANYONECANPAY). */
function isDefinedHashType(hashType: number): boolean {
  const base = hashType & ~Transaction.SIGHASH_ANYONECANPAY
  return base >= Transaction.SIGHASH_ALL && base <= Transaction.SIGHASH_SINGLE
}

/** Verifies input `i` of `tx` against its prevout. @throws Rejection */
export function verifyInput(tx: Transaction, i: number, prevouts: Prevout[]): void {
  const input = tx.ins[i]!
  const prev = prevouts[i]!
  const type = scriptType(prev.script)
  switch (type) {
    case 'v0_p2wpkh': {
      if (input.script.length > 0) throw scriptFail(i, 'p2wpkh', 'Witness requires empty scriptSig')
      verifyP2wpkh(tx, i, 'p2wpkh', prev.script.subarray(2, 22), prev.value)
      return
    }
    case 'p2sh': {
      const chunks = bscript.decompile(input.script)
      const redeem = chunks?.length === 1 ? chunks[0] : undefined
      if (!(redeem instanceof Uint8Array) || bscript.compile([redeem]).length !== input.script.length) {
        throw scriptFail(i, 'p2sh', 'Witness requires only-redeemscript scriptSig; scriptSig must be one push of the redeem script')
      }
      if (!equalBytes(hash160(redeem), prev.script.subarray(2, 22))) {
        throw scriptFail(
          i,
          'p2sh',
          "Script evaluated without error but finished with a false/empty top stack element; hash160(redeem script) does not match the prevout's script hash",
        )
      }
      if (scriptType(redeem) !== 'v0_p2wpkh') {
        throw new Rejection(
          -26,
          `bad-txns-nonstandard-inputs: input ${i}: only P2SH-P2WPKH redeem scripts are supported by this test server, got ${scriptAsm(redeem)}`,
        )
      }
      verifyP2wpkh(tx, i, 'p2sh-p2wpkh', redeem.subarray(2, 22), prev.value)
      return
    }
    case 'p2pkh': {
      const kind = 'p2pkh'
      if (input.witness.length > 0) throw scriptFail(i, kind, 'Witness provided for non-witness script')
      const chunks = bscript.decompile(input.script)
      const [sig, pubkey] = chunks ?? []
      if (chunks?.length !== 2 || !(sig instanceof Uint8Array) || !(pubkey instanceof Uint8Array)) {
        throw scriptFail(i, kind, 'scriptSig must push exactly [signature, pubkey]')
      }
      if (!ecc.isPoint(pubkey)) throw scriptFail(i, kind, 'Public key is not a valid secp256k1 point')
      if (!equalBytes(hash160(pubkey), prev.script.subarray(3, 23))) {
        throw scriptFail(i, kind, "Script failed an OP_EQUALVERIFY operation; hash160(pubkey) does not match the prevout's pubkey hash")
      }
      verifyEcdsa(i, kind, sig, pubkey, (hashType) => tx.hashForSignature(i, prev.script, hashType))
      return
    }
    case 'v1_p2tr': {
      verifyTaprootKeyPath(tx, i, prevouts)
      return
    }
    default:
      throw new Rejection(
        -26,
        `bad-txns-nonstandard-inputs: input ${i} spends a ${type} output, which this test server cannot verify (supported: p2wpkh, p2sh-p2wpkh, p2pkh, p2tr key path)`,
      )
  }
}

function verifyTaprootKeyPath(tx: Transaction, i: number, prevouts: Prevout[]): void {
  const kind = 'p2tr'
  const input = tx.ins[i]!
  const prev = prevouts[i]!
  if (input.script.length > 0) throw scriptFail(i, kind, 'Witness requires empty scriptSig')
  let stack = input.witness
  let annex: Uint8Array | undefined
  const last = stack[stack.length - 1]
  if (stack.length >= 2 && last && last[0] === 0x50) {
    annex = last
    stack = stack.slice(0, -1)
  }
  if (stack.length !== 1) {
    throw new Rejection(
      -26,
      `bad-txns-nonstandard-inputs: input ${i} (p2tr): only key-path spends (a witness of one signature) are supported by this test server, got ${stack.length} witness elements`,
    )
  }
  const sig = stack[0]!
  if (sig.length !== 64 && sig.length !== 65) throw scriptFail(i, kind, `Invalid Schnorr signature size ${sig.length}`)
  const hashType = sig.length === 65 ? sig[64]! : Transaction.SIGHASH_DEFAULT
  if (sig.length === 65 && (hashType === 0 || !isDefinedHashType(hashType))) {
    throw scriptFail(i, kind, `Invalid Schnorr signature hash type 0x${hashType.toString(16)}`)
  }
  const hash = tx.hashForWitnessV1(
    i,
    prevouts.map((p) => p.script),
    prevouts.map((p) => p.value),
    hashType,
    undefined,
    annex,
  )
  let ok = false
  try {
    ok = ecc.verifySchnorr(hash, prev.script.subarray(2, 34), sig.subarray(0, 64))
  } catch {
    ok = false
  }
  if (!ok) throw scriptFail(i, kind, 'Invalid Schnorr signature; it does not verify against the output key and the BIP-341 sighash')
}

function verifyP2wpkh(tx: Transaction, i: number, kind: string, program: Uint8Array, value: bigint): void {
  const witness = tx.ins[i]!.witness
  if (witness.length !== 2)
    throw scriptFail(i, kind, `Witness program mismatch: expected [signature, pubkey], got ${witness.length} elements`)
  const [sig, pubkey] = witness as [Uint8Array, Uint8Array]
  if (pubkey.length !== 33 || (pubkey[0] !== 2 && pubkey[0] !== 3)) {
    throw scriptFail(i, kind, 'Using non-compressed keys in segwit', false)
  }
  if (!equalBytes(hash160(pubkey), program)) {
    throw scriptFail(i, kind, "Witness program hash mismatch; hash160(pubkey) does not match the prevout's program")
  }
  const scriptCode = payments.p2pkh({ hash: program }).output!
  verifyEcdsa(i, kind, sig, pubkey, (hashType) => tx.hashForWitnessV0(i, scriptCode, value, hashType))
}

function verifyEcdsa(
  i: number,
  kind: string,
  sigWithHashType: Uint8Array,
  pubkey: Uint8Array,
  sighash: (hashType: number) => Uint8Array,
): void {
  let decoded: { signature: Uint8Array; hashType: number }
  try {
    decoded = bscript.signature.decode(sigWithHashType)
  } catch (error) {
    throw scriptFail(i, kind, `Non-canonical DER signature or undefined hash type: ${(error as Error).message}`)
  }
  const s = BigInt(`0x${toHex(decoded.signature.subarray(32))}`)
  if (s > HALF_ORDER) throw scriptFail(i, kind, 'Non-canonical signature: S value is unnecessarily high', false)
  const hash = sighash(decoded.hashType)
  let ok = false
  try {
    ok = ecc.verify(hash, pubkey, decoded.signature, true)
  } catch {
    ok = false
  }
  if (!ok) {
    throw scriptFail(
      i,
      kind,
      'Signature must be zero for failed CHECK(MULTI)SIG operation; the ECDSA signature does not verify against the pubkey and the sighash',
    )
  }
}
