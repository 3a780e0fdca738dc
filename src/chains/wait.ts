/**
 * Waiting for a transaction, the same way on every chain: poll its status until it has the
 * wanted confirmations, fails or is dropped, or the timeout passes.
 * @module
 * @internal
 */
import { assertOptions, isIntegerIn } from '../core/assert.js'
import { InvalidArgumentError, TransactionTimeoutError } from '../core/errors.js'
import type { TransactionStatus, WaitOptions } from './adapter.js'

/** Polls `read` per {@link WaitOptions}. @throws TransactionTimeoutError, InvalidArgumentError */
export async function waitUntil(
  read: () => Promise<TransactionStatus>,
  options: WaitOptions | undefined,
  blockTimeMs: number,
): Promise<TransactionStatus> {
  const opts = assertOptions(options)
  const confirmations = opts.confirmations ?? 1
  const timeoutMs = opts.timeoutMs ?? 120_000
  const interval = opts.pollIntervalMs ?? Math.round(Math.min(4_000, Math.max(100, blockTimeMs / 2)))
  for (const [name, value] of [
    ['confirmations', confirmations],
    ['timeoutMs', timeoutMs],
    ['pollIntervalMs', interval],
  ] as const) {
    if (!isIntegerIn(value, 1, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`${name} must be a positive integer.`)
  }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = await read()
    if (status.state === 'failed' || status.state === 'dropped') return status
    if (status.state === 'confirmed' && status.confirmations >= confirmations) return status
    if (Date.now() + interval > deadline) {
      throw new TransactionTimeoutError(
        `Transaction ${status.hash} has ${status.confirmations} of ${confirmations} confirmations after ${timeoutMs} ms; it may still confirm.`,
        {
          details: { hash: status.hash, state: status.state, confirmations: status.confirmations },
        },
      )
    }
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}
