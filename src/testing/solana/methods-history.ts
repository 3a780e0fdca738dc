/**
 * History methods of the local Solana server: getSignatureStatuses, getSignaturesForAddress,
 * getTransaction, getBlock. A transaction is 'processed' in its own slot, 'confirmed' once a
 * slot has passed, 'finalized' after 32; getTransaction, getBlock and getSignaturesForAddress
 * take 'confirmed' or 'finalized' (default) only, as Agave.
 * @module
 * @internal
 */
import { base58 } from '@scure/base'
import { FINALITY_DEPTH, type Block, type Ledger, type TxRecord } from './ledger.js'
import { BLOCK_NOT_AVAILABLE, RpcFailure, SLOT_SKIPPED, invalidParams, unsupportedVersion } from './rpc-errors.js'
import { bool, commitment, config, contextSlot, encoding, positional, pubkey, signature, u64 } from './params.js'
import { withContext, type Method } from './context.js'

/** Agave's confirmation status of a transaction landed at `slot`. */
function status(
  ledger: Ledger,
  slot: number,
): { confirmations: number | null; confirmationStatus: 'processed' | 'confirmed' | 'finalized' } {
  const depth = ledger.slot - slot
  if (depth >= FINALITY_DEPTH) return { confirmations: null, confirmationStatus: 'finalized' }
  return { confirmations: depth, confirmationStatus: depth === 0 ? 'processed' : 'confirmed' }
}

const getSignatureStatuses: Method = ({ ledger }, params) => {
  const [sigs, cfgRaw] = positional(params, 1, 2)
  if (!Array.isArray(sigs)) throw invalidParams('invalid type: expected a sequence of signatures.')
  if (sigs.length > 256) throw invalidParams('Too many inputs provided; max 256')
  const list = sigs.map(signature)
  const cfg = config(cfgRaw)
  if (cfg.searchTransactionHistory !== undefined && cfg.searchTransactionHistory !== null) bool(cfg.searchTransactionHistory)
  return withContext(
    ledger.slot,
    list.map((sig) => {
      const t = ledger.transaction(sig)
      if (!t) return null
      const err = t.err?.json ?? null
      return { slot: t.slot, ...status(ledger, t.slot), err, status: err === null ? { Ok: null } : { Err: err } }
    }),
  )
}

const getSignaturesForAddress: Method = ({ ledger }, params) => {
  const [key, cfgRaw] = positional(params, 1, 2)
  const address = pubkey(key)
  const cfg = config(cfgRaw)
  const limit = cfg.limit === undefined || cfg.limit === null ? 1000 : u64(cfg.limit, 'usize')
  if (limit < 1 || limit > 1000) throw invalidParams(`Invalid limit; max 1000`)
  const before = cfg.before === undefined || cfg.before === null ? undefined : signature(cfg.before)
  const until = cfg.until === undefined || cfg.until === null ? undefined : signature(cfg.until)
  commitment(cfg, 'finalized', true)
  const highest = contextSlot(ledger, cfg)
  let list = ledger.byAddress(address).filter((t) => t.slot <= highest)
  if (before !== undefined) {
    const i = list.findIndex((t) => t.signature === before)
    list = i < 0 ? [] : list.slice(i + 1)
  }
  if (until !== undefined) {
    const i = list.findIndex((t) => t.signature === until)
    if (i >= 0) list = list.slice(0, i)
  }
  return list.slice(0, limit).map((t) => ({
    signature: t.signature,
    slot: t.slot,
    err: t.err?.json ?? null,
    memo: t.memo,
    blockTime: t.blockTime,
    confirmationStatus: status(ledger, t.slot).confirmationStatus,
  }))
}

type TxEncoding = 'json' | 'base64' | 'base58'

function maxVersion(cfg: Record<string, unknown>): number | undefined {
  const v = cfg.maxSupportedTransactionVersion
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255)
    throw invalidParams(`invalid value for maxSupportedTransactionVersion: ${JSON.stringify(v)}, expected u8.`)
  return v
}

function encodeTransaction(t: TxRecord, enc: TxEncoding): unknown {
  if (enc === 'base64') return [Buffer.from(t.tx.bytes).toString('base64'), 'base64']
  if (enc === 'base58') return [base58.encode(t.tx.bytes), 'base58']
  const message: Record<string, unknown> = {
    accountKeys: t.tx.staticKeys,
    header: t.tx.header,
    recentBlockhash: t.tx.recentBlockhash,
    instructions: t.tx.instructions.map((ix) => ({
      programIdIndex: ix.programIdIndex,
      accounts: ix.accounts,
      data: base58.encode(ix.data),
      stackHeight: null,
    })),
  }
  if (t.tx.version === 0) message.addressTableLookups = t.tx.lookups
  return { signatures: t.tx.signatures.map((s) => base58.encode(s)), message }
}

function meta(t: TxRecord): Record<string, unknown> {
  const err = t.err?.json ?? null
  const m: Record<string, unknown> = {
    err,
    status: err === null ? { Ok: null } : { Err: err },
    fee: t.fee,
    preBalances: t.preBalances,
    postBalances: t.postBalances,
    innerInstructions: t.innerInstructions,
    logMessages: t.logs,
    preTokenBalances: t.preTokenBalances,
    postTokenBalances: t.postTokenBalances,
    rewards: [],
    loadedAddresses: t.loaded,
    computeUnitsConsumed: t.computeUnitsConsumed,
  }
  if (t.returnData) m.returnData = t.returnData
  return m
}

/** A transaction with its meta, as getTransaction and getBlock show it. */
function encodedWithMeta(t: TxRecord, enc: TxEncoding, max: number | undefined): Record<string, unknown> {
  if (t.tx.version !== 'legacy' && (max === undefined || max < t.tx.version)) throw unsupportedVersion(t.tx.version)
  const out: Record<string, unknown> = { transaction: encodeTransaction(t, enc), meta: meta(t) }
  if (max !== undefined) out.version = t.tx.version
  return out
}

const getTransaction: Method = ({ ledger }, params) => {
  const [sig, cfgRaw] = positional(params, 1, 2)
  const s = signature(sig)
  const cfg = typeof cfgRaw === 'string' ? { encoding: cfgRaw } : config(cfgRaw)
  const enc = encoding<TxEncoding>(cfg, ['json', 'base64', 'base58'], 'json')
  const max = maxVersion(cfg)
  const highest = ledger.slotAt(commitment(cfg, 'finalized', true))
  const t = ledger.transaction(s)
  if (!t || t.slot > highest) return null
  return { slot: t.slot, blockTime: t.blockTime, ...encodedWithMeta(t, enc, max) }
}

function blockBody(
  ledger: Ledger,
  block: Block,
  enc: TxEncoding,
  details: string,
  rewards: boolean,
  max: number | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    blockHeight: block.slot,
    blockTime: block.blockTime,
    blockhash: block.blockhash,
    parentSlot: block.parentSlot,
    previousBlockhash: block.previousBlockhash,
  }
  if (details === 'full') out.transactions = block.transactions.map((t) => encodedWithMeta(t, enc, max))
  if (details === 'signatures') out.signatures = block.transactions.map((t) => t.signature)
  if (rewards) out.rewards = []
  return out
}

const getBlock: Method = ({ ledger }, params) => {
  const [slotRaw, cfgRaw] = positional(params, 1, 2)
  const slot = u64(slotRaw)
  const cfg = typeof cfgRaw === 'string' ? { encoding: cfgRaw } : config(cfgRaw)
  const enc = encoding<TxEncoding>(cfg, ['json', 'base64', 'base58'], 'json')
  const details = cfg.transactionDetails ?? 'full'
  if (details !== 'full' && details !== 'signatures' && details !== 'none') {
    throw invalidParams(
      `unsupported transactionDetails ${JSON.stringify(details)} on this local server (supported: full, signatures, none).`,
    )
  }
  const rewards = cfg.rewards === undefined || cfg.rewards === null ? true : bool(cfg.rewards)
  const max = maxVersion(cfg)
  const highest = ledger.slotAt(commitment(cfg, 'finalized', true))
  const block = ledger.block(slot)
  if (slot < (ledger.blocks[0]?.slot ?? 1)) {
    throw new RpcFailure(SLOT_SKIPPED, `Slot ${slot} was skipped, or missing due to ledger jump to recent snapshot`)
  }
  if (!block || slot > highest) throw new RpcFailure(BLOCK_NOT_AVAILABLE, `Block not available for slot ${slot}`)
  return blockBody(ledger, block, enc, details, rewards, max)
}

const getBlockTime: Method = ({ ledger }, params) => {
  const [slotRaw] = positional(params, 1, 1)
  const block = ledger.block(u64(slotRaw))
  if (!block) throw new RpcFailure(BLOCK_NOT_AVAILABLE, `Block not available for slot ${u64(slotRaw)}`)
  return block.blockTime
}

const getTransactionCount: Method = ({ ledger }, params) => {
  const [cfgRaw] = positional(params, 0, 1)
  const slot = contextSlot(ledger, config(cfgRaw))
  return ledger.transactions().filter((t) => t.slot <= slot).length
}

export const HISTORY_METHODS: Readonly<Record<string, Method>> = {
  getSignatureStatuses,
  getSignaturesForAddress,
  getTransaction,
  getBlock,
  getBlockTime,
  getTransactionCount,
}
