/**
 * Which EVM chain an adapter serves: from a CAIP-2 id (`eip155:137`) looked up in the
 * registry, or from a viem `Chain` for chains the registry does not know; and the check that
 * the node serves that chain before anything is signed for it ({@link ChainVerifier}).
 * @module
 * @internal
 */
import { defineChain, type Chain, type PublicClient } from 'viem'
import { describe, isIntegerIn } from '../../core/assert.js'
import { parseChainId, type AssetId, type ChainId } from '../../core/caip.js'
import { ChainMismatchError, InvalidArgumentError } from '../../core/errors.js'
import { rpc } from './client.js'
import { evmChainInfo, evmNativeAssetId } from './registry.js'

/** The canonical Multicall3 address (same on every chain it is deployed to). */
export const MULTICALL3_ADDRESS = '0xcA11bde05977b3631167028862bE2a173976CA11' as const

/** Everything an adapter needs to know about its chain. */
export interface EvmChain {
  readonly id: number
  readonly caip2: ChainId
  readonly name: string
  readonly nativeAsset: AssetId
  readonly native: { readonly symbol: string; readonly name: string; readonly decimals: number }
  /** True / false when known; undefined means: detect from the latest block. */
  readonly eip1559: boolean | undefined
  /** Where to look for Multicall3 (the canonical address unless configured); used optimistically, plain calls where it has no code. */
  readonly multicall3: `0x${string}` | undefined
  readonly blockTimeMs: number
  /** A test network (its coins have no market value). */
  readonly testnet: boolean
  readonly viem: Chain
}

/**
 * Resolves the `chain` option.
 * @throws InvalidCaipIdError for a chain id in the wrong form (`'31337'`, `31337`, `'eip155-1'`), with a suggestion;
 *   InvalidArgumentError for a non-EVM chain id, a chain the registry does not know, or anything else
 */
export function resolveChain(chain: unknown, rpcUrls: readonly string[], multicall: unknown): EvmChain {
  let id: number
  let viemChain: Chain | undefined
  if (typeof chain === 'string') {
    const { namespace, reference } = parseChainId(chain)
    // A plain decimal chain number: 'eip155:0x89', 'eip155:1e3' or 'eip155:01' name no chain.
    id = /^[1-9]\d{0,15}$/.test(reference) ? Number(reference) : Number.NaN
    if (namespace !== 'eip155' || !isIntegerIn(id, 1, Number.MAX_SAFE_INTEGER)) {
      const hint = /^\d{1,15}$/.test(reference) && Number(reference) > 0 ? `; did you mean eip155:${Number(reference)}?` : '.'
      throw new InvalidArgumentError(
        `The EVM adapter serves eip155 chains such as "eip155:1" (a positive chain number after "eip155:"), got "${chain}"${hint}`,
      )
    }
  } else if (chain && typeof chain === 'object' && Number.isSafeInteger((chain as Chain).id)) {
    viemChain = chain as Chain
    id = viemChain.id
  } else {
    // A bare chain number (31337, 31337n) is a chain id in the wrong form: the CAIP-2 parser says so and suggests eip155:<n>.
    if (typeof chain === 'number' || typeof chain === 'bigint') parseChainId(chain as never)
    throw new InvalidArgumentError(`chain must be a CAIP-2 id like "eip155:1" or a viem Chain, got ${describe(chain)}.`)
  }
  const info = evmChainInfo(id)
  if (!info && !viemChain) {
    throw new InvalidArgumentError(`coffer's registry does not know chain ${id}; pass a viem Chain (defineChain) for it.`, {
      details: { chainId: id },
    })
  }
  const native = viemChain?.nativeCurrency ?? info?.native ?? { symbol: 'ETH', name: 'Ether', decimals: 18 }
  const multicall3 =
    multicall === false
      ? undefined
      : typeof multicall === 'string'
        ? (multicall as `0x${string}`)
        : (viemChain?.contracts?.multicall3?.address ?? info?.multicall3 ?? MULTICALL3_ADDRESS)
  const viem =
    viemChain ??
    defineChain({
      id,
      name: info?.name ?? `EVM ${id}`,
      nativeCurrency: native,
      rpcUrls: { default: { http: [...rpcUrls] } },
    })
  return {
    id,
    caip2: `eip155:${id}`,
    name: info?.name ?? viem.name,
    nativeAsset: evmNativeAssetId(id),
    native: { symbol: native.symbol, name: native.name, decimals: native.decimals },
    eip1559: info?.eip1559,
    multicall3,
    blockTimeMs: info?.blockTimeMs ?? 2_000,
    testnet: info?.testnet ?? viemChain?.testnet ?? false,
    viem,
  }
}

/** Checks once that the node serves the configured chain (again after a failed or mismatched check). */
export class ChainVerifier {
  readonly #client: PublicClient
  readonly #chain: EvmChain
  #chainChecked: Promise<void> | undefined

  constructor(client: PublicClient, chain: EvmChain) {
    this.#client = client
    this.#chain = chain
  }

  /** Resolves once the node has reported the configured chain id. @throws ChainMismatchError, RpcError */
  verify(): Promise<void> {
    this.#chainChecked ??= rpc('Reading the chain id', () => this.#client.request({ method: 'eth_chainId' })).then(
      (hex) => {
        const reported = Number(BigInt(hex))
        if (reported !== this.#chain.id) {
          this.#chainChecked = undefined
          throw new ChainMismatchError(
            `The node reports chain ${reported}, but this adapter is for ${this.#chain.name} (${this.#chain.id}); refusing to sign for it.`,
            {
              details: { expected: this.#chain.id, reported },
            },
          )
        }
      },
      (error: unknown) => {
        this.#chainChecked = undefined
        throw error
      },
    )
    return this.#chainChecked
  }
}
