/**
 * Bitcoin balances of addresses and accounts at the tip: confirmed + mempool, with the part
 * fewer than `depth` blocks deep as `pending`. An account is discovered first (within its own
 * address budget); a source that fails reads as `ok: false` without failing the others.
 * @module
 * @internal
 */
import { NotSupportedError } from '../../core/errors.js'
import type { AssetId } from '../../core/caip.js'
import type { Balance } from '../adapter.js'
import type { Source } from './account.js'
import { rpc, type BackendUtxo } from './client.js'
import type { Call } from './call.js'
import { discover } from './discovery.js'

function sum(utxos: readonly BackendUtxo[]): bigint {
  return utxos.reduce((total, u) => total + u.value, 0n)
}

/** Reads the balances of `sources` in one call. @throws NotSupportedError when `blockHeight` is not the tip */
export async function readBalances(
  call: Call,
  sources: readonly Source[],
  asset: AssetId,
  depth: number,
  blockHeight: number | undefined,
): Promise<Balance[]> {
  const backend = call.backend
  const tip = await rpc('Reading the tip', () => backend.tip())
  if (blockHeight !== undefined && blockHeight !== tip.height) {
    throw new NotSupportedError(`Esplora reads balances at the tip (${tip.height}) only, not at block ${blockHeight}.`)
  }
  const deepEnough = (u: BackendUtxo) => u.confirmed && u.height !== undefined && tip.height - u.height + 1 >= depth
  return Promise.all(
    sources.map(async (source): Promise<Balance> => {
      try {
        let amount: bigint
        let pending: bigint
        if (source.kind === 'address') {
          const [stats, utxos] = await Promise.all([
            rpc(`Reading ${source.address}`, () => backend.addressStats(source.address)),
            depth > 1 ? rpc(`Reading UTXOs of ${source.address}`, () => backend.utxos(source.address)) : undefined,
          ])
          amount = stats.confirmed + stats.unconfirmed
          pending = utxos ? amount - sum(utxos.filter(deepEnough)) : stats.unconfirmed
        } else {
          // Each account gets its own address budget.
          const state = await call.discovering(() => discover(backend, source, { ...call.limits, progress: { scanned: 0 } }))
          amount = state.balance.confirmed + state.balance.unconfirmed
          pending = depth > 1 ? amount - sum(state.utxos.filter(deepEnough)) : state.balance.unconfirmed
        }
        return { ok: true, address: source.id, asset, amount, pending, decimals: 8, blockHeight: tip.height }
      } catch (error) {
        return { ok: false, address: source.id, asset, decimals: 8, blockHeight: tip.height, error: error as never }
      }
    }),
  )
}
