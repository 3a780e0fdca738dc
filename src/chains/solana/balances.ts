/**
 * Balances of many owners, SOL and tokens, in one JSON-RPC batch: each owner's associated token
 * account per token is derived locally, and `getMultipleAccounts` (≤ 100 keys per call,
 * base64) reads the owners (lamports) and the ATAs (token amounts) — all calls in one
 * `rpc.batch`, so one HTTP request up to the client's `maxBatchSize` calls.
 *
 * One slot: every call answers with its `context.slot`. When the calls of one read answer from
 * different slots, those below the highest are read again once, with `minContextSlot` = the
 * highest (one more request). If they still differ, each balance reports the slot it was read at
 * as its `blockHeight` (honest, never a mix presented as one slot).
 *
 * - An owner account that does not exist holds 0 lamports; an owner without an ATA holds 0 tokens.
 * - Only associated token accounts are counted, as wallets show them: tokens the owner keeps in
 *   other token accounts are not (`getTokenAccountsByOwner` would find them, one request per
 *   owner and mint).
 * - A token account whose data is not a token account of the expected mint, owner and program
 *   is a `BalanceFailure` with `DataIntegrityError` (the node's answer contradicts the derivation).
 * - Frozen token accounts count: the tokens are the owner's, even if they cannot move now.
 * - `confirmations` > 1: Solana has no "n blocks deep" read, only commitments. The same accounts
 *   are also read at `finalized` in the same batch, and the part of the amount not yet finalized
 *   is `pending` (negative while an outgoing payment is not yet finalized). So any depth above 1
 *   means "finalized" (about 32 slots), stricter than asked, never looser.
 * - `blockHeight` is the slot of the read at `call.commitment`.
 * @module
 * @internal
 */
import type { AssetId } from '../../core/caip.js'
import {
  DataIntegrityError,
  InvalidAddressError,
  InvalidArgumentError,
  RpcError,
  UnknownAssetError,
  type CofferError,
} from '../../core/errors.js'
import type { Balance } from '../adapter.js'
import type { RpcRequest, RpcResult } from './client.js'
import type { SolanaCall, SolanaCommitment, SolanaToken } from './context.js'
import { decodeTokenAccount } from './accounts.js'
import { SOL_DECIMALS } from './networks.js'
import { addressBytes, associatedTokenAddress } from './pda.js'
import { tokenProgramAddress } from './programs.js'
import { accountOf, arrayOf, withContext, type AccountInfo } from './shapes.js'

/** Keys per `getMultipleAccounts` call (the node's limit). */
const MAX_KEYS_PER_CALL = 100

const METHOD = 'getMultipleAccounts'

/** One account as read: absent, or its lamports, program owner and data. */
type AccountRead = { slot: number } & ({ error: CofferError } | { account?: AccountInfo })

function requestOf(keys: readonly string[], commitment: SolanaCommitment, minContextSlot?: number): RpcRequest {
  return {
    method: METHOD,
    params: [keys, { encoding: 'base64', commitment, ...(minContextSlot === undefined ? {} : { minContextSlot }) }],
  }
}

/** One chunk's answer as account reads (an error or a malformed answer fails the whole chunk). */
function readsOf(answer: RpcResult, keys: readonly string[]): AccountRead[] | { error: CofferError; slot: number } {
  if (!answer.ok) return { error: answer.error, slot: 0 }
  try {
    const { slot, value } = withContext(answer.result, METHOD)
    const list = arrayOf(value, METHOD, 'value')
    if (list.length !== keys.length) throw new RpcError(`${METHOD}: asked for ${keys.length} accounts, the node answered ${list.length}.`)
    return list.map((item, i) => {
      const account = accountOf(item, METHOD, `value[${i}]`)
      return account ? { slot, account } : { slot }
    })
  } catch (error) {
    if (error instanceof RpcError) return { error, slot: 0 }
    throw error
  }
}

/**
 * Reads `keys` at each commitment in `commitments`, all in one batch, then re-reads the chunks
 * of one commitment that answered below that commitment's highest slot, once.
 */
async function readAccounts(call: SolanaCall, keys: readonly string[], commitments: readonly SolanaCommitment[]): Promise<AccountRead[][]> {
  const chunks: string[][] = []
  for (let i = 0; i < keys.length; i += MAX_KEYS_PER_CALL) chunks.push(keys.slice(i, i + MAX_KEYS_PER_CALL))
  const requests = commitments.flatMap((c) => chunks.map((chunk) => requestOf(chunk, c)))
  const answers = await call.rpc.batch(requests, { signal: call.signal })
  const results = commitments.map((_, c) => chunks.map((chunk, k) => readsOf(answers[c * chunks.length + k]!, chunk)))
  const slotOf = (r: AccountRead[] | { error: CofferError; slot: number }) => (Array.isArray(r) ? (r[0]?.slot ?? -1) : -1)
  const again: { c: number; k: number; request: RpcRequest }[] = []
  results.forEach((perChunk, c) => {
    const top = Math.max(...perChunk.map(slotOf))
    perChunk.forEach((r, k) => {
      const slot = slotOf(r)
      if (slot >= 0 && slot < top) again.push({ c, k, request: requestOf(chunks[k]!, commitments[c]!, top) })
    })
  })
  if (again.length > 0) {
    const second = await call.rpc.batch(
      again.map((a) => a.request),
      { signal: call.signal },
    )
    again.forEach((a, i) => {
      const reread = readsOf(second[i]!, chunks[a.k]!)
      // Keep the first read if the second failed: a balance at a known slot beats an error.
      if (Array.isArray(reread)) results[a.c]![a.k] = reread
    })
  }
  return results.map((perChunk, c) =>
    perChunk.flatMap((r, k) => (Array.isArray(r) ? r : chunks[k]!.map((): AccountRead => ({ error: r.error, slot: -1 - c })))),
  )
}

interface Entry {
  address: string
  asset: AssetId
  decimals: number
  /** Index of the account to read in `keys`. */
  key: number
  token?: SolanaToken
}

/** The amount an account read holds for `entry`, or the error why not. */
function amountOf(entry: Entry, read: AccountRead, keys: readonly string[]): { amount: bigint } | { error: CofferError } {
  if ('error' in read) return { error: read.error }
  if (!entry.token) return { amount: read.account?.lamports ?? 0n }
  if (!read.account) return { amount: 0n }
  const token = entry.token
  const account = keys[entry.key]!
  const program = tokenProgramAddress(token.program)
  const decoded = decodeTokenAccount(read.account.data)
  const wrong = (what: string, expected: string, got: string) => ({
    error: new DataIntegrityError(
      `The node's data for ${entry.address}'s ${token.symbol} account ${account} ${what} (expected ${expected}, got ${got}); balance not taken.`,
      { details: { expected, got } },
    ),
  })
  if (read.account.owner !== program) return wrong('is owned by another program', program, read.account.owner)
  if (!decoded) return wrong('is not a token account', 'a token account', `${read.account.data.length} bytes`)
  if (decoded.mint !== token.mint) return wrong('holds another mint', token.mint, decoded.mint)
  if (decoded.owner !== entry.address) return wrong('belongs to another owner', entry.address, decoded.owner)
  return { amount: decoded.amount }
}

/**
 * One balance per address × asset, in that order, from one batch (plus one re-read when the
 * calls answered from different slots).
 * @throws InvalidAddressError, InvalidArgumentError, UnknownAssetError (before any request); RpcError
 */
export async function readBalances(
  call: SolanaCall,
  addresses: readonly string[],
  assets: readonly AssetId[],
  confirmations: number,
): Promise<Balance[]> {
  if (!Number.isSafeInteger(confirmations) || confirmations < 0)
    throw new InvalidArgumentError('confirmations must be a non-negative integer.')
  for (const address of addresses) {
    try {
      addressBytes(address)
    } catch {
      throw new InvalidAddressError(`${String(address).slice(0, 64)} is not a Solana address (base58, 32 bytes).`)
    }
  }
  const tokens = assets.map((asset) => {
    if (asset === call.nativeAsset) return undefined
    const token = call.tokens.find((t) => t.asset === asset)
    if (!token)
      throw new UnknownAssetError(`This Solana adapter does not list ${asset}.`, {
        details: { known: call.tokens.map((t) => t.symbol).join(', ') },
      })
    return token
  })
  const keys: string[] = []
  const keyIndex = new Map<string, number>()
  const keyFor = (k: string) => {
    let index = keyIndex.get(k)
    if (index === undefined) {
      index = keys.push(k) - 1
      keyIndex.set(k, index)
    }
    return index
  }
  const entries: Entry[] = []
  for (const address of addresses)
    assets.forEach((asset, a) => {
      const token = tokens[a]
      entries.push(
        token
          ? {
              address,
              asset,
              decimals: token.decimals,
              token,
              key: keyFor(associatedTokenAddress(address, token.mint, tokenProgramAddress(token.program))),
            }
          : { address, asset, decimals: SOL_DECIMALS, key: keyFor(address) },
      )
    })
  if (entries.length === 0) return []
  const deep = confirmations > 1 && call.commitment !== 'finalized'
  const [reads, finalized] = await readAccounts(call, keys, deep ? [call.commitment, 'finalized'] : [call.commitment])
  const slots = reads!.filter((r) => !('error' in r)).map((r) => r.slot)
  const commonSlot = slots.length > 0 ? Math.max(...slots) : 0
  return entries.map((entry): Balance => {
    const read = reads![entry.key]!
    const blockHeight = 'error' in read ? commonSlot : read.slot
    const base = { address: entry.address, asset: entry.asset, decimals: entry.decimals, blockHeight }
    const now = amountOf(entry, read, keys)
    if ('error' in now) return { ok: false, ...base, error: now.error }
    if (!finalized) return { ok: true, ...base, amount: now.amount }
    const then = amountOf(entry, finalized[entry.key]!, keys)
    if ('error' in then) return { ok: false, ...base, error: then.error }
    return { ok: true, ...base, amount: now.amount, pending: now.amount - then.amount }
  })
}
