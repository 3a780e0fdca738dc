/**
 * A transaction as `getTransaction(…, { encoding: 'json', maxSupportedTransactionVersion: 0 })`
 * returns it, checked and resolved: every account key (static keys, then the address-table
 * writable and readonly ones, the order Agave indexes them in), lamports before and after,
 * token balances per account index, and every instruction — top level and inner — with its
 * program and accounts as addresses and its data decoded from base58.
 *
 * Instruction positions: top-level instruction `i` is `i * 65_536`, its `j`-th inner instruction
 * (0-based) `i * 65_536 + j + 1`. Stable, unique within the transaction, and ordered as executed.
 * @module
 * @internal
 */
import { base58 } from '@scure/base'
import { DataIntegrityError } from '../../core/errors.js'
import type { ResolvedInstruction } from './instructions.js'
import { arrayOf, intOf, isSignature, keyOf, lamportsOf, malformed, objectOf, stringOf, u64StringOf } from './shapes.js'

const METHOD = 'getTransaction'

/** Position of top-level instruction `i`'s inner instruction `j` (−1 for the top-level one itself). */
function instructionPosition(i: number, j: number): number {
  return i * 65_536 + j + 1
}

/** A token balance of one account of the transaction. */
interface TokenBalanceEntry {
  readonly account: string
  readonly mint: string
  /** The token account's owner, when the node reports it. */
  readonly owner?: string
  readonly programId?: string
  readonly pre: bigint
  readonly post: bigint
}

/** An instruction and where it stands. */
interface PositionedInstruction extends ResolvedInstruction {
  readonly position: number
}

/** A checked transaction. */
export interface ParsedTransaction {
  readonly signature: string
  readonly slot: number
  /** Unix seconds, when the node knows. */
  readonly blockTime?: number
  readonly failed: boolean
  /** Lamports, paid by `keys[0]`. */
  readonly fee: bigint
  readonly keys: readonly string[]
  readonly preBalances: readonly bigint[]
  readonly postBalances: readonly bigint[]
  /** By account address. */
  readonly tokenBalances: ReadonlyMap<string, TokenBalanceEntry>
  /** In execution order. */
  readonly instructions: readonly PositionedInstruction[]
}

function keyList(value: unknown, what: string): string[] {
  return arrayOf(value, METHOD, what).map((k, i) => keyOf(k, METHOD, `${what}[${i}]`))
}

function instructionOf(value: unknown, keys: readonly string[], what: string, position: number): PositionedInstruction {
  const ix = objectOf(value, METHOD, what)
  const programIndex = intOf(ix.programIdIndex, METHOD, `${what}.programIdIndex`)
  const accounts = arrayOf(ix.accounts, METHOD, `${what}.accounts`).map((a, k) => {
    const index = intOf(a, METHOD, `${what}.accounts[${k}]`)
    if (index >= keys.length) throw malformed(METHOD, `${what} names account ${index} of ${keys.length}`)
    return keys[index]!
  })
  if (programIndex >= keys.length) throw malformed(METHOD, `${what} names program ${programIndex} of ${keys.length}`)
  let data: Uint8Array
  try {
    data = base58.decode(stringOf(ix.data, METHOD, `${what}.data`, 4_000))
  } catch (error) {
    if (error instanceof Error && error.name === 'RpcError') throw error
    throw malformed(METHOD, `${what}.data is not base58`)
  }
  return { programId: keys[programIndex]!, accounts, data, position }
}

function tokenBalancesOf(
  value: unknown,
  keys: readonly string[],
  what: string,
): Map<number, { mint: string; owner?: string; programId?: string; amount: bigint }> {
  const out = new Map<number, { mint: string; owner?: string; programId?: string; amount: bigint }>()
  if (value === undefined || value === null) return out
  for (const [n, item] of arrayOf(value, METHOD, what).entries()) {
    const entry = objectOf(item, METHOD, `${what}[${n}]`)
    const index = intOf(entry.accountIndex, METHOD, `${what}[${n}].accountIndex`)
    if (index >= keys.length) throw malformed(METHOD, `${what}[${n}] names account ${index} of ${keys.length}`)
    const ui = objectOf(entry.uiTokenAmount, METHOD, `${what}[${n}].uiTokenAmount`)
    out.set(index, {
      mint: keyOf(entry.mint, METHOD, `${what}[${n}].mint`),
      ...(entry.owner === undefined || entry.owner === null ? {} : { owner: keyOf(entry.owner, METHOD, `${what}[${n}].owner`) }),
      ...(entry.programId === undefined || entry.programId === null
        ? {}
        : { programId: keyOf(entry.programId, METHOD, `${what}[${n}].programId`) }),
      amount: u64StringOf(ui.amount, METHOD, `${what}[${n}].uiTokenAmount.amount`),
    })
  }
  return out
}

/**
 * Checks and resolves a `getTransaction` result that should be `signature`'s.
 * @throws RpcError for a malformed answer; DataIntegrityError when it is another transaction's
 *   or its token balances contradict themselves
 */
export function parseTransaction(value: unknown, signature: string): ParsedTransaction {
  const answer = objectOf(value, METHOD, 'the transaction')
  const transaction = objectOf(answer.transaction, METHOD, 'transaction')
  const signatures = arrayOf(transaction.signatures, METHOD, 'transaction.signatures')
  if (!isSignature(signatures[0])) throw malformed(METHOD, 'transaction.signatures[0] is not a signature')
  if (signatures[0] !== signature)
    throw new DataIntegrityError(`Asked for transaction ${signature}, the node answered with ${signatures[0]}.`, {
      details: { hash: signature, got: signatures[0] },
    })
  const message = objectOf(transaction.message, METHOD, 'transaction.message')
  const meta = objectOf(answer.meta, METHOD, 'meta')
  const keys = keyList(message.accountKeys, 'message.accountKeys')
  if (meta.loadedAddresses !== undefined && meta.loadedAddresses !== null) {
    const loaded = objectOf(meta.loadedAddresses, METHOD, 'meta.loadedAddresses')
    keys.push(...keyList(loaded.writable ?? [], 'loadedAddresses.writable'), ...keyList(loaded.readonly ?? [], 'loadedAddresses.readonly'))
  }
  if (keys.length === 0) throw malformed(METHOD, 'the transaction has no account keys')
  const preBalances = arrayOf(meta.preBalances, METHOD, 'meta.preBalances').map((b, i) => lamportsOf(b, METHOD, `preBalances[${i}]`))
  const postBalances = arrayOf(meta.postBalances, METHOD, 'meta.postBalances').map((b, i) => lamportsOf(b, METHOD, `postBalances[${i}]`))
  if (preBalances.length !== keys.length || postBalances.length !== keys.length)
    throw new DataIntegrityError(
      `Transaction ${signature}: ${keys.length} accounts but ${preBalances.length}/${postBalances.length} balances.`,
      {
        details: { hash: signature },
      },
    )
  const pre = tokenBalancesOf(meta.preTokenBalances, keys, 'meta.preTokenBalances')
  const post = tokenBalancesOf(meta.postTokenBalances, keys, 'meta.postTokenBalances')
  const tokenBalances = new Map<string, TokenBalanceEntry>()
  for (const index of new Set([...pre.keys(), ...post.keys()])) {
    const a = pre.get(index)
    const b = post.get(index)
    if (a && b && a.mint !== b.mint)
      throw new DataIntegrityError(`Transaction ${signature}: account ${keys[index]} changes mint.`, { details: { hash: signature } })
    const owner = b?.owner ?? a?.owner
    const programId = b?.programId ?? a?.programId
    tokenBalances.set(keys[index]!, {
      account: keys[index]!,
      mint: (b ?? a)!.mint,
      ...(owner === undefined ? {} : { owner }),
      ...(programId === undefined ? {} : { programId }),
      pre: a?.amount ?? 0n,
      post: b?.amount ?? 0n,
    })
  }
  const instructions: PositionedInstruction[] = []
  const top = arrayOf(message.instructions, METHOD, 'message.instructions')
  const inner = new Map<number, unknown[]>()
  if (meta.innerInstructions !== undefined && meta.innerInstructions !== null) {
    for (const [n, group] of arrayOf(meta.innerInstructions, METHOD, 'meta.innerInstructions').entries()) {
      const g = objectOf(group, METHOD, `innerInstructions[${n}]`)
      const index = intOf(g.index, METHOD, `innerInstructions[${n}].index`)
      if (index >= top.length) throw malformed(METHOD, `innerInstructions[${n}] belongs to instruction ${index} of ${top.length}`)
      inner.set(index, [...(inner.get(index) ?? []), ...arrayOf(g.instructions, METHOD, `innerInstructions[${n}].instructions`)])
    }
  }
  for (const [i, ix] of top.entries()) {
    instructions.push(instructionOf(ix, keys, `instructions[${i}]`, instructionPosition(i, -1)))
    for (const [j, innerIx] of (inner.get(i) ?? []).entries())
      instructions.push(instructionOf(innerIx, keys, `innerInstructions of ${i}[${j}]`, instructionPosition(i, j)))
  }
  const blockTime = answer.blockTime === null || answer.blockTime === undefined ? undefined : intOf(answer.blockTime, METHOD, 'blockTime')
  return {
    signature,
    slot: intOf(answer.slot, METHOD, 'slot'),
    ...(blockTime === undefined ? {} : { blockTime }),
    failed: meta.err !== null && meta.err !== undefined,
    fee: lamportsOf(meta.fee, METHOD, 'meta.fee'),
    keys,
    preBalances,
    postBalances,
    tokenBalances,
    instructions,
  }
}

/** The lamport change of `address` in `tx` (0 when it is not in it), fee included. */
export function lamportDelta(tx: ParsedTransaction, address: string): bigint {
  const index = tx.keys.indexOf(address)
  return index < 0 ? 0n : tx.postBalances[index]! - tx.preBalances[index]!
}

/** The change of `owner`'s `mint` balance in `tx`, over every token account of that owner and mint. */
export function tokenDelta(tx: ParsedTransaction, owner: string, mint: string): bigint {
  let delta = 0n
  for (const entry of tx.tokenBalances.values()) if (entry.owner === owner && entry.mint === mint) delta += entry.post - entry.pre
  return delta
}
