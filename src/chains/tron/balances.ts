/**
 * Balances of many owners, TRX and TRC-20s, from TronGrid's `GET /v1/accounts/:address`: one
 * request per address answers its TRX `balance` (sun) and its `trc20` list
 * (`[{ "<contract>": "<decimal>" }]`), at most {@link TRON_READ_CONCURRENCY} requests at once.
 *
 * - An account that was never activated answers `data: []`: 0 TRX. It may still hold tokens (a
 *   TRC-20 transfer does not activate its recipient: a fresh deposit address holding USDT is the
 *   usual case), so each asked token of such an address is read by a constant `balanceOf` call
 *   (`/wallet/triggerconstantcontract`, `/walletsolidity/…` for the solidified state). A token absent
 *   from an activated account's `trc20` is 0 (TronGrid lists only non-zero holdings).
 * - `blockHeight` is the head block read just before the accounts: every amount was read at that
 *   block or a later one (TronGrid's account answers name no block).
 * - `confirmations` > 1: Tron has no "n blocks deep" read, only the solidified state (19 blocks
 *   behind the head, `TRON_SOLIDIFIED_CONFIRMATIONS`). The accounts are also read with
 *   `only_confirmed=true`, and the part of the amount not yet solidified is `pending` (negative
 *   while an outgoing payment is not yet solidified). So any depth above 1 means "solidified",
 *   stricter than asked, never looser.
 * - One address whose read fails (an HTTP error, a malformed answer) gives a `BalanceFailure` for
 *   each of its assets; the others are read all the same. An abort is thrown, not reported.
 * - Checked strictly: an answer for another address, a `balance` that is not a safe integer (above
 *   2^53 − 1 sun it cannot be exact) or a listed token whose value is not a decimal string is a
 *   `DataIntegrityError` failure (for the whole address, or for that token only).
 * @module
 * @internal
 */
import type { AssetId } from '../../core/caip.js'
import { CofferError, DataIntegrityError, InvalidAddressError, InvalidArgumentError, UnknownAssetError } from '../../core/errors.js'
import { isValidTronAddress } from '../../keys/address/tron.js'
import type { Balance } from '../adapter.js'
import type { TronCall, TronToken } from './context.js'
import { TRX_DECIMALS } from './networks.js'
import { readTrc20Balance } from './constant-call.js'
import { readTronLatestBlock } from './status.js'
import { base58Of, decimalOf, malformed, mapLimited, objectOf, TRON_READ_CONCURRENCY } from './v1.js'

/** What one account read found: sun, and each listed token's amount (or why it is unreadable). */
interface Holdings {
  /** False for an account never activated (`data: []`). */
  readonly exists: boolean
  readonly sun: bigint
  readonly tokens: ReadonlyMap<string, bigint | CofferError>
}

/**
 * One `/v1/accounts/:address` answer as holdings.
 * @throws RpcError (malformed), DataIntegrityError (another address, an inexact balance)
 */
export function holdingsOf(answer: unknown, address: string, path: string): Holdings {
  const o = objectOf(answer, path, 'the answer')
  if (o.success !== true) throw malformed(path, 'success is not true')
  if (!Array.isArray(o.data)) throw malformed(path, 'data is not an array')
  if (o.data.length === 0) return { exists: false, sun: 0n, tokens: new Map() }
  if (o.data.length > 1) throw new DataIntegrityError(`${path}: asked for one account, the server answered ${o.data.length}.`)
  const account = objectOf(o.data[0], path, 'data[0]')
  const named = base58Of(account.address)
  if (named !== address)
    throw new DataIntegrityError(`${path}: asked for ${address}, the server answered ${named ?? 'an unreadable address'}.`, {
      details: { expected: address, got: named ?? String(account.address).slice(0, 64) },
    })
  const balance = account.balance ?? 0 // java-tron omits a zero balance
  if (typeof balance !== 'number' || !Number.isSafeInteger(balance) || balance < 0)
    throw new DataIntegrityError(`${path}: the TRX balance of ${address} is not an exact amount of sun (${String(balance).slice(0, 40)}).`)
  const tokens = new Map<string, bigint | CofferError>()
  const list = account.trc20 ?? []
  if (!Array.isArray(list)) throw malformed(path, 'trc20 is not an array')
  for (const entry of list)
    for (const [key, value] of Object.entries(objectOf(entry, path, 'a trc20 entry'))) {
      const contract = base58Of(key)
      if (contract === undefined) continue // not a contract address: nothing this read can be asked for
      let amount: bigint | CofferError
      try {
        amount = decimalOf(value, path, `the ${contract} balance of ${address}`)
      } catch (error) {
        amount = error as CofferError
      }
      const seen = tokens.get(contract)
      if (seen !== undefined && (typeof seen !== 'bigint' || typeof amount !== 'bigint' || seen !== amount))
        amount = new DataIntegrityError(`${path}: ${contract} is listed twice for ${address} with different values.`)
      tokens.set(contract, amount)
    }
  return { exists: true, sun: BigInt(balance), tokens }
}

/** The amount of `token` (TRX when undefined) in `holdings`. */
function amountIn(holdings: Holdings, token: TronToken | undefined): bigint | CofferError {
  if (!token) return holdings.sun
  return holdings.tokens.get(token.contract) ?? 0n
}

/** Reads one account (and its solidified state when `deep`); an error as a value, except an abort. */
async function readAccount(
  call: TronCall,
  address: string,
  tokens: readonly TronToken[],
  deep: boolean,
): Promise<{ now: Holdings; solid?: Holdings } | CofferError> {
  const read = async (confirmed: boolean): Promise<Holdings> => {
    const path = `/v1/accounts/${address}`
    const answer = await call.client.get<unknown>(confirmed ? `${path}?only_confirmed=true` : path, { signal: call.signal })
    const holdings = holdingsOf(answer, address, confirmed ? `${path} (solidified)` : path)
    if (holdings.exists || tokens.length === 0) return holdings
    // Never activated, yet it may hold tokens: ask each contract.
    const amounts = new Map<string, bigint | CofferError>()
    await Promise.all(
      tokens.map(async (t) => {
        try {
          amounts.set(t.contract, await readTrc20Balance(call.client, t.contract, address, { solidified: confirmed, signal: call.signal }))
        } catch (error) {
          if (call.signal.aborted || !(error instanceof CofferError)) throw error
          amounts.set(t.contract, error)
        }
      }),
    )
    return { ...holdings, tokens: amounts }
  }
  try {
    const [now, solid] = await Promise.all([read(false), deep ? read(true) : undefined])
    return solid ? { now, solid } : { now }
  } catch (error) {
    if (call.signal.aborted) throw call.signal.reason
    if (error instanceof CofferError) return error
    throw error
  }
}

/**
 * One balance per address × asset, in that order (see the module doc).
 * @throws InvalidAddressError, InvalidArgumentError, UnknownAssetError (before any request);
 *   RpcError (the head block could not be read); the signal's reason on abort
 */
export async function readTronBalances(
  call: TronCall,
  addresses: readonly string[],
  assets: readonly AssetId[],
  confirmations: number,
): Promise<Balance[]> {
  if (!Number.isSafeInteger(confirmations) || confirmations < 0)
    throw new InvalidArgumentError('confirmations must be a non-negative integer.')
  for (const address of addresses)
    if (!isValidTronAddress(address))
      throw new InvalidAddressError(`${JSON.stringify(String(address).slice(0, 64))} is not a TRON address (base58check, starting with T).`)
  const tokens = assets.map((asset) => {
    if (asset === call.nativeAsset) return undefined
    const token = call.tokens.find((t) => t.asset === asset)
    if (!token)
      throw new UnknownAssetError(`This Tron adapter does not list ${asset}.`, {
        details: { known: call.tokens.map((t) => t.symbol).join(', ') },
      })
    return token
  })
  if (addresses.length === 0 || assets.length === 0) return []
  const deep = confirmations > 1
  const head = await readTronLatestBlock(call.client, call.signal)
  const unique = [...new Set(addresses)]
  const asked = [...new Set(tokens.filter((t): t is TronToken => t !== undefined))]
  const reads = await mapLimited(unique, TRON_READ_CONCURRENCY, (address) => readAccount(call, address, asked, deep))
  const byAddress = new Map(unique.map((address, i) => [address, reads[i]!]))
  return addresses.flatMap((address) => {
    const read = byAddress.get(address)!
    return assets.map((asset, a): Balance => {
      const token = tokens[a]
      const base = { address, asset, decimals: token ? token.decimals : TRX_DECIMALS, blockHeight: head.height }
      if (read instanceof CofferError) return { ok: false, ...base, error: read }
      const now = amountIn(read.now, token)
      if (typeof now !== 'bigint') return { ok: false, ...base, error: now }
      if (!read.solid) return { ok: true, ...base, amount: now }
      const solid = amountIn(read.solid, token)
      if (typeof solid !== 'bigint') return { ok: false, ...base, error: solid }
      return { ok: true, ...base, amount: now, pending: now - solid }
    })
  })
}
