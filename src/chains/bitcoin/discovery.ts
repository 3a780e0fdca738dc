/**
 * Account discovery (BIP-44 style): scan the receive and change branches in windows of
 * `gapLimit` addresses until `gapLimit` consecutive addresses have never been used; then read
 * the UTXOs of every used address. Requests run in parallel up to the backend's limit.
 *
 * Bounded: a server that reports every address as used would make the scan endless, so it
 * stops with {@link DiscoveryLimitError} once `maxAddresses` addresses (both branches together)
 * would be read, and as soon as its signal aborts (the adapter call's deadline).
 * @module
 */
import { DiscoveryLimitError } from '../../core/errors.js'
import { rpc, type BackendUtxo, type BitcoinBackend } from './client.js'
import { accountAddresses, type AccountAddress, type Source } from './account.js'

/** Default cap on the addresses one account's discovery reads. */
export const DEFAULT_MAX_DISCOVERY_ADDRESSES = 10_000

/** How far discovery may go. */
export interface DiscoveryLimits {
  /** Unused addresses in a row that end a branch, default 20. */
  readonly gapLimit: number
  /** Addresses read at most, both branches together, default 10,000. */
  readonly maxAddresses: number
  /** Aborts the scan (the caller's deadline). */
  readonly signal?: AbortSignal
  /** Counts the addresses read so far (for the caller's error details). */
  readonly progress?: { scanned: number }
}

/** Default limits for a gap limit. */
function discoveryLimits(gapLimit = 20, maxAddresses = DEFAULT_MAX_DISCOVERY_ADDRESSES): DiscoveryLimits {
  return { gapLimit, maxAddresses }
}

/** A used address and what it holds. */
export interface UsedAddress extends AccountAddress {
  readonly txCount: number
  /** Confirmed balance, satoshis. */
  readonly confirmed: bigint
  /** Mempool delta, satoshis. */
  readonly unconfirmed: bigint
}

/** A spendable output with what is needed to sign for it. */
export interface OwnedUtxo extends BackendUtxo {
  readonly address: string
  readonly publicKey: Uint8Array
  readonly change?: 0 | 1
  readonly index?: number
  readonly path?: string
}

/** What `discoverAccount` finds. */
export interface AccountState {
  /** The account's descriptor (or the address, for a single-address source). */
  readonly id: string
  readonly used: readonly UsedAddress[]
  /** First never-used receive address: give it out next. */
  readonly nextReceive: AccountAddress
  /** First never-used change address: change goes there. */
  readonly nextChange: AccountAddress
  readonly utxos: readonly OwnedUtxo[]
  readonly balance: { readonly confirmed: bigint; readonly unconfirmed: bigint }
}

async function scanBranch(
  backend: BitcoinBackend,
  source: Extract<Source, { kind: 'account' }>,
  change: 0 | 1,
  limits: DiscoveryLimits,
  progress: { scanned: number },
): Promise<{ used: UsedAddress[]; next: AccountAddress }> {
  const { gapLimit, maxAddresses, signal } = limits
  const used: UsedAddress[] = []
  let start = 0
  let lastUsed = -1
  scan: for (;;) {
    // Read a window of addresses in parallel, then walk it in order: an address more than
    // gapLimit past the last used one ends the scan, even if it has been used.
    if (signal?.aborted) throw signal.reason
    if (progress.scanned + gapLimit > maxAddresses) {
      throw new DiscoveryLimitError(
        `Account discovery stopped after ${progress.scanned} addresses (maxDiscoveryAddresses is ${maxAddresses}): the server reports more used addresses than a wallet has.`,
        {
          details: { limit: 'maxDiscoveryAddresses', maxDiscoveryAddresses: maxAddresses, scanned: progress.scanned },
        },
      )
    }
    progress.scanned += gapLimit
    const window = accountAddresses(source, change, start, gapLimit)
    const stats = await Promise.all(window.map((a) => rpc(`Reading address ${a.address}`, () => backend.addressStats(a.address))))
    for (const [i, a] of window.entries()) {
      if (a.index - lastUsed > gapLimit) break scan
      const s = stats[i]!
      if (s.txCount > 0) {
        used.push({ ...a, txCount: s.txCount, confirmed: s.confirmed, unconfirmed: s.unconfirmed })
        lastUsed = a.index
      }
    }
    start += gapLimit
  }
  const next = accountAddresses(source, change, lastUsed + 1, 1)[0] as AccountAddress
  return { used, next }
}

/**
 * Scans an account within `limits` and reads its UTXOs.
 * @throws DiscoveryLimitError past `limits.maxAddresses`
 */
export async function discover(
  backend: BitcoinBackend,
  source: Extract<Source, { kind: 'account' }>,
  limits: DiscoveryLimits = discoveryLimits(),
): Promise<AccountState> {
  const progress = limits.progress ?? { scanned: 0 }
  // Both branches settle before an error surfaces: a stopped discovery leaves no request behind.
  const [receiveResult, changeResult] = await Promise.allSettled([
    scanBranch(backend, source, 0, limits, progress),
    scanBranch(backend, source, 1, limits, progress),
  ])
  if (receiveResult.status === 'rejected') throw receiveResult.reason
  if (changeResult.status === 'rejected') throw changeResult.reason
  const [receive, change] = [receiveResult.value, changeResult.value]
  const used = [...receive.used, ...change.used]
  const perAddress = await Promise.all(used.map((a) => rpc(`Reading UTXOs of ${a.address}`, () => backend.utxos(a.address))))
  const utxos = used.flatMap((a, i) =>
    perAddress[i]!.map((u) => ({
      ...u,
      address: a.address,
      publicKey: a.publicKey,
      change: a.change,
      index: a.index,
      ...(a.path ? { path: a.path } : {}),
    })),
  )
  return {
    id: source.id,
    used,
    nextReceive: receive.next,
    nextChange: change.next,
    utxos,
    balance: used.reduce((b, a) => ({ confirmed: b.confirmed + a.confirmed, unconfirmed: b.unconfirmed + a.unconfirmed }), {
      confirmed: 0n,
      unconfirmed: 0n,
    }),
  }
}
