/**
 * java-tron's constant calls (`/wallet/triggerconstantcontract`, and its `/walletsolidity` twin
 * for the solidified state): a contract function run without a transaction, its output and the
 * energy it used. `energy_used` already includes the contract's dynamic-energy `energy_penalty`
 * (java-tron adds the penalty to the energy it reports; the penalty is also reported alone).
 * @module
 * @internal
 */
import { DataIntegrityError, RpcError } from '../../core/errors.js'
import { decodeUint256, encodeTrc20BalanceOf } from './abi.js'
import type { TronClient } from './client.js'

/** What a constant call answered. */
export interface ConstantAnswer {
  readonly reverted: boolean
  readonly energy: bigint
  readonly penalty: bigint
  readonly output: string
}

/** A constant call's answer: reverted or its output and energy. @throws RpcError (the node's error) */
export function constantOf(answer: unknown, path = '/wallet/triggerconstantcontract'): ConstantAnswer {
  const a = answer as {
    result?: { result?: unknown; code?: unknown; message?: unknown }
    energy_used?: unknown
    energy_penalty?: unknown
    constant_result?: unknown
    transaction?: { ret?: { ret?: unknown }[] }
  } | null
  if (a?.result?.result !== true)
    throw new RpcError(
      `${path}: the node could not run the call (${String(a?.result?.code ?? 'no result')}: ${String(a?.result?.message ?? '').slice(0, 200)}).`,
      {
        details: { method: path },
      },
    )
  const count = (v: unknown, what: string) => {
    if (v === undefined) return 0n
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new RpcError(`${path}: ${what} is not a non-negative integer.`, { details: { method: path } })
    return BigInt(v)
  }
  const reverted = a.transaction?.ret?.[0]?.ret === 'FAILED' || a.result.message !== undefined
  const results = a.constant_result
  const output = Array.isArray(results) && typeof results[0] === 'string' ? results[0] : ''
  return { reverted, energy: count(a.energy_used, 'energy_used'), penalty: count(a.energy_penalty, 'energy_penalty'), output }
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/**
 * `balanceOf(owner)` of a TRC-20, by a constant call from the contract itself (an account that
 * exists on any chain: the owner may be an address never activated); `solidified` reads the
 * solidified state. @throws RpcError; DataIntegrityError (the call reverted or answered no uint256)
 */
export async function readTrc20Balance(
  client: TronClient,
  contract: string,
  owner: string,
  options: { readonly solidified?: boolean; readonly signal?: AbortSignal } = {},
): Promise<bigint> {
  const path = `${options.solidified ? '/walletsolidity' : '/wallet'}/triggerconstantcontract`
  const answer = await client.post(
    path,
    {
      owner_address: contract,
      contract_address: contract,
      function_selector: 'balanceOf(address)',
      parameter: hex(encodeTrc20BalanceOf(owner).subarray(4)),
      visible: true,
    },
    { signal: options.signal },
  )
  const call = constantOf(answer, path)
  if (call.reverted) throw new DataIntegrityError(`${path}: balanceOf(${owner}) of ${contract} reverted.`)
  return decodeUint256(call.output)
}
