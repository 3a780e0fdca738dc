/**
 * Payment extras a chain may not carry (a memo, Solana Pay references): an adapter that cannot
 * put them on chain refuses the request instead of dropping them silently.
 * @module
 * @internal
 */
import { NotSupportedError } from '../core/errors.js'
import type { TransferRequest } from './adapter.js'

/** Throws NotSupportedError when `request` has a memo or references; `title` names the chain family. */
export function refuseExtras(request: Partial<TransferRequest>, title: string): void {
  const extra = request.memo !== undefined ? 'a memo' : request.references !== undefined ? 'payment references' : undefined
  if (extra) throw new NotSupportedError(`${title} transfers cannot carry ${extra}; this request needs a chain that can (Solana Pay).`)
}
