/**
 * Accounts a portfolio follows: CAIP-10 ids, `{ chainId, address }` or `{ chainId, descriptor }`,
 * checked against the adapter of their chain (addresses with its `isValidAddress`; descriptors
 * are passed through and checked by the adapter on first read).
 * @module
 * @internal
 */
import { describe } from '../core/assert.js'
import { parseAccountId, parseChainId, type ChainId } from '../core/caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import { InvalidAddressError, InvalidArgumentError } from '../core/errors.js'
import type { AccountInput, PortfolioAccount } from './types.js'

/** The adapters by chain id; two adapters for one chain are refused. */
export function adaptersByChain(adapters: unknown): Map<ChainId, ChainAdapter> {
  if (!Array.isArray(adapters) || adapters.length === 0)
    throw new InvalidArgumentError('adapters must be a non-empty array of chain adapters.')
  const byChain = new Map<ChainId, ChainAdapter>()
  for (const [i, adapter] of adapters.entries()) {
    const a = adapter as Partial<ChainAdapter> | null
    if (
      !a ||
      typeof a !== 'object' ||
      typeof a.chainId !== 'string' ||
      typeof a.getBalances !== 'function' ||
      typeof a.latestBlock !== 'function'
    ) {
      throw new InvalidArgumentError(`adapters[${i}] is not a chain adapter, got ${describe(adapter)}.`)
    }
    if (byChain.has(a.chainId))
      throw new InvalidArgumentError(`Two adapters serve ${a.chainId}; give one per chain (it fails over between RPC URLs itself).`)
    byChain.set(a.chainId, a as ChainAdapter)
  }
  return byChain
}

/** One account input, checked. @throws InvalidArgumentError, InvalidAddressError */
export function parseAccount(input: AccountInput, adapters: ReadonlyMap<ChainId, ChainAdapter>, name = 'account'): PortfolioAccount {
  let chainId: ChainId
  let address: string
  let label: string | undefined
  let descriptor = false
  if (typeof input === 'string') {
    ;({ chainId, address } = parseAccountId(input))
  } else if (input && typeof input === 'object') {
    const o = input as { chainId?: unknown; address?: unknown; descriptor?: unknown; label?: unknown }
    const { namespace, reference } = parseChainId(o.chainId as string)
    chainId = `${namespace}:${reference}`
    if (typeof o.address === 'string' && o.descriptor === undefined) address = o.address
    else if (typeof o.descriptor === 'string' && o.address === undefined && o.descriptor.length > 0 && o.descriptor.length <= 2_000) {
      address = o.descriptor
      descriptor = true
    } else throw new InvalidArgumentError(`${name} needs either address or descriptor (a string).`)
    if (o.label !== undefined) {
      if (typeof o.label !== 'string' || o.label.length > 100)
        throw new InvalidArgumentError(`${name}.label must be a string of at most 100 characters.`)
      label = o.label
    }
  } else {
    throw new InvalidArgumentError(`${name} must be a CAIP-10 id or { chainId, address }, got ${describe(input)}.`)
  }
  const adapter = adapters.get(chainId)
  if (!adapter) throw new InvalidArgumentError(`${name} is on ${chainId}, but no adapter serves that chain.`, { details: { chainId } })
  if (!descriptor && !adapter.isValidAddress(address)) {
    throw new InvalidAddressError(`${name}: ${JSON.stringify(address.slice(0, 100))} is not a valid address on ${chainId}.`, {
      details: { chainId },
    })
  }
  return Object.freeze({ chainId, address, ...(label === undefined ? {} : { label }) })
}

/** Every account input, checked, without duplicates (same chain and address, compared case-insensitively). */
export function parseAccounts(inputs: unknown, adapters: ReadonlyMap<ChainId, ChainAdapter>): PortfolioAccount[] {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new InvalidArgumentError('accounts must be a non-empty array.')
  const seen = new Set<string>()
  const accounts: PortfolioAccount[] = []
  for (const [i, input] of inputs.entries()) {
    const account = parseAccount(input as AccountInput, adapters, `accounts[${i}]`)
    const key = accountKey(account.chainId, account.address)
    if (seen.has(key)) continue
    seen.add(key)
    accounts.push(account)
  }
  return accounts
}

/** The key an account is known by inside the portfolio. */
function accountKey(chainId: ChainId, address: string): string {
  return `${chainId}|${address.toLowerCase()}`
}
