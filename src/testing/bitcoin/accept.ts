/**
 * What the Esplora-shaped server checks before it accepts a broadcast, in Bitcoin Core's order
 * (each failure a {@link Rejection} with Core's code and rule name):
 *   1. decodes (`TX decode failed`, -22); has inputs and outputs; no duplicate inputs; final
 *      (`non-final`: an nLockTime not reached, with an input sequence below 0xffffffff);
 *   2. every input spends an existing, unspent output (`bad-txns-inputs-missingorspent`, -25);
 *      a tx already confirmed is -27;
 *   3. Σin ≥ Σout (`bad-txns-in-belowout`); no dust output (`dust`, Core's 3 sat/vB dust-relay
 *      formula: 546 p2pkh, 540 p2sh, 294 p2wpkh, 330 p2wsh/p2tr); fee ≥ vsize × minRelayFeeRate
 *      (`min relay fee not met`);
 *   4. a conflict with a mempool tx only as a BIP-125 replacement: every direct conflict signals
 *      (else `txn-mempool-conflict`), rule 2 (no new unconfirmed inputs), rule 5 (≤ 100
 *      evictions), Core's feerate rule (new feerate > each conflict's), rule 3 (fee ≥ Σ replaced
 *      fees, descendants included) and rule 4 (fee − Σ replaced ≥ vsize × 1 sat/vB);
 *   5. signatures (./verify.ts), last, as Core does: they are the expensive part.
 * Re-broadcasting a tx already in the mempool returns its txid, as Core does.
 * @module
 * @internal
 */
import { Transaction } from 'bitcoinjs-lib'
import { MAX_MONEY, type Ledger } from './ledger.js'
import { dustThreshold, outpoint, scriptType, txidOf } from './script.js'
import { Rejection, scriptFail, verifyInput, type Prevout } from './verify.js'

const INCREMENTAL_RELAY_FEE_RATE = 1n // sat/vB, BIP-125 rule 4
const MAX_REPLACEMENT_EVICTIONS = 100 // BIP-125 rule 5
const SEQUENCE_RBF_THRESHOLD = 0xfffffffe
const LOCKTIME_THRESHOLD = 500_000_000

const sats = (v: bigint): string => `${v} sat`
const rate = (fee: bigint, vsize: number): string => (Number(fee) / vsize).toFixed(2)

function decode(hex: string): Transaction {
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new Rejection(-22, 'TX decode failed: body is not a hex string')
  try {
    return Transaction.fromHex(hex)
  } catch (error) {
    throw new Rejection(-22, `TX decode failed: ${(error as Error).message}`)
  }
}

function checkShape(ledger: Ledger, tx: Transaction): void {
  if (tx.ins.length === 0) throw new Rejection(-26, 'bad-txns-vin-empty')
  if (tx.outs.length === 0) throw new Rejection(-26, 'bad-txns-vout-empty')
  if (tx.isCoinbase()) throw new Rejection(-26, 'coinbase: a coinbase transaction cannot be broadcast')
  // IsFinalTx at the next block: a lock time not yet reached binds unless every sequence is final.
  if (tx.locktime !== 0 && tx.ins.some((input) => input.sequence !== 0xffffffff)) {
    const tip = ledger.tip()
    const reached = tx.locktime < LOCKTIME_THRESHOLD ? tx.locktime < tip.height + 1 : tx.locktime < tip.time
    if (!reached) throw new Rejection(-26, `non-final: nLockTime ${tx.locktime} is not reached at height ${tip.height + 1}`)
  }
}

/** The prevouts of `tx`'s inputs, and the mempool txs it conflicts with. */
function resolveInputs(ledger: Ledger, tx: Transaction): { prevouts: Prevout[]; conflicts: Set<string> } {
  const seen = new Set<string>()
  const prevouts: Prevout[] = []
  const conflicts = new Set<string>()
  tx.ins.forEach((input, i) => {
    const op = outpoint(input.hash, input.index)
    if (seen.has(op)) throw new Rejection(-26, `bad-txns-inputs-duplicate: input ${i} spends ${op} twice`)
    seen.add(op)
    const found = ledger.outputOf(op)
    if (!found) throw new Rejection(-25, `bad-txns-inputs-missingorspent: input ${i} spends ${op}, which does not exist`)
    const spender = ledger.spentBy.get(op)
    if (spender) {
      if (ledger.txs.get(spender.txid)!.height !== null) {
        throw new Rejection(-25, `bad-txns-inputs-missingorspent: input ${i} spends ${op}, already spent by confirmed tx ${spender.txid}`)
      }
      conflicts.add(spender.txid)
    }
    prevouts.push(found.out)
  })
  return { prevouts, conflicts }
}

/** The fee, after the amount, dust and relay-fee rules. */
function checkAmounts(tx: Transaction, prevouts: Prevout[], minRelayFeeRate: number): bigint {
  const valueIn = prevouts.reduce((s, p) => s + p.value, 0n)
  let valueOut = 0n
  tx.outs.forEach((out, n) => {
    if (out.value < 0n || out.value > MAX_MONEY) throw new Rejection(-26, `bad-txns-vout-toolarge: output ${n}`)
    valueOut += out.value
  })
  if (valueOut > MAX_MONEY) throw new Rejection(-26, 'bad-txns-txouttotal-toolarge')
  if (valueIn < valueOut) throw new Rejection(-26, `bad-txns-in-belowout, value in (${sats(valueIn)}) < value out (${sats(valueOut)})`)
  const fee = valueIn - valueOut
  tx.outs.forEach((out, n) => {
    const threshold = dustThreshold(out.script)
    if (out.value < threshold) {
      throw new Rejection(
        -26,
        `dust: output ${n} (${scriptType(out.script)}) pays ${out.value} sat, below the dust threshold of ${threshold} sat`,
      )
    }
  })
  const vsize = tx.virtualSize()
  const minFee = BigInt(Math.ceil(vsize * minRelayFeeRate))
  if (fee < minFee) throw new Rejection(-26, `min relay fee not met, ${fee} < ${minFee} (vsize ${vsize})`)
  return fee
}

/** The txs a BIP-125 replacement evicts (conflicts and their descendants), after its rules. */
function checkReplacement(ledger: Ledger, tx: Transaction, txid: string, fee: bigint, conflicts: Set<string>): Set<string> {
  const replaced = new Set<string>()
  if (conflicts.size === 0) return replaced
  for (const c of conflicts) {
    if (!ledger.txs.get(c)!.tx.ins.some((inp) => inp.sequence < SEQUENCE_RBF_THRESHOLD)) {
      throw new Rejection(
        -26,
        `txn-mempool-conflict: conflicts with mempool tx ${c}, which does not signal BIP-125 replaceability (every input sequence >= 0xfffffffe)`,
      )
    }
  }
  for (const c of conflicts) {
    replaced.add(c)
    ledger.descendants(c, replaced)
  }
  if (replaced.size > MAX_REPLACEMENT_EVICTIONS)
    throw new Rejection(-26, `too many potential replacements: ${replaced.size} > ${MAX_REPLACEMENT_EVICTIONS}`)
  tx.ins.forEach((input, i) => {
    if (replaced.has(txidOf(input.hash)))
      throw new Rejection(-26, `bad-txns-spends-conflicting-tx: input ${i} spends an output of a tx it replaces`)
  })
  // Rule 2: unconfirmed inputs only if a replaced tx already spent them.
  const conflictInputs = new Set<string>()
  for (const c of conflicts) for (const inp of ledger.txs.get(c)!.tx.ins) conflictInputs.add(outpoint(inp.hash, inp.index))
  tx.ins.forEach((input, i) => {
    const op = outpoint(input.hash, input.index)
    if (ledger.txs.get(txidOf(input.hash))!.height === null && !conflictInputs.has(op)) {
      throw new Rejection(-26, `replacement-adds-unconfirmed: replacement ${txid} adds unconfirmed input, idx ${i}`)
    }
  })
  const vsize = tx.virtualSize()
  // Core's PaysMoreThanConflicts: strictly higher feerate than each direct conflict.
  for (const c of conflicts) {
    const old = ledger.txs.get(c)!
    const oldVsize = old.tx.virtualSize()
    if (fee * BigInt(oldVsize) <= old.fee * BigInt(vsize)) {
      throw new Rejection(
        -26,
        `insufficient fee, rejecting replacement ${txid}; new feerate ${rate(fee, vsize)} sat/vB <= old feerate ${rate(old.fee, oldVsize)} sat/vB of ${c}`,
      )
    }
  }
  const replacedFees = [...replaced].reduce((s, t) => s + ledger.txs.get(t)!.fee, 0n)
  // Rule 3.
  if (fee < replacedFees)
    throw new Rejection(-26, `insufficient fee, rejecting replacement ${txid}, less fees than conflicting txs; ${fee} < ${replacedFees}`)
  // Rule 4.
  const required = BigInt(vsize) * INCREMENTAL_RELAY_FEE_RATE
  if (fee - replacedFees < required) {
    throw new Rejection(
      -26,
      `insufficient fee, rejecting replacement ${txid}, not enough additional fees to relay; ${fee - replacedFees} < ${required}`,
    )
  }
  return replaced
}

/**
 * Checks a broadcast and, if it passes, adds it to the mempool (evicting what it replaces).
 * @throws Rejection
 */
export function accept(ledger: Ledger, hex: string, minRelayFeeRate: number): { txid: string; replaced: string[] } {
  const tx = decode(hex)
  const txid = tx.getId()
  const known = ledger.txs.get(txid)
  if (known) {
    if (known.height !== null) throw new Rejection(-27, 'Transaction already in block chain')
    if (known.hex === tx.toHex()) return { txid, replaced: [] } // idempotent re-broadcast
    throw new Rejection(-26, 'txn-same-nonwitness-data-in-mempool')
  }
  checkShape(ledger, tx)
  const { prevouts, conflicts } = resolveInputs(ledger, tx)
  const fee = checkAmounts(tx, prevouts, minRelayFeeRate)
  const replaced = checkReplacement(ledger, tx, txid, fee, conflicts)
  tx.ins.forEach((_, i) => {
    try {
      verifyInput(tx, i, prevouts)
    } catch (error) {
      if (error instanceof Rejection) throw error
      // bitcoinjs-lib throwing while computing a sighash (e.g. an invalid SIGHASH_SINGLE)
      throw scriptFail(i, scriptType(prevouts[i]!.script), `cannot compute the sighash: ${(error as Error).message}`)
    }
  })
  ledger.evict(replaced)
  ledger.insert({ txid, tx, hex: tx.toHex(), fee, prevouts, height: null, seq: ledger.nextSeq(), synthetic: false })
  return { txid, replaced: [...replaced] }
}
