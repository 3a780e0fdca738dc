/**
 * The local Solana server's chain over a litesvm instance: slots (one block each, no skipped
 * slots, block height = slot), their blockhashes and times, Agave's 150-slot blockhash window,
 * the transactions that landed (with everything getTransaction reports), the
 * signatures-by-address index, and an undo log of account changes so reads at 'confirmed' or
 * 'finalized' see the state of that slot.
 *
 * litesvm executes transactions (signatures, fees, programs, durable nonces); this module
 * decides what a real cluster would: which blockhashes are still valid, whether a signature was
 * already processed, whether a failed transaction landed (fee charged) or was dropped.
 * @module
 * @internal
 */
import { base58 } from '@scure/base'
import { getTransactionDecoder, type Address } from '@solana/kit'
import type { LiteSVM } from 'litesvm'
import { fromLitesvmError, txError, type TxError } from './rpc-errors.js'
import { parseTokenAccount, parseMint, uiTokenAmount } from './tokens.js'
import {
  computeBudget,
  feeOf,
  isNonceTransaction,
  isStaticWritable,
  memoOf,
  signatureOf,
  SYSTEM_PROGRAM,
  type WireTransaction,
} from './wire.js'

/** Agave's MAX_PROCESSING_AGE: a blockhash is valid for 150 slots after its own. */
export const MAX_PROCESSING_AGE = 150
/** Slots after which a block is finalized (rooted). */
export const FINALITY_DEPTH = 32
/** rentEpoch Agave reports for rent-exempt accounts (u64::MAX). */
export const RENT_EPOCH = 18446744073709551615n

export type Commitment = 'processed' | 'confirmed' | 'finalized'

/** An account's state. */
export interface AccountSnap {
  lamports: bigint
  data: Uint8Array
  owner: string
  executable: boolean
}

/** One slot's block. */
export interface Block {
  slot: number
  blockhash: string
  parentSlot: number
  previousBlockhash: string
  blockTime: number
  transactions: TxRecord[]
}

/** A token balance as Agave's meta reports it. */
export interface TokenBalance {
  accountIndex: number
  mint: string
  owner: string
  programId: string
  uiTokenAmount: ReturnType<typeof uiTokenAmount>
}

/** A transaction that landed. */
export interface TxRecord {
  signature: string
  slot: number
  index: number
  tx: WireTransaction
  accountKeys: string[]
  loaded: { writable: string[]; readonly: string[] }
  fee: bigint
  err: TxError | null
  logs: string[]
  preBalances: bigint[]
  postBalances: bigint[]
  preTokenBalances: TokenBalance[]
  postTokenBalances: TokenBalance[]
  innerInstructions: { index: number; instructions: { programIdIndex: number; accounts: number[]; data: string; stackHeight: number }[] }[]
  computeUnitsConsumed: bigint
  returnData: { programId: string; data: [string, 'base64'] } | null
  memo: string | null
  blockTime: number
}

/** What executing (or simulating) a transaction gave. */
export interface Outcome {
  err: TxError | null
  logs: string[]
  unitsConsumed: bigint
  returnData: TxRecord['returnData']
  /** For a send: whether it landed (committed, fee charged). */
  landed: boolean
  /** For a simulation: the accounts it wrote, after. */
  postAccounts?: Map<string, AccountSnap>
  innerInstructions?: TxRecord['innerInstructions']
  record?: TxRecord
}

interface LitesvmMeta {
  logs(): string[]
  computeUnitsConsumed(): bigint
  innerInstructions(): {
    instruction(): { programIdIndex(): number; accounts(): Uint8Array; data(): Uint8Array }
    stackHeight(): number
  }[][]
  returnData(): { programId(): Uint8Array; data(): Uint8Array }
}

const txDecoder = getTransactionDecoder()

export class Ledger {
  readonly blocks: Block[] = []
  readonly #blockhashSlot = new Map<string, number>()
  readonly #txs = new Map<string, TxRecord>()
  readonly #byAddress = new Map<string, TxRecord[]>()
  readonly #changes: { slot: number; address: string; before: AccountSnap | null }[] = []
  prioritizationOverride: readonly number[] | undefined

  constructor(
    readonly svm: LiteSVM,
    readonly genesisHash: string,
  ) {
    this.advance() // slot 1
  }

  get slot(): number {
    return this.blocks[this.blocks.length - 1]!.slot
  }

  get tip(): Block {
    return this.blocks[this.blocks.length - 1]!
  }

  block(slot: number): Block | undefined {
    const first = this.blocks[0]!.slot
    return this.blocks[slot - first]
  }

  /** The newest slot at `commitment`. */
  slotAt(commitment: Commitment): number {
    const first = this.blocks[0]!.slot
    if (commitment === 'processed') return this.slot
    if (commitment === 'confirmed') return Math.max(first, this.slot - 1)
    return Math.max(first, this.slot - FINALITY_DEPTH)
  }

  /** Opens the next slot: a new block with a new blockhash. */
  advance(): void {
    const prev = this.blocks[this.blocks.length - 1]
    const slot = prev ? prev.slot + 1 : 1
    this.svm.warpToSlot(BigInt(slot))
    this.svm.expireBlockhash()
    const blockTime = Math.max(prev?.blockTime ?? 0, Math.floor(Date.now() / 1000))
    const clock = this.svm.getClock()
    clock.unixTimestamp = BigInt(blockTime)
    this.svm.setClock(clock)
    const blockhash = this.svm.latestBlockhash()
    this.#blockhashSlot.set(blockhash, slot)
    this.blocks.push({
      slot,
      blockhash,
      parentSlot: slot - 1,
      previousBlockhash: prev?.blockhash ?? this.genesisHash,
      blockTime,
      transactions: [],
    })
  }

  /** The slot of a blockhash, if the chain made it. */
  blockhashSlot(blockhash: string): number | undefined {
    return this.#blockhashSlot.get(blockhash)
  }

  /** True while a blockhash may still be used at the current slot. */
  isBlockhashValid(blockhash: string): boolean {
    const slot = this.#blockhashSlot.get(blockhash)
    return slot !== undefined && this.slot <= slot + MAX_PROCESSING_AGE
  }

  transaction(signature: string): TxRecord | undefined {
    return this.#txs.get(signature)
  }

  transactions(): TxRecord[] {
    return [...this.#txs.values()]
  }

  /** Transactions naming `address`, newest first. */
  byAddress(address: string): TxRecord[] {
    return [...(this.#byAddress.get(address) ?? [])].reverse()
  }

  /** The current state of an account, or null. */
  read(address: string): AccountSnap | null {
    const a = this.svm.getAccount(address as Address)
    if (!a.exists) return null
    return { lamports: BigInt(a.lamports), data: new Uint8Array(a.data), owner: a.programAddress, executable: a.executable }
  }

  /** The state of an account at the end of `slot`. */
  readAt(address: string, slot: number): AccountSnap | null {
    let state = this.read(address)
    for (let i = this.#changes.length - 1; i >= 0 && this.#changes[i]!.slot > slot; i--) {
      if (this.#changes[i]!.address === address) state = this.#changes[i]!.before
    }
    return state
  }

  /** Accounts that existed at some time, among those `owner` owns now or owned then. */
  programAccounts(programId: string): string[] {
    const now = this.svm.getProgramAccounts(programId as Address).map((a) => a.address as string)
    const past = this.#changes.filter((c) => c.before?.owner === programId).map((c) => c.address)
    return [...new Set([...now, ...past])]
  }

  /** Decimals of a mint (current state). */
  decimalsOf(mint: string): number | undefined {
    const a = this.read(mint)
    return a ? parseMint(a.owner, a.data)?.decimals : undefined
  }

  /** Static keys plus the addresses loaded from lookup tables (undefined when a table cannot be read). */
  resolveKeys(tx: WireTransaction): { keys: string[]; loaded: { writable: string[]; readonly: string[] } } | undefined {
    const loaded = { writable: [] as string[], readonly: [] as string[] }
    for (const lookup of tx.lookups) {
      const table = this.read(lookup.accountKey)
      if (!table) return undefined
      const at = (i: number) => {
        const start = 56 + 32 * i
        if (start + 32 > table.data.length) throw new RangeError('lookup index')
        return base58.encode(table.data.subarray(start, start + 32))
      }
      try {
        loaded.writable.push(...lookup.writableIndexes.map(at))
        loaded.readonly.push(...lookup.readonlyIndexes.map(at))
      } catch {
        return undefined
      }
    }
    return { keys: [...tx.staticKeys, ...loaded.writable, ...loaded.readonly], loaded }
  }

  /**
   * The checks a cluster makes before executing: a known, recent blockhash (durable-nonce
   * transactions are left to litesvm, which checks the nonce account) and a new signature.
   */
  precheck(tx: WireTransaction): TxError | undefined {
    if (this.#txs.has(signatureOf(tx))) return txError('AlreadyProcessed')
    if (isNonceTransaction(tx) ? !this.#nonceMatches(tx) : !this.isBlockhashValid(tx.recentBlockhash)) return txError('BlockhashNotFound')
    return undefined
  }

  /**
   * A durable-nonce transaction's lifetime, checked as Agave does: the nonce account (first
   * account of the AdvanceNonceAccount instruction) is an initialized System nonce account
   * whose stored durable nonce is the transaction's blockhash. (litesvm keeps only its latest
   * blockhash, so its own check is off and the server makes both checks.)
   */
  #nonceMatches(tx: WireTransaction): boolean {
    const index = tx.instructions[0]!.accounts[0]
    const address = index === undefined ? undefined : (this.resolveKeys(tx)?.keys ?? tx.staticKeys)[index]
    const account = address === undefined ? null : this.read(address)
    if (!account || account.owner !== SYSTEM_PROGRAM || account.data.length < 80) return false
    const view = new DataView(account.data.buffer, account.data.byteOffset, account.data.length)
    if (view.getUint32(4, true) !== 1) return false // State::Initialized
    return base58.encode(account.data.subarray(40, 72)) === tx.recentBlockhash
  }

  /** Simulates without changing state (signatures not checked when `sigVerify` is false). */
  simulate(tx: WireTransaction, sigVerify: boolean): Outcome {
    const early = this.precheck(tx)
    if (early) return { err: early, logs: [], unitsConsumed: 0n, returnData: null, landed: false }
    this.svm.withSigverify(sigVerify)
    try {
      const result = this.svm.simulateTransaction(txDecoder.decode(tx.bytes) as Parameters<LiteSVM['simulateTransaction']>[0])
      const failed = 'err' in result
      const meta = result.meta() as unknown as LitesvmMeta
      const postAccounts = new Map<string, AccountSnap>()
      if (!failed) {
        for (const a of (
          result as unknown as {
            postAccounts(): { address: string; lamports: bigint; data: Uint8Array; programAddress: string; executable: boolean }[]
          }
        ).postAccounts()) {
          postAccounts.set(a.address, {
            lamports: BigInt(a.lamports),
            data: new Uint8Array(a.data),
            owner: a.programAddress,
            executable: a.executable,
          })
        }
      }
      return {
        err: failed ? fromLitesvmError((result as { err(): unknown }).err()) : null,
        logs: meta.logs(),
        unitsConsumed: meta.computeUnitsConsumed(),
        returnData: returnDataOf(meta),
        landed: false,
        postAccounts,
        innerInstructions: innerOf(meta),
      }
    } catch (error) {
      return {
        err: { json: 'SignatureFailure', text: (error as Error).message },
        logs: [],
        unitsConsumed: 0n,
        returnData: null,
        landed: false,
      }
    } finally {
      this.svm.withSigverify(true)
    }
  }

  /** Executes at the current slot; records it if it landed. */
  execute(tx: WireTransaction): Outcome {
    const early = this.precheck(tx)
    if (early) return { err: early, logs: [], unitsConsumed: 0n, returnData: null, landed: false }
    const resolved = this.resolveKeys(tx)
    const keys = resolved?.keys ?? tx.staticKeys
    const before = keys.map((k) => this.read(k))
    let result: ReturnType<LiteSVM['sendTransaction']>
    try {
      result = this.svm.sendTransaction(txDecoder.decode(tx.bytes) as Parameters<LiteSVM['sendTransaction']>[0])
    } catch (error) {
      return {
        err: { json: 'SignatureFailure', text: (error as Error).message },
        logs: [],
        unitsConsumed: 0n,
        returnData: null,
        landed: false,
      }
    }
    const after = keys.map((k) => this.read(k))
    const failed = 'err' in result
    const err = failed ? fromLitesvmError((result as { err(): unknown }).err()) : null
    const meta = (failed ? (result as { meta(): unknown }).meta() : result) as LitesvmMeta
    const landed = !failed || (before[0]?.lamports ?? 0n) !== (after[0]?.lamports ?? 0n)
    const outcome: Outcome = { err, logs: meta.logs(), unitsConsumed: meta.computeUnitsConsumed(), returnData: returnDataOf(meta), landed }
    if (!landed) return outcome
    const slot = this.slot
    keys.forEach((address, i) => {
      if (!sameAccount(before[i]!, after[i]!)) this.#changes.push({ slot, address, before: before[i]! })
    })
    const fee = chargedFee(result) ?? feeOf(tx)
    const block = this.tip
    const record: TxRecord = {
      signature: signatureOf(tx),
      slot,
      index: block.transactions.length,
      tx,
      accountKeys: keys,
      loaded: resolved?.loaded ?? { writable: [], readonly: [] },
      fee,
      err,
      logs: outcome.logs,
      preBalances: before.map((a) => a?.lamports ?? 0n),
      postBalances: after.map((a) => a?.lamports ?? 0n),
      preTokenBalances: this.#tokenBalances(before),
      postTokenBalances: this.#tokenBalances(after),
      innerInstructions: innerOf(meta),
      computeUnitsConsumed: outcome.unitsConsumed,
      returnData: outcome.returnData,
      memo: memoOf(tx),
      blockTime: block.blockTime,
    }
    block.transactions.push(record)
    this.#txs.set(record.signature, record)
    for (const key of new Set(keys)) {
      const list = this.#byAddress.get(key) ?? []
      list.push(record)
      this.#byAddress.set(key, list)
    }
    outcome.record = record
    return outcome
  }

  #tokenBalances(accounts: (AccountSnap | null)[]): TokenBalance[] {
    const out: TokenBalance[] = []
    accounts.forEach((a, accountIndex) => {
      if (!a) return
      const t = parseTokenAccount(a.owner, a.data)
      const decimals = t && this.decimalsOf(t.mint)
      if (!t || decimals === undefined) return
      out.push({ accountIndex, mint: t.mint, owner: t.owner, programId: a.owner, uiTokenAmount: uiTokenAmount(t.amount, decimals) })
    })
    return out
  }

  /** Per-slot prioritization fees of the last 150 slots (oldest first). */
  prioritizationFees(accounts: readonly string[]): { slot: number; prioritizationFee: number }[] {
    const recent = this.blocks.slice(-MAX_PROCESSING_AGE)
    const override = this.prioritizationOverride
    if (override) {
      const offset = recent.length - override.length
      return recent.map((b, i) => ({ slot: b.slot, prioritizationFee: override[i - offset] ?? 0 }))
    }
    return recent.map((b) => {
      const prices = b.transactions
        .filter((t) => t.err === null)
        .filter(
          (t) =>
            accounts.length === 0 ||
            t.accountKeys.some((k, i) => accounts.includes(k) && (i >= t.tx.staticKeys.length || isStaticWritable(t.tx, i))),
        )
        .map((t) => computeBudget(t.tx).price)
      return { slot: b.slot, prioritizationFee: prices.length === 0 ? 0 : Number(prices.reduce((m, p) => (p < m ? p : m))) }
    })
  }
}

function sameAccount(a: AccountSnap | null, b: AccountSnap | null): boolean {
  if (a === null || b === null) return a === b
  return (
    a.lamports === b.lamports &&
    a.owner === b.owner &&
    a.executable === b.executable &&
    a.data.length === b.data.length &&
    a.data.every((x, i) => x === b.data[i])
  )
}

function innerOf(meta: LitesvmMeta): TxRecord['innerInstructions'] {
  return meta
    .innerInstructions()
    .map((list, index) => ({
      index,
      instructions: list.map((inner) => {
        const ix = inner.instruction()
        return {
          programIdIndex: ix.programIdIndex(),
          accounts: [...ix.accounts()],
          data: base58.encode(ix.data()),
          stackHeight: inner.stackHeight(),
        }
      }),
    }))
    .filter((x) => x.instructions.length > 0)
}

function returnDataOf(meta: LitesvmMeta): TxRecord['returnData'] {
  const rd = meta.returnData()
  const data = rd.data()
  if (data.length === 0) return null
  return { programId: base58.encode(rd.programId()), data: [Buffer.from(data).toString('base64'), 'base64'] }
}

/** The fee litesvm charged: its metadata prints it but has no accessor. */
function chargedFee(result: unknown): bigint | undefined {
  const text = String(result)
  const all = [...text.matchAll(/\bfee: (\d+)/g)]
  const last = all[all.length - 1]
  return last ? BigInt(last[1]!) : undefined
}
