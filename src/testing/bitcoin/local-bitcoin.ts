/**
 * `startLocalBitcoin`: a regtest Bitcoin backend for tests — the Esplora-shaped checking server
 * (./server.ts) on a free loopback port, with calls to fund addresses and mine blocks.
 *
 * bitcoinjs-lib (7+) and tiny-secp256k1 (2+), optional peer dependencies of coffer, are loaded
 * only when it is called.
 * @module
 */
import { assertInteger, assertOptions, describe } from '../../core/assert.js'
import type { AssetId, ChainId } from '../../core/caip.js'
import { BITCOIN_CHAINS } from '../../chains/bitcoin/networks.js'
import { InvalidAddressError, InvalidArgumentError, NotSupportedError, RpcError } from '../../core/errors.js'
import { isValidBitcoinAddress } from '../../keys/address/bitcoin.js'
import { toBaseUnits, type FundAmount } from '../amounts.js'
import { assertKnownKeys } from '../known-keys.js'
import type { EsploraServer } from './types.js'

/** Options of {@link startLocalBitcoin}. */
export interface StartLocalBitcoinOptions {
  /** Height of the chain's tip at start, default 100. */
  startHeight?: number
  /** The lowest fee rate (sat/vB) a broadcast must pay, default 1 (Bitcoin Core's default). */
  minRelayFeeRate?: number
}

/** An unspent output on the local chain. */
export interface LocalUtxo {
  readonly txid: string
  readonly vout: number
  /** Satoshis. */
  readonly value: bigint
  /** The output script, hex. */
  readonly scriptPubKey: string
  /** null for scripts with no address. */
  readonly address: string | null
  /** null while in the mempool. */
  readonly height: number | null
}

/** One broadcast the local chain received, accepted or refused. */
export interface LocalBroadcast {
  /** null when the body was not a transaction. */
  readonly txid: string | null
  readonly accepted: boolean
  /** Why it was refused, in Bitcoin Core's words (`dust: …`, `mandatory-script-verify-flag-failed …`). */
  readonly reason?: string
}

/** A running local Bitcoin regtest backend. Stop it when done. */
export interface LocalBitcoin {
  /** `http://127.0.0.1:<port>`: give it to `bitcoin({ network: 'regtest', esploraUrl })`. */
  readonly esploraUrl: string
  readonly network: 'regtest'
  /** CAIP-2 id of Bitcoin regtest. */
  readonly chainId: ChainId
  /** CAIP-19 id of regtest BTC. */
  readonly nativeAsset: AssetId
  /**
   * Pays `amount` (a decimal string of BTC, `'0.015'`, or a bigint of satoshis) to `address` in a
   * new funding transaction, confirmed in the tip block (default) or left in the mempool.
   * @throws InvalidAddressError, InvalidAmountError
   */
  fund(address: string, amount: FundAmount, options?: { confirmed?: boolean }): Promise<{ txid: string; vout: number }>
  /** Mines `blocks` blocks (default 1); the first confirms every mempool transaction. Returns their hashes. */
  mine(blocks?: number): Promise<string[]>
  /** Sets the fee rates served at /fee-estimates (confirmation target in blocks → sat/vB). */
  setFeeEstimates(estimates: Readonly<Record<string, number>>): void
  /** The tip's height and hash. */
  tip(): { readonly height: number; readonly hash: string }
  /** Unspent outputs (mempool ones included), of one address or all. */
  utxos(address?: string): LocalUtxo[]
  /** Every broadcast so far, in order. */
  broadcasts(): LocalBroadcast[]
  /** Stops the server; resolves once its port is closed. Safe to call twice. */
  stop(): Promise<void>
}

const PEERS = [
  { name: 'bitcoinjs-lib', load: () => import('bitcoinjs-lib') },
  { name: 'tiny-secp256k1', load: () => import('tiny-secp256k1') },
] as const
const INSTALL = 'npm install --save-dev bitcoinjs-lib@7 tiny-secp256k1@2'

/** Loads the server, after checking that its peer dependencies are there and recent enough. */
async function loadServer(): Promise<typeof import('./server.js')> {
  for (const peer of PEERS) {
    try {
      await peer.load()
    } catch (cause) {
      const missing = /Cannot find (module|package)|ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND/.test(
        String((cause as { code?: string }).code ?? '') + String(cause),
      )
      throw new NotSupportedError(
        missing
          ? `startLocalBitcoin needs the optional peer dependencies bitcoinjs-lib and tiny-secp256k1, and ${peer.name} is not installed: \`${INSTALL}\`.`
          : `startLocalBitcoin could not load ${peer.name}: ${(cause as Error).message?.slice(0, 200)}.`,
        { details: { package: peer.name }, cause },
      )
    }
  }
  const { Transaction } = await import('bitcoinjs-lib')
  try {
    new Transaction().addOutput(new Uint8Array([0x51]), 1n) // bitcoinjs-lib 7: Uint8Array scripts, bigint values
  } catch (cause) {
    throw new NotSupportedError(`startLocalBitcoin needs bitcoinjs-lib 7 or newer (bigint amounts): \`${INSTALL}\`.`, {
      details: { package: 'bitcoinjs-lib' },
      cause,
    })
  }
  return import('./server.js')
}

function checkEstimates(estimates: unknown): Record<string, number> {
  const map = assertOptions(estimates as object | undefined, 'setFeeEstimates: estimates') as Record<string, unknown>
  const out: Record<string, number> = {}
  for (const [target, rate] of Object.entries(map)) {
    if (!/^[1-9]\d{0,3}$/.test(target))
      throw new InvalidArgumentError(
        `setFeeEstimates: targets are block counts from 1 to 9999, got ${JSON.stringify(target.slice(0, 20))}.`,
      )
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0)
      throw new InvalidArgumentError(
        `setFeeEstimates: the rate for ${target} blocks must be a positive number of sat/vB, got ${typeof rate === 'number' ? rate : describe(rate)}.`,
      )
    out[target] = rate
  }
  return out
}

/**
 * Starts a local Bitcoin regtest backend: an Esplora-shaped HTTP server on 127.0.0.1 over an
 * in-memory chain, which accepts a transaction only after verifying every input's signature
 * with bitcoinjs-lib and tiny-secp256k1 and applying Bitcoin Core's mempool rules (dust, minimum
 * relay fee, BIP-125 replacement, lock times). It is not a Bitcoin node; see coffer/testing's
 * module documentation for what it does not check.
 *
 * @example
 * const node = await startLocalBitcoin()
 * const btc = bitcoin({ network: 'regtest', esploraUrl: node.esploraUrl })
 * await node.fund(address, '0.01')
 * await node.stop()
 * @throws NotSupportedError when bitcoinjs-lib or tiny-secp256k1 is missing (the message says what to install)
 * @throws InvalidArgumentError for bad options
 */
export async function startLocalBitcoin(options?: StartLocalBitcoinOptions): Promise<LocalBitcoin> {
  const opts = assertOptions(options, 'startLocalBitcoin options')
  assertKnownKeys(opts, ['startHeight', 'minRelayFeeRate'], 'startLocalBitcoin')
  const startHeight = opts.startHeight === undefined ? 100 : assertInteger(opts.startHeight, 'startHeight', 0, 100_000)
  const minRelayFeeRate = opts.minRelayFeeRate ?? 1
  if (typeof minRelayFeeRate !== 'number' || !Number.isFinite(minRelayFeeRate) || minRelayFeeRate < 0 || minRelayFeeRate > 10_000) {
    throw new InvalidArgumentError(
      `minRelayFeeRate must be a number of sat/vB from 0 to 10,000, got ${typeof minRelayFeeRate === 'number' ? minRelayFeeRate : describe(minRelayFeeRate)}.`,
    )
  }
  const { startEsplora } = await loadServer()
  const server: EsploraServer = await startEsplora({ network: 'regtest', startHeight, minRelayFeeRate })
  const chain = BITCOIN_CHAINS.regtest
  let stopped: Promise<void> | undefined
  const live = (): void => {
    if (stopped) throw new RpcError(`This local Bitcoin backend (${server.url}) was stopped; start another with startLocalBitcoin().`)
  }

  return Object.freeze({
    esploraUrl: server.url,
    network: 'regtest' as const,
    chainId: chain.caip2,
    nativeAsset: chain.nativeAsset,
    async fund(address: string, amount: FundAmount, fundOptions?: { confirmed?: boolean }) {
      live()
      if (!isValidBitcoinAddress(address, 'regtest')) {
        throw new InvalidAddressError(
          `fund: ${typeof address === 'string' ? JSON.stringify(address.slice(0, 100)) : describe(address)} is not a Bitcoin regtest address.`,
        )
      }
      const sats = toBaseUnits(amount, 8, 'fund: amount', 21_000_000n * 100_000_000n)
      if (sats === 0n) throw new InvalidArgumentError('fund: amount must be more than 0.')
      const confirmed = assertOptions(fundOptions, 'fund: options').confirmed ?? true
      if (typeof confirmed !== 'boolean')
        throw new InvalidArgumentError(`fund: confirmed must be true or false, got ${describe(confirmed)}.`)
      return server.fund(address, sats, { confirmed })
    },
    async mine(blocks: number = 1) {
      live()
      return server.mine(assertInteger(blocks, 'blocks', 1, 10_000))
    },
    setFeeEstimates(estimates: Readonly<Record<string, number>>) {
      live()
      server.setFeeEstimates(checkEstimates(estimates))
    },
    tip: () => ({ height: server.tipHeight, hash: server.tipHash }),
    utxos(address?: string) {
      if (address !== undefined && !isValidBitcoinAddress(address, 'regtest'))
        throw new InvalidAddressError('utxos: not a Bitcoin regtest address.')
      return server.utxos(address).map((u) => Object.freeze({ ...u }))
    },
    broadcasts: () =>
      server.broadcasts.map((b) =>
        Object.freeze({ txid: b.txid, accepted: b.accepted, ...(b.reason === undefined ? {} : { reason: b.reason }) }),
      ),
    stop: () => (stopped ??= server.stop()),
  })
}
