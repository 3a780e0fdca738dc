/**
 * Transfers of many owners over a slot range: `getSignaturesForAddress` on each owner (when SOL
 * is asked) and each owner's associated token account of every asked token, paged with
 * `before` (one batch per round, every address in it) until the list reaches below `fromBlock`;
 * the successful transactions in range read in one batch; each slot's block hash in one more.
 *
 * Transfers are the System transfers (Transfer, TransferWithSeed, CreateAccount and
 * CreateAccountWithSeed, which fund a new account) and the token Transfer, TransferChecked and
 * Token-2022 TransferCheckedWithFee instructions, top level and inner (CPI), whose side is one of
 * the owners (token accounts mapped to owners by the transaction's token balances). `index` is
 * the instruction's position in its transaction: top-level `i` → `i * 65_536`, its inner `j`
 * (0-based) → `i * 65_536 + j + 1`. A token transfer's `amount` is what reaches the recipient
 * (the amount less the fee TransferCheckedWithFee declares).
 *
 * `complete`:
 * - false whenever SOL is asked: fees, rent, account closes and program payouts change SOL
 *   balances without a transfer instruction this scan lists;
 * - for tokens, true only when, in every transaction read, each scanned token account's balance
 *   change equals the sum of the listed transfers in and out of it. A mint, burn, a Token-2022
 *   fee withheld by a plain transfer, or any other movement makes it false. Tokens held outside
 *   the owners' associated token accounts are outside the scan (as for balances).
 *
 * Ranges above {@link MAX_SCAN_SLOTS} slots are refused; an address with more than
 * {@link MAX_PAGES} pages of signatures newer than `fromBlock` ends the scan with an RpcError.
 * @module
 * @internal
 */
import type { AssetId } from '../../core/caip.js'
import { DataIntegrityError, InvalidArgumentError, RpcError } from '../../core/errors.js'
import type { ChainTransfer, GetTransfersParameters, TransferScan } from '../adapter.js'
import type { SolanaCall } from './context.js'
import { decodeMovement } from './instructions.js'
import type { ParsedTransaction } from './parsed-transaction.js'
import { assetSpecs, checkOwner, type AssetSpec } from './history.js'
import { associatedTokenAddress } from './pda.js'
import { tokenProgramAddress } from './programs.js'
import { blockCommitment, keyOf, objectOf, resultOf } from './shapes.js'
import { fetchTransactions, MAX_SIGNATURES_PER_CALL, signaturesOf, signaturesRequest, type SignatureInfo } from './signatures.js'

/** The longest slot range one scan covers. */
const MAX_SCAN_SLOTS = 10_000
/** Signature pages per address at most. */
const MAX_PAGES = 20

interface Watched {
  readonly address: string
  /** The token this ATA holds; undefined for an owner's SOL account. */
  readonly spec?: AssetSpec
}

async function signaturesInRange(
  call: SolanaCall,
  addresses: readonly string[],
  fromBlock: number,
  toBlock: number,
): Promise<SignatureInfo[]> {
  const found = new Map<string, SignatureInfo>()
  let active = addresses.map((address) => ({ address, before: undefined as string | undefined }))
  for (let round = 0; active.length > 0; round++) {
    if (round === MAX_PAGES)
      throw new RpcError(
        `More than ${MAX_PAGES * MAX_SIGNATURES_PER_CALL} signatures of one address since slot ${fromBlock}: scan a more recent range.`,
        {
          details: { method: 'getSignaturesForAddress', reason: 'too many signatures' },
        },
      )
    const answers = await call.rpc.batch(
      active.map((a) => signaturesRequest(a.address, MAX_SIGNATURES_PER_CALL, a.before)),
      { signal: call.signal },
    )
    const next: typeof active = []
    active.forEach((a, i) => {
      const list = signaturesOf(resultOf(answers[i], 'getSignaturesForAddress'), MAX_SIGNATURES_PER_CALL, a.address)
      for (const s of list) if (s.slot >= fromBlock && s.slot <= toBlock && !s.failed) found.set(s.signature, s)
      const last = list.at(-1)
      if (list.length === MAX_SIGNATURES_PER_CALL && last && last.slot >= fromBlock)
        next.push({ address: a.address, before: last.signature })
    })
    active = next
  }
  return [...found.values()].sort((a, b) => a.slot - b.slot)
}

async function blockHashes(call: SolanaCall, slots: readonly number[]): Promise<Map<number, string>> {
  const commitment = blockCommitment(call.commitment)
  const answers = await call.rpc.batch(
    slots.map((slot) => ({
      method: 'getBlock',
      params: [slot, { transactionDetails: 'none', rewards: false, commitment, maxSupportedTransactionVersion: 0 }],
    })),
    { signal: call.signal },
  )
  return new Map(
    slots.map((slot, i) => [
      slot,
      keyOf(objectOf(resultOf(answers[i], 'getBlock'), 'getBlock', `block ${slot}`).blockhash, 'getBlock', 'blockhash'),
    ]),
  )
}

/** The transfers of `tx` touching the owners, and whether every watched token account's change is explained. */
function transfersOfTransaction(
  call: SolanaCall,
  tx: ParsedTransaction,
  owners: ReadonlySet<string>,
  specs: readonly AssetSpec[],
  watched: readonly Watched[],
  blockHash: string,
): { transfers: ChainTransfer[]; explained: boolean } {
  const native = specs.some((s) => !s.token)
  const byMint = new Map(specs.filter((s) => s.token).map((s) => [s.token!.mint, s.asset]))
  const transfers: ChainTransfer[] = []
  const flow = new Map<string, bigint>()
  const add = (account: string, amount: bigint) => flow.set(account, (flow.get(account) ?? 0n) + amount)
  for (const ix of tx.instructions) {
    const m = decodeMovement(ix)
    if (!m) continue
    let asset: AssetId | undefined
    let from: string
    let to: string
    let amount: bigint
    if (m.kind === 'sol') {
      if (!native) continue
      asset = call.nativeAsset
      from = m.from
      to = m.to
      amount = m.amount
    } else {
      const mint = m.mint ?? tx.tokenBalances.get(m.source)?.mint ?? tx.tokenBalances.get(m.destination)?.mint
      asset = mint === undefined ? undefined : byMint.get(mint)
      if (asset === undefined) continue
      from = tx.tokenBalances.get(m.source)?.owner ?? m.source
      to = tx.tokenBalances.get(m.destination)?.owner ?? m.destination
      amount = m.amount - m.fee
      add(m.source, -m.amount)
      add(m.destination, amount)
    }
    if (!owners.has(from) && !owners.has(to)) continue
    transfers.push({
      chainId: call.chainId,
      hash: tx.signature,
      asset,
      from,
      to,
      amount,
      blockHeight: tx.slot,
      blockHash,
      index: ix.position,
    })
  }
  let explained = true
  for (const w of watched) {
    if (!w.spec?.token) continue
    const balance = tx.tokenBalances.get(w.address)
    const change = balance ? balance.post - balance.pre : 0n
    if (change !== (flow.get(w.address) ?? 0n)) explained = false
  }
  return { transfers, explained }
}

/**
 * Transfers of the asked assets touching `params.addresses` in `[fromBlock, toBlock]` (slots),
 * oldest first (see the module doc).
 * @throws InvalidAddressError, InvalidArgumentError (a range above 10,000 slots), UnknownAssetError
 *   — before any request; RpcError; DataIntegrityError
 */
export async function scanTransfers(call: SolanaCall, params: GetTransfersParameters): Promise<TransferScan> {
  const { fromBlock, toBlock } = params
  if (!Number.isSafeInteger(fromBlock) || !Number.isSafeInteger(toBlock) || fromBlock < 0 || toBlock < fromBlock)
    throw new InvalidArgumentError('fromBlock and toBlock must be slots with 0 ≤ fromBlock ≤ toBlock.')
  if (toBlock - fromBlock + 1 > MAX_SCAN_SLOTS)
    throw new InvalidArgumentError(`A transfer scan covers at most ${MAX_SCAN_SLOTS} slots; split the range.`, {
      details: { fromBlock, toBlock },
    })
  for (const a of params.addresses) checkOwner(a)
  const specs = assetSpecs(call, params.assets ?? [call.nativeAsset, ...call.tokens.map((t) => t.asset)])
  const owners = new Set(params.addresses)
  const watched: Watched[] = []
  for (const owner of owners)
    for (const spec of specs)
      watched.push(
        spec.token
          ? { address: associatedTokenAddress(owner, spec.token.mint, tokenProgramAddress(spec.token.program)), spec }
          : { address: owner },
      )
  const native = specs.some((s) => !s.token)
  if (watched.length === 0) return { transfers: [], complete: true }
  const signatures = await signaturesInRange(
    call,
    watched.map((w) => w.address),
    fromBlock,
    toBlock,
  )
  const transactions = await fetchTransactions(
    call,
    signatures.map((s) => s.signature),
  )
  transactions.forEach((tx, i) => {
    if (tx.slot !== signatures[i]!.slot)
      throw new DataIntegrityError(`The node lists ${tx.signature} in slot ${signatures[i]!.slot} but serves it from slot ${tx.slot}.`, {
        details: { hash: tx.signature, expected: String(signatures[i]!.slot), got: String(tx.slot) },
      })
  })
  const hashes = await blockHashes(call, [...new Set(transactions.map((t) => t.slot))])
  let complete = !native
  const transfers: ChainTransfer[] = []
  for (const tx of transactions) {
    if (tx.failed) continue
    const found = transfersOfTransaction(call, tx, owners, specs, watched, hashes.get(tx.slot)!)
    transfers.push(...found.transfers)
    if (!found.explained) complete = false
  }
  return { transfers, complete }
}
