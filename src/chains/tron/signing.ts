/**
 * Offline signing of TRON transfers (no network): `payload.raw` is decoded by ./protobuf.ts
 * (strict: one canonical encoding, one contract) and checked against the summary before the key
 * is used — never sign over a builder's word.
 *
 * Checked: the chain and kind; the signer's own address, derived from its public key (not its
 * `address` field), is `from` and the contract's owner; permission 0 (the owner permission: a
 * multi-signature permission id is refused); `txID` = sha256(raw); TRX (`summary.asset` = the
 * native asset): one TransferContract to `summary.to` of `summary.amount` sun, fee_limit 0;
 * TRC-20 (`summary.asset` = a token of `tokens`, the adapter's list — the payload's `contract`
 * is only compared, never trusted): one TriggerSmartContract on that contract whose data is
 * exactly `transfer(summary.to, summary.amount)` (selector and two words, nothing after), no TRX
 * or TRC-10 sent with the call, 0 < fee_limit ≤ `summary.fee`; the memo (`data`) is the
 * payload's `memo` or empty; the payload's `txID`, `expiration`, `feeLimit`, `contract`
 * restate the bytes.
 *
 * Expiration: an offline signer's clock may be wrong, so the signer's clock is never used. The
 * bytes bound it instead: the expiration must be after the transaction's `timestamp` and at most
 * 24 h after it. java-tron accepts a transaction only while its expiration is at most 24 h
 * after the head block, so a far-future expiration would let signed bytes wait days before they
 * can land; `timestamp` is the builder's word, so a caller that has a trusted clock passes
 * `options.now` and the expiration must also be at most 24 h after it.
 *
 * The signature is 65 bytes r ‖ s ‖ v with v = 27 + recovery, as TronWeb 6 writes it
 * (`utils/crypto.js` ECKeySign: `signature.recovery + 27`); java-tron takes 0/1 or 27/28
 * (`TransactionCapsule.getBase64FromByteString`: `if (v < 27) v += 27`). The signed
 * transaction's `raw` is the hex of the protobuf `Transaction { raw_data = 1, signature = 2 }`
 * — the bytes `/wallet/broadcasthex` takes, from which the chain rebuilds nothing — and its
 * `hash` is the txID in lower-case hex, as Tronscan shows it.
 *
 * Any difference is an InvalidArgumentError naming it; nothing is signed.
 * @module
 * @internal
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { numberToBytesBE } from '@noble/curves/abstract/utils.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { shown } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { InvalidArgumentError, SignatureVerificationError } from '../../core/errors.js'
import { tronAddressFromPublicKey } from '../../keys/address/tron.js'
import type { Signer } from '../../keys/signer.js'
import type { Json, SignedTransaction, UnsignedTransaction } from '../adapter.js'
import { decodeTrc20Transfer } from './abi.js'
import { tronAddressFromPayload } from './address.js'
import { trc20AssetId } from './networks.js'
import { decodeRawTransaction, tronTxId, type TronRawTransaction } from './protobuf.js'
import { TRON_TX_KIND } from './transaction.js'

/** A TRC-20 the adapter lists: what a TRC-20 summary's asset must be. */
export interface TronSigningToken {
  /** base58 `T…` address of the contract. */
  readonly contract: string
  readonly symbol: string
  readonly decimals: number
}

/** Options of {@link signTronTransaction}. */
export interface SignTronOptions {
  /** A trusted clock (ms since the epoch): then the expiration must also be at most 24 h after it. */
  readonly now?: number
}

const DAY_MS = 86_400_000n
const MAX_U64_DECIMAL = /^(0|[1-9][0-9]{0,18})$/

function mismatch(what: string): never {
  throw new InvalidArgumentError(`The transaction does not match its summary: ${what}. Nothing was signed.`, {
    details: { mismatch: what },
  })
}

function amountOf(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !MAX_U64_DECIMAL.test(value) || BigInt(value) >= 2n ** 63n)
    throw new InvalidArgumentError(`${what} must be a decimal string of base units. Nothing was signed.`)
  return BigInt(value)
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function decodePayload(payload: { readonly [key: string]: Json }): { raw: TronRawTransaction; bytes: Uint8Array; txID: string } {
  const hex = payload.raw
  if (typeof hex !== 'string' || !/^([0-9a-f]{2})+$/.test(hex) || hex.length > 20_000)
    throw new InvalidArgumentError('payload.raw must be the lower-case hex of a Transaction.raw. Nothing was signed.')
  const bytes = hexToBytes(hex)
  let raw: TronRawTransaction
  try {
    raw = decodeRawTransaction(bytes)
  } catch (cause) {
    throw new InvalidArgumentError(`payload.raw is not a transaction coffer signs (${(cause as Error).message}). Nothing was signed.`, {
      cause,
    })
  }
  const txID = tronTxId(bytes)
  if (payload.txID !== txID) mismatch('payload.txID is not sha256(raw)')
  return { raw, bytes, txID }
}

/**
 * Signs `unsigned` (kind `tron-v1`) with `signer` after checking every byte against the summary.
 * @throws InvalidArgumentError (a mismatch; nothing signed); SignatureVerificationError
 */
export async function signTronTransaction(
  chainId: ChainId,
  nativeAsset: AssetId,
  tokens: readonly TronSigningToken[],
  unsigned: UnsignedTransaction,
  signer: Signer,
  options: SignTronOptions = {},
): Promise<SignedTransaction> {
  if (unsigned === null || typeof unsigned !== 'object' || unsigned.summary === null || typeof unsigned.summary !== 'object')
    throw new InvalidArgumentError('unsigned must be an UnsignedTransaction. Nothing was signed.')
  if (unsigned.chainId !== chainId) mismatch(`it is for chain ${shown(unsigned.chainId, 80)}, not ${chainId}`)
  if (unsigned.kind !== TRON_TX_KIND) mismatch(`kind ${shown(unsigned.kind, 40)} is not ${TRON_TX_KIND}`)
  if (signer?.curve !== 'secp256k1' || signer.chain !== 'tron')
    throw new InvalidArgumentError('A TRON transaction needs a TRON (secp256k1) signer. Nothing was signed.')
  const own = tronAddressFromPublicKey(signer.publicKey)
  if (signer.address !== own) throw new InvalidArgumentError("The signer's address is not the address of its key. Nothing was signed.")
  if (unsigned.from !== own) mismatch('from is not the signer’s address')
  const payload = unsigned.payload
  if (payload === null || typeof payload !== 'object')
    throw new InvalidArgumentError('unsigned.payload must be an object. Nothing was signed.')
  const { raw, bytes, txID } = decodePayload(payload)
  const summary = unsigned.summary
  const amount = amountOf(summary.amount, 'summary.amount')
  const fee = amountOf(summary.fee, 'summary.fee')
  if (summary.data !== undefined) mismatch('summary.data is set (a TRON transfer has no call data to show)')

  // The contract, its owner and its permission.
  const c = raw.contract
  if (c.permissionId !== 0) mismatch(`permission ${c.permissionId} (only the owner permission, 0, signs here)`)
  if (tronAddressFromPayload(c.parameter.ownerAddress) !== own) mismatch('the owner is not the signer')
  if (raw.refBlockNum !== 0n) mismatch('ref_block_num is set')

  if (summary.asset === nativeAsset) {
    if (summary.symbol !== undefined && summary.symbol !== 'TRX') mismatch('summary.symbol is not TRX')
    if (summary.decimals !== undefined && summary.decimals !== 6) mismatch('summary.decimals is not 6')
    if (c.type !== 'TransferContract') mismatch(`a ${c.type} for a TRX transfer`)
    if (tronAddressFromPayload(c.parameter.toAddress) !== summary.to) mismatch('the recipient is not summary.to')
    if (c.parameter.amount !== amount) mismatch('the amount is not summary.amount')
    if (raw.feeLimit !== 0n) mismatch('a TRX transfer with a fee_limit')
    if (payload.contract !== undefined) mismatch('payload.contract is set on a TRX transfer')
  } else {
    const token = tokens.find((t) => trc20AssetId(chainId, t.contract) === summary.asset)
    if (!token) mismatch(`summary.asset ${shown(summary.asset)} is neither TRX nor a token this adapter lists`)
    if (summary.symbol !== undefined && summary.symbol !== token.symbol) mismatch(`summary.symbol is not ${token.symbol}`)
    if (summary.decimals !== undefined && summary.decimals !== token.decimals) mismatch(`summary.decimals is not ${token.decimals}`)
    if (c.type !== 'TriggerSmartContract') mismatch(`a ${c.type} for a TRC-20 transfer`)
    const p = c.parameter
    if (tronAddressFromPayload(p.contractAddress) !== token.contract) mismatch(`the contract called is not ${token.symbol}'s`)
    if (payload.contract !== token.contract) mismatch('payload.contract is not the asset’s contract')
    if (p.callValue !== 0n || p.callTokenValue !== 0n || p.tokenId !== 0n) mismatch('the call sends TRX or a TRC-10 token along')
    let call: { to: string; amount: bigint }
    try {
      call = decodeTrc20Transfer(p.data)
    } catch {
      mismatch('the call data is not exactly transfer(address,uint256)')
    }
    if (call.to !== summary.to) mismatch('the recipient is not summary.to')
    if (call.amount !== amount) mismatch('the amount is not summary.amount')
    if (raw.feeLimit <= 0n) mismatch('a TRC-20 transfer without a fee_limit')
    if (raw.feeLimit > fee) mismatch('fee_limit is above summary.fee (the transaction could cost more than it says)')
  }
  if (payload.feeLimit !== raw.feeLimit.toString()) mismatch('payload.feeLimit is not the fee_limit of the bytes')

  // Memo and lifetime.
  const memo = payload.memo
  if (memo === undefined ? raw.data.length !== 0 : typeof memo !== 'string' || !same(raw.data, new TextEncoder().encode(memo)))
    mismatch('the memo (data) is not payload.memo')
  if (payload.expiration !== Number(raw.expiration)) mismatch('payload.expiration is not the expiration of the bytes')
  if (raw.expiration <= raw.timestamp) mismatch('it expires before it was built')
  if (raw.expiration - raw.timestamp > DAY_MS) mismatch('it expires more than 24 h after it was built')
  if (options.now !== undefined && raw.expiration > BigInt(Math.floor(options.now)) + DAY_MS) mismatch('it expires more than 24 h from now')

  const digest = hexToBytes(txID)
  const sig = await signer.signDigest(digest)
  const signature = new Uint8Array(65)
  signature.set(numberToBytesBE(sig.r, 32), 0)
  signature.set(numberToBytesBE(sig.s, 32), 32)
  signature[64] = 27 + sig.recovery
  // The signature must recover to the owner: what java-tron checks (SIGERROR otherwise).
  const recovered = new secp256k1.Signature(sig.r, sig.s).addRecoveryBit(sig.recovery).recoverPublicKey(digest).toRawBytes(true)
  if (!same(recovered, signer.publicKey)) throw new SignatureVerificationError('The TRON signature does not recover to the signer’s key.')
  return {
    chainId,
    kind: TRON_TX_KIND,
    from: own,
    hash: txID,
    raw: bytesToHex(signedTransactionBytes(bytes, signature)),
  }
}

/** The protobuf `Transaction { raw_data = 1, signature = 2 }` of raw bytes and one signature. */
function signedTransactionBytes(raw: Uint8Array, signature: Uint8Array): Uint8Array {
  const varint = (n: number): number[] => {
    const out: number[] = []
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80)
      n >>>= 7
    }
    out.push(n)
    return out
  }
  const head1 = [0x0a, ...varint(raw.length)]
  const head2 = [0x12, ...varint(signature.length)]
  const out = new Uint8Array(head1.length + raw.length + head2.length + signature.length)
  out.set(head1, 0)
  out.set(raw, head1.length)
  out.set(head2, head1.length + raw.length)
  out.set(signature, head1.length + raw.length + head2.length)
  return out
}
