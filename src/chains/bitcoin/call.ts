/**
 * One public adapter call that touches the network, bounded by an overall deadline (design
 * rule 11): the call gets a view of the backend whose every request carries an abort signal,
 * and the deadline both aborts that signal (so retries, Retry-After waits and discovery stop
 * issuing requests) and rejects the call at once, with {@link DeadlineExceededError} — or
 * {@link DiscoveryLimitError} when it ran out while scanning an account, or whatever the caller
 * chooses (a broadcast's {@link BroadcastUnknownError}).
 * @module
 * @internal
 */
import { checkDeadline, withDeadline } from '../../core/deadline.js'
import { DeadlineExceededError, DiscoveryLimitError } from '../../core/errors.js'
import { throwIfAborted } from '../abort.js'
import type { BackendCallOptions, BitcoinBackend } from './client.js'
import type { DiscoveryLimits } from './discovery.js'

/** What a running call works with. */
export interface Call {
  /** The backend, every request bound to this call's signal. */
  readonly backend: BitcoinBackend
  /** Aborts at the deadline. */
  readonly signal: AbortSignal
  /** Discovery limits, with this call's signal and address count. */
  readonly limits: DiscoveryLimits & { readonly progress: { scanned: number } }
  /** Runs a discovery; a deadline reached inside it is a DiscoveryLimitError. */
  discovering<T>(task: () => Promise<T>): Promise<T>
}

/** Checks a `deadlineMs` option (1 ms to 1 hour, default 60 s). @throws InvalidArgumentError */
export function checkDeadlineMs(value: unknown): number {
  return checkDeadline(value)
}

/** `backend` with `signal` passed to every request, refusing new requests once it aborted. */
function boundBackend(backend: BitcoinBackend, signal: AbortSignal): BitcoinBackend {
  const o: BackendCallOptions = { signal }
  const guard = <T>(request: () => Promise<T>): Promise<T> => {
    throwIfAborted(signal)
    return request()
  }
  return {
    tip: () => guard(() => backend.tip(o)),
    block: (hash) => guard(() => backend.block(hash, o)),
    blockHash: (height) => guard(() => backend.blockHash(height, o)),
    addressStats: (address) => guard(() => backend.addressStats(address, o)),
    utxos: (address) => guard(() => backend.utxos(address, o)),
    transactions: (address, after) => guard(() => backend.transactions(address, after, o)),
    transaction: (txid) => guard(() => backend.transaction(txid, o)),
    transactionHex: (txid) => guard(() => backend.transactionHex(txid, o)),
    feeEstimates: () => guard(() => backend.feeEstimates(o)),
    broadcast: (hex) => guard(() => backend.broadcast(hex, o)),
    ...(typeof backend.blockTransactions === 'function'
      ? { blockTransactions: (hash: string, start: number) => guard(() => backend.blockTransactions!(hash, start, o)) }
      : {}),
    ...(typeof backend.outspend === 'function'
      ? { outspend: (txid: string, vout: number) => guard(() => backend.outspend!(txid, vout, o)) }
      : {}),
  }
}

/** What {@link runCall} needs from the adapter. */
export interface CallSettings {
  readonly backend: BitcoinBackend
  readonly deadlineMs: number
  readonly gapLimit: number
  readonly maxDiscoveryAddresses: number
}

/**
 * Runs `task` as one call named `what` (for messages), bounded by `settings.deadlineMs`. Past the
 * deadline the call rejects with `onDeadline()` if given, else DiscoveryLimitError (inside a
 * discovery) or DeadlineExceededError; requests still in flight are aborted and no new ones start.
 */
export async function runCall<T>(
  settings: CallSettings,
  what: string,
  task: (call: Call) => Promise<T>,
  onDeadline?: () => Error,
): Promise<T> {
  const progress = { scanned: 0 }
  let discoveries = 0
  const ms = settings.deadlineMs
  const expired = () =>
    onDeadline?.() ??
    (discoveries > 0
      ? new DiscoveryLimitError(
          `Account discovery stopped at the ${ms} ms deadline after ${progress.scanned} addresses: the server answers too slowly or reports more used addresses than a wallet has.`,
          {
            details: { limit: 'deadlineMs', deadlineMs: ms, scanned: progress.scanned },
          },
        )
      : new DeadlineExceededError(`${what} did not finish within ${ms} ms.`, { details: { deadlineMs: ms } }))
  return withDeadline(ms, expired, (signal) =>
    task({
      backend: boundBackend(settings.backend, signal),
      signal,
      limits: { gapLimit: settings.gapLimit, maxAddresses: settings.maxDiscoveryAddresses, signal, progress },
      async discovering(inner) {
        discoveries++
        try {
          return await inner()
        } finally {
          discoveries--
        }
      },
    }),
  )
}
