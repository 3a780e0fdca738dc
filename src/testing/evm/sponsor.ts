/**
 * A local ERC-4337 sponsor for `coffer/testing`: alto (./bundler.ts), the test token paymaster
 * (./paymaster.ts) and its service (./paymaster-service.ts) on a local chain.
 * @module
 */
import type { Address } from 'viem'
import { startBundler, type LocalBundler } from './bundler.js'
import { startLocalChain, type LocalChain as TestingChain } from './local-chain.js'
import { deployTokenPaymaster, type DeployedTokenPaymaster, type LocalChain } from './paymaster.js'
import { startPaymasterService, type PaymasterService } from './paymaster-service.js'

/**
 * A local ERC-4337 sponsor: alto, EntryPoint v0.8 and Simple7702Account v0.8, and the test token
 * paymaster with its ERC-7677 service quoting USDT. `stablecoinGas` is what `evm({ stablecoinGas })`
 * takes.
 */
export interface LocalSponsor {
  readonly bundler: LocalBundler
  readonly paymaster: DeployedTokenPaymaster
  readonly service: PaymasterService
  /** `evm({ …, stablecoinGas: sponsor.stablecoinGas })` */
  readonly stablecoinGas: { readonly bundlerUrl: string; readonly paymasterUrl: string; readonly paymaster: Address }
  /** Stops the service and alto (not the chain). */
  stop(): Promise<void>
}

/** Options of {@link startLocalSponsor}. */
export interface LocalSponsorOptions {
  /** USDT base units per 10^18 wei, default 3,000,000,000 (3,000 USDT per ETH). */
  readonly exchangeRate?: bigint
  /** Gas the paymaster's postOp charges on top, default 40,000. */
  readonly postOpGas?: bigint
}

/**
 * Starts a local ERC-4337 sponsor on a `startLocalChain` chain that has USDT: deploys EntryPoint
 * v0.8 and Simple7702Account v0.8 (from `@account-abstraction/contracts`), starts alto
 * (`@pimlico/alto`) on a free port, deploys the test token paymaster and starts its service. Both
 * packages are optional peer dependencies: install them as dev dependencies to use this.
 * @throws NotSupportedError when one is missing
 */
export async function startLocalSponsor(
  local: LocalChain & { readonly tokens: { readonly USDT: { readonly address: Address } } },
  options: LocalSponsorOptions = {},
): Promise<LocalSponsor> {
  const bundler = await startBundler(local)
  try {
    const paymaster = await deployTokenPaymaster(local)
    const service = await startPaymasterService({
      chain: local,
      paymaster,
      quotes: {
        [local.tokens.USDT.address]: { exchangeRate: options.exchangeRate ?? 3_000_000_000n, postOpGas: options.postOpGas ?? 40_000n },
      },
    })
    return {
      bundler,
      paymaster,
      service,
      stablecoinGas: { bundlerUrl: bundler.url, paymasterUrl: service.url, paymaster: paymaster.address },
      stop: async () => {
        await service.stop()
        await bundler.stop()
      },
    }
  } catch (error) {
    await bundler.stop()
    throw error
  }
}

/** A local chain with USDT and a sponsor on it (see {@link startLocalSponsor}). @internal */
export interface SponsoredChain extends LocalSponsor {
  readonly local: TestingChain<'USDT'>
}

/** Starts everything a stablecoin-gas test needs (stop it in afterAll: the sponsor, then the chain). @internal */
export async function startSponsoredChain(exchangeRate: bigint, postOpGas: bigint): Promise<SponsoredChain> {
  const local = await startLocalChain({ tokens: ['USDT'] })
  const sponsor = await startLocalSponsor(local, { exchangeRate, postOpGas })
  return {
    ...sponsor,
    local,
    stop: async () => {
      await sponsor.stop()
      await local.stop()
    },
  }
}
