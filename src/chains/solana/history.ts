/**
 * Transfer history of an owner: `getSignaturesForAddress` on the owner (when SOL is asked) and
 * on its associated token account of each asked token, in one batch; the lists merged newest
 * first; the page's transactions read in one batch (`getTransaction`, json) and turned into
 * items, one per asset whose balance of the owner changed:
 * - SOL from the owner's lamports before and after, the fee added back when the owner paid it
 *   (the fee is the item's `fee`, on the first outgoing item of the transaction only, so sums
 *   count it once); tokens from the token balances of accounts this owner holds of that mint;
 * - the counterparty is the other side of a System transfer or token transfer(Checked/WithFee)
 *   instruction (top level or inner) that moved the asset to or from the owner; when none
 *   names one (a swap, a program payout), the owner itself;
 * - a failed transaction moved nothing but its fee: its items show what its instructions tried
 *   to move, with state `failed`; a self-transfer (owner to owner) is one `self` item.
 *
 * Paging: each page reads up to `limit` signatures per address and returns whole slots only,
 * and only slots every not-yet-exhausted list has read past, so no transaction is skipped or
 * repeated across pages. A page holds at most `limit` transactions, except when one slot alone
 * holds more (or when one address has more than `limit` transactions in one slot: then that
 * slot comes in parts, the signatures already returned kept in the cursor). The cursor stores,
 * per address, the last signature returned, and a fingerprint of the query (owner and assets):
 * a cursor of another query is refused.
 *
 * Only the owner's SOL account and associated token accounts are read: tokens held in other
 * token accounts of the owner appear only when a transaction also touches one of these.
 * @module
 * @internal
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import type { AssetId } from '../../core/caip.js'
import { DataIntegrityError, InvalidAddressError, InvalidArgumentError, UnknownAssetError } from '../../core/errors.js'
import type { HistoryItem, HistoryPage } from '../adapter.js'
import type { SolanaCall, SolanaToken } from './context.js'
import { decodeMovement, type SolMovement, type TokenMovement } from './instructions.js'
import { lamportDelta, tokenDelta, type ParsedTransaction } from './parsed-transaction.js'
import { addressBytes, associatedTokenAddress } from './pda.js'
import { tokenProgramAddress } from './programs.js'
import { isSignature, resultOf } from './shapes.js'
import { fetchTransactions, MAX_SIGNATURES_PER_CALL, signaturesOf, signaturesRequest, type SignatureInfo } from './signatures.js'

/** One asset the query follows: SOL (no token) or a token. */
export interface AssetSpec {
  readonly asset: AssetId
  readonly token?: SolanaToken
}

interface ListState {
  readonly address: string
  before?: string
  done: boolean
}

const CURSOR_PREFIX = 'sh1'

/** The owner's address checked. @throws InvalidAddressError */
export function checkOwner(address: string): void {
  try {
    addressBytes(address)
  } catch {
    throw new InvalidAddressError(`${String(address).slice(0, 64)} is not a Solana address (base58, 32 bytes).`)
  }
}

/** The asked assets resolved against the adapter's list, deduplicated. @throws UnknownAssetError */
export function assetSpecs(call: SolanaCall, assets: readonly AssetId[]): AssetSpec[] {
  const out: AssetSpec[] = []
  for (const asset of new Set(assets)) {
    if (asset === call.nativeAsset) out.push({ asset })
    else {
      const token = call.tokens.find((t) => t.asset === asset)
      if (!token)
        throw new UnknownAssetError(`This Solana adapter does not list ${asset}.`, {
          details: { known: call.tokens.map((t) => t.symbol).join(', ') },
        })
      out.push({ asset, token })
    }
  }
  return out
}

/** The addresses whose signatures cover `owner`'s movements of `specs`: the owner (for SOL) and its ATAs. */
function watchedAddresses(owner: string, specs: readonly AssetSpec[]): string[] {
  const out = new Set<string>()
  for (const spec of specs)
    out.add(spec.token ? associatedTokenAddress(owner, spec.token.mint, tokenProgramAddress(spec.token.program)) : owner)
  return [...out]
}

function fingerprint(owner: string, specs: readonly AssetSpec[]): string {
  return bytesToHex(sha256(utf8ToBytes([owner, ...specs.map((s) => s.asset).sort()].join('|')))).slice(0, 16)
}

function encodeCursor(print: string, lists: readonly ListState[], skip?: BoundarySkip): string {
  const boundary = skip ? `${skip.slot}+${[...skip.signatures].join('+')}` : '-'
  return [CURSOR_PREFIX, print, boundary, ...lists.map((l) => (l.done ? '!' : (l.before ?? '~')))].join('.')
}

function decodeCursor(cursor: string, print: string, addresses: readonly string[]): { lists: ListState[]; skip?: BoundarySkip } {
  const parts = typeof cursor === 'string' && cursor.length < 1_000_000 ? cursor.split('.') : []
  if (parts[0] !== CURSOR_PREFIX || parts.length !== addresses.length + 3)
    throw new InvalidArgumentError('cursor is not one this adapter returned.')
  if (parts[1] !== print) throw new InvalidArgumentError('cursor belongs to another query (another address or other assets).')
  let skip: BoundarySkip | undefined
  if (parts[2] !== '-') {
    const [slotText, ...signatures] = parts[2]!.split('+')
    const slot = Number(slotText)
    if (!/^\d{1,15}$/.test(slotText ?? '') || !Number.isSafeInteger(slot) || !signatures.every(isSignature))
      throw new InvalidArgumentError('cursor is not one this adapter returned.')
    skip = { slot, signatures: new Set(signatures) }
  }
  const lists = addresses.map((address, i): ListState => {
    const part = parts[i + 3]!
    if (part === '!') return { address, done: true }
    if (part === '~') return { address, done: false }
    if (!isSignature(part)) throw new InvalidArgumentError('cursor is not one this adapter returned.')
    return { address, before: part, done: false }
  })
  return skip ? { lists, skip } : { lists }
}

/** Signatures already returned from a slot some lists may still hold more of (see {@link mergePage}). */
export interface BoundarySkip {
  readonly slot: number
  readonly signatures: ReadonlySet<string>
}

/**
 * Picks the page: whole slots, newest first, only above every unexhausted list's last slot,
 * at most `limit` signatures unless one slot alone holds more. Updates `lists` in place.
 *
 * Degenerate case: an unexhausted list filled its read within one slot, so no slot is known
 * complete. Then that top slot's signatures read so far are returned, and remembered (`skip`,
 * carried in the cursor) so the next page, which reads the rest of that slot, repeats none.
 */
export function mergePage(
  lists: ListState[],
  fetched: readonly (readonly SignatureInfo[])[],
  limit: number,
  skip?: BoundarySkip,
): { page: SignatureInfo[]; skip?: BoundarySkip } {
  const skipped = (s: SignatureInfo) => skip !== undefined && s.slot === skip.slot && skip.signatures.has(s.signature)
  const exhausted = lists.map((l, i) => l.done || fetched[i]!.length < limit)
  let cutoff = -1
  lists.forEach((_, i) => {
    if (!exhausted[i]) cutoff = Math.max(cutoff, fetched[i]!.at(-1)!.slot)
  })
  const bySignature = new Map<string, SignatureInfo>()
  for (const list of fetched) for (const s of list) if (!bySignature.has(s.signature) && !skipped(s)) bySignature.set(s.signature, s)
  const all = [...bySignature.values()].sort((a, b) => b.slot - a.slot)
  let candidates = all.filter((s) => s.slot > cutoff)
  let boundary: number | undefined
  if (candidates.length === 0 && all.length > 0) {
    boundary = all[0]!.slot
    candidates = all.filter((s) => s.slot === boundary)
  }
  const page: SignatureInfo[] = []
  for (let i = 0; i < candidates.length;) {
    let j = i
    while (j < candidates.length && candidates[j]!.slot === candidates[i]!.slot) j++
    if (page.length > 0 && page.length + (j - i) > limit) break
    page.push(...candidates.slice(i, j))
    i = j
  }
  const emitted = new Set(page.map((s) => s.signature))
  lists.forEach((list, i) => {
    if (list.done) return
    const items = fetched[i]!
    let n = 0
    while (n < items.length && (emitted.has(items[n]!.signature) || skipped(items[n]!))) n++
    if (n > 0) list.before = items[n - 1]!.signature
    list.done = exhausted[i]! && n === items.length
  })
  if (boundary === undefined) return { page }
  const remembered = new Set(skip?.slot === boundary ? skip.signatures : [])
  for (const s of page) remembered.add(s.signature)
  return { page, skip: { slot: boundary, signatures: remembered } }
}

function ownerOf(tx: ParsedTransaction, tokenAccount: string): string | undefined {
  return tx.tokenBalances.get(tokenAccount)?.owner
}

function mintOf(tx: ParsedTransaction, m: TokenMovement): string | undefined {
  return m.mint ?? tx.tokenBalances.get(m.source)?.mint ?? tx.tokenBalances.get(m.destination)?.mint
}

/** What one transaction moved of one asset for `owner`: signed amount, self amount, counterparties. */
function movementOf(
  tx: ParsedTransaction,
  owner: string,
  spec: AssetSpec,
): { net: bigint; self: bigint; sender?: string; recipient?: string } {
  const decoded = tx.instructions.map((ix) => decodeMovement(ix)).filter((m) => m !== undefined)
  let sent = 0n
  let received = 0n
  let self = 0n
  let sender: string | undefined
  let recipient: string | undefined
  const token = spec.token
  if (!token) {
    for (const m of decoded.filter((d): d is SolMovement => d.kind === 'sol')) {
      if (m.from === owner && m.to === owner) self += m.amount
      else if (m.from === owner) {
        sent += m.amount
        recipient ??= m.to
      } else if (m.to === owner) {
        received += m.amount
        sender ??= m.from
      }
    }
  } else {
    for (const m of decoded.filter((d): d is TokenMovement => d.kind === 'token')) {
      if (mintOf(tx, m) !== token.mint) continue
      const from = ownerOf(tx, m.source)
      const to = ownerOf(tx, m.destination)
      if (from === owner && to === owner) self += m.amount - m.fee
      else if (from === owner) {
        sent += m.amount
        recipient ??= to ?? m.destination
      } else if (to === owner) {
        received += m.amount - m.fee
        sender ??= from ?? m.source
      }
    }
  }
  let net: bigint
  if (tx.failed) net = received - sent
  else if (!token) net = lamportDelta(tx, owner) + (tx.keys[0] === owner ? tx.fee : 0n)
  else net = tokenDelta(tx, owner, token.mint)
  return { net, self, ...(sender ? { sender } : {}), ...(recipient ? { recipient } : {}) }
}

/** The history items of one transaction for `owner` (see the module doc). */
function itemsOfTransaction(call: SolanaCall, tx: ParsedTransaction, owner: string, specs: readonly AssetSpec[]): HistoryItem[] {
  const items: HistoryItem[] = []
  let feeTaken = tx.keys[0] !== owner
  for (const spec of specs) {
    const { net, self, sender, recipient } = movementOf(tx, owner, spec)
    let direction: HistoryItem['direction']
    let amount: bigint
    let from = owner
    let to = owner
    if (net > 0n) {
      direction = 'in'
      amount = net
      from = sender ?? owner
    } else if (net < 0n) {
      direction = 'out'
      amount = -net
      to = recipient ?? owner
    } else if (self > 0n) {
      direction = 'self'
      amount = self
    } else continue
    const fee = direction !== 'in' && !feeTaken ? { fee: { asset: call.nativeAsset, amount: tx.fee } } : {}
    if (direction !== 'in') feeTaken = true
    items.push({
      chainId: call.chainId,
      hash: tx.signature,
      asset: spec.asset,
      direction,
      from,
      to,
      amount,
      blockHeight: tx.slot,
      ...(tx.blockTime === undefined ? {} : { timestamp: tx.blockTime * 1000 }),
      ...fee,
      state: tx.failed ? 'failed' : 'confirmed',
    })
  }
  return items
}

/**
 * One page of `address`'s history, newest first (see the module doc).
 * @throws InvalidAddressError, InvalidArgumentError (bad limit, a cursor of another query),
 *   UnknownAssetError — before any request; RpcError; DataIntegrityError
 */
export async function readHistory(
  call: SolanaCall,
  address: string,
  options: { assets: readonly AssetId[]; cursor?: string; limit: number },
): Promise<HistoryPage> {
  checkOwner(address)
  const limit = options.limit
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SIGNATURES_PER_CALL)
    throw new InvalidArgumentError(`limit must be an integer from 1 to ${MAX_SIGNATURES_PER_CALL}.`)
  const specs = assetSpecs(call, options.assets)
  if (specs.length === 0) return { items: [] }
  const addresses = watchedAddresses(address, specs)
  const print = fingerprint(address, specs)
  const state =
    options.cursor === undefined
      ? { lists: addresses.map((a): ListState => ({ address: a, done: false })) }
      : decodeCursor(options.cursor, print, addresses)
  const lists = state.lists
  const active = lists.map((l, i) => ({ l, i })).filter(({ l }) => !l.done)
  const answers = await call.rpc.batch(
    active.map(({ l }) => signaturesRequest(l.address, limit, l.before)),
    { signal: call.signal },
  )
  const fetched: SignatureInfo[][] = lists.map(() => [])
  active.forEach(({ l, i }, k) => {
    fetched[i] = signaturesOf(resultOf(answers[k], 'getSignaturesForAddress'), limit, l.address)
  })
  const { page, skip } = mergePage(lists, fetched, limit, state.skip)
  const transactions = await fetchTransactions(
    call,
    page.map((s) => s.signature),
  )
  const items = transactions.flatMap((tx, i) => {
    if (tx.slot !== page[i]!.slot)
      throw new DataIntegrityError(`The node lists ${tx.signature} in slot ${page[i]!.slot} but serves it from slot ${tx.slot}.`, {
        details: { hash: tx.signature, expected: String(page[i]!.slot), got: String(tx.slot) },
      })
    return itemsOfTransaction(call, tx, address, specs)
  })
  return lists.every((l) => l.done) ? { items } : { items, cursor: encodeCursor(print, lists, skip) }
}
