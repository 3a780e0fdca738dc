/**
 * Payment extras a chain may not carry (a memo, Solana Pay references, the fee paid in a
 * stablecoin): an adapter that cannot put them on chain refuses the request instead of dropping
 * them silently.
 * @module
 * @internal
 */
import { assertOneOf } from '../core/assert.js'
import { NotSupportedError } from '../core/errors.js'
import type { TransferRequest } from './adapter.js'

/**
 * Throws NotSupportedError when `request` has a memo or references, or asks for the fee in a
 * stablecoin (`'auto'` falls back to the native coin); `title` names the chain family.
 * @throws NotSupportedError; InvalidArgumentError for a `gas` that is none of the three
 */
export function refuseExtras(request: Partial<TransferRequest>, title: string): void {
  const extra = request.memo !== undefined ? 'a memo' : request.references !== undefined ? 'payment references' : undefined
  if (extra) throw new NotSupportedError(`${title} transfers cannot carry ${extra}; this request needs a chain that can (Solana Pay).`)
  refuseStablecoinGas(request, title)
}

/**
 * Throws NotSupportedError for `gas: 'stablecoin'` on a chain that pays fees only in its coin
 * (`'auto'` means the coin there), and for a batch of payments. @throws NotSupportedError; InvalidArgumentError for another value
 */
export function refuseStablecoinGas(request: Partial<TransferRequest>, title: string): void {
  if (request.gas !== undefined) assertOneOf(request.gas, 'gas', ['native', 'stablecoin', 'auto'])
  if (request.payments !== undefined)
    throw new NotSupportedError(`${title} transfers here pay one recipient; a batch of payments needs an EVM adapter with stablecoinGas.`)
  if (request.gas === 'stablecoin')
    throw new NotSupportedError(`${title} transfers here cannot pay the fee in a stablecoin (an EVM adapter with stablecoinGas can).`)
}
