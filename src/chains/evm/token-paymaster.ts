/**
 * A token paymaster service: the ERC-7677 paymaster API (`pm_getPaymasterStubData`,
 * `pm_getPaymasterData`, with `{ token }` as context) and the token quote of Pimlico's ERC-20
 * paymaster API (`pimlico_getTokenQuotes`: the paymaster, the exchange rate in token base units
 * per 10^18 wei, the gas its postOp adds). The service signs; the paymaster contract pays the gas
 * and takes the token in the same operation, at most what the account approved it.
 *
 * Nothing here is trusted with more than the approval: every answer is checked for shape and
 * bounds, the paymaster must be the one quoted (and the pinned one, when the adapter pins one),
 * and the fee coffer shows is computed by coffer from the gas limits and the rate
 * ({@link maxTokenFee}); the account approves exactly that, so a paymaster that charges more
 * gets nothing (its postOp fails and it pays the gas itself).
 * @module
 * @internal
 */
import { createClient, http, numberToHex, type Client, type Hex } from 'viem'
import { DataIntegrityError } from '../../core/errors.js'
import { isValidEvmAddress, toChecksumAddress } from '../../keys/address/evm.js'
import { rpc } from './client.js'
import { rpcUserOperation } from './bundler.js'
import type { UserOperation } from './user-operation.js'

/** A service's price for paying gas in one token. */
export interface TokenQuote {
  readonly paymaster: `0x${string}`
  readonly token: `0x${string}`
  /** Token base units per 10^18 wei. */
  readonly exchangeRate: bigint
  /** Gas the paymaster's postOp charges beyond the operation's own. */
  readonly postOpGas: bigint
}

/** The paymaster fields of an operation. */
export interface PaymasterFields {
  readonly paymaster: `0x${string}`
  readonly paymasterData: Hex
  readonly paymasterVerificationGasLimit: bigint
  readonly paymasterPostOpGasLimit: bigint
}

/** Where the service is. */
export interface PaymasterSettings {
  readonly url: string
  readonly timeoutMs: number
  readonly retryCount: number
  readonly fetch?: typeof fetch
}

/** The most gas a service may name for the paymaster's own steps. */
const MAX_PAYMASTER_GAS = 2_000_000n
/** No rate at or above 2^128 token units per 10^18 wei is a price. */
const MAX_RATE = 2n ** 128n

const bad = (what: string): never => {
  throw new DataIntegrityError(`The paymaster service answered ${what}.`)
}

function quantity(value: unknown, field: string, max: bigint): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) return bad(`a ${field} that is not a hex quantity`)
  const n = BigInt(value)
  if (n >= max) bad(`a ${field} of ${n} (above ${max - 1n})`)
  return n
}

function address(value: unknown, field: string): `0x${string}` {
  if (typeof value !== 'string' || !isValidEvmAddress(value)) return bad(`a ${field} that is not an address`)
  return toChecksumAddress(value)
}

/**
 * The most `op` can cost in the token: the EntryPoint's prefund (every gas limit at
 * `maxFeePerGas`) plus the paymaster's postOp gas, at the quoted rate, rounded up.
 */
export function maxTokenFee(op: UserOperation, quote: TokenQuote): { token: bigint; wei: bigint } {
  const gas =
    op.preVerificationGas +
    op.verificationGasLimit +
    op.callGasLimit +
    (op.paymasterVerificationGasLimit ?? 0n) +
    (op.paymasterPostOpGasLimit ?? 0n)
  const wei = gas * op.maxFeePerGas
  const scaled = (wei + quote.postOpGas * op.maxFeePerGas) * quote.exchangeRate
  return { token: (scaled + 10n ** 18n - 1n) / 10n ** 18n, wei }
}

/** A token paymaster service on one chain. */
export class TokenPaymasterClient {
  readonly #client: Client
  readonly #pinned: `0x${string}` | undefined

  /** `paymaster`: the only paymaster contract accepted from this service, when given. */
  constructor(settings: PaymasterSettings, paymaster?: `0x${string}`) {
    this.#client = createClient({
      transport: http(settings.url, {
        batch: false,
        timeout: settings.timeoutMs,
        retryCount: settings.retryCount,
        ...(settings.fetch ? { fetchFn: settings.fetch } : {}),
      }),
    })
    this.#pinned = paymaster
  }

  #call<T>(what: string, method: string, params: unknown[]): Promise<T> {
    return rpc(what, () => this.#client.request({ method, params } as never) as Promise<T>)
  }

  #checkPaymaster(value: unknown, expected?: `0x${string}`): `0x${string}` {
    const p = address(value, 'paymaster')
    const want = expected ?? this.#pinned
    if (want && p.toLowerCase() !== want.toLowerCase())
      throw new DataIntegrityError(`The paymaster service named paymaster ${p}, not ${want}; nothing was signed.`, {
        details: { expected: want },
      })
    return p
  }

  /** The service's price for `token`. @throws RpcError (no quote: the service does not take the token), DataIntegrityError */
  async tokenQuote(token: `0x${string}`, entryPoint: `0x${string}`, chainId: number): Promise<TokenQuote> {
    const answer = await this.#call<{ quotes?: unknown }>('Asking the paymaster for a token quote', 'pimlico_getTokenQuotes', [
      { tokens: [token] },
      entryPoint,
      numberToHex(chainId),
    ])
    const quotes = Array.isArray(answer?.quotes) ? (answer.quotes as Record<string, unknown>[]) : bad('no list of quotes')
    const q = quotes.find((x) => x && typeof x.token === 'string' && x.token.toLowerCase() === token.toLowerCase())
    if (!q) return bad(`no quote for ${token}`)
    const exchangeRate = quantity(q.exchangeRate, 'exchangeRate', MAX_RATE)
    if (exchangeRate === 0n) bad('an exchange rate of 0')
    return {
      paymaster: this.#checkPaymaster(q.paymaster),
      token: toChecksumAddress(token),
      exchangeRate,
      postOpGas: quantity(q.postOpGas, 'postOpGas', MAX_PAYMASTER_GAS),
    }
  }

  /** Placeholder paymaster fields for estimating gas (ERC-7677 `pm_getPaymasterStubData`). */
  async stubData(op: UserOperation, entryPoint: `0x${string}`, chainId: number, quote: TokenQuote): Promise<PaymasterFields> {
    const a = await this.#call<Record<string, unknown>>('Asking the paymaster for stub data', 'pm_getPaymasterStubData', [
      rpcUserOperation(op),
      entryPoint,
      numberToHex(chainId),
      { token: quote.token },
    ])
    if (!a || typeof a !== 'object') return bad('pm_getPaymasterStubData with nothing')
    return {
      paymaster: this.#checkPaymaster(a.paymaster, quote.paymaster),
      paymasterData:
        typeof a.paymasterData === 'string' && /^0x(?:[0-9a-fA-F]{2})*$/.test(a.paymasterData)
          ? (a.paymasterData as Hex)
          : bad('no paymasterData'),
      paymasterVerificationGasLimit: quantity(a.paymasterVerificationGasLimit, 'paymasterVerificationGasLimit', MAX_PAYMASTER_GAS),
      paymasterPostOpGasLimit: quantity(a.paymasterPostOpGasLimit, 'paymasterPostOpGasLimit', MAX_PAYMASTER_GAS),
    }
  }

  /**
   * The signed paymaster data for the final operation (ERC-7677 `pm_getPaymasterData`). Gas
   * limits the service sends back must equal the operation's: the fee was computed from those.
   */
  async data(op: UserOperation, entryPoint: `0x${string}`, chainId: number, quote: TokenQuote): Promise<Hex> {
    const a = await this.#call<Record<string, unknown>>('Asking the paymaster to sign', 'pm_getPaymasterData', [
      rpcUserOperation(op),
      entryPoint,
      numberToHex(chainId),
      { token: quote.token },
    ])
    if (!a || typeof a !== 'object') return bad('pm_getPaymasterData with nothing')
    this.#checkPaymaster(a.paymaster, quote.paymaster)
    for (const field of ['paymasterVerificationGasLimit', 'paymasterPostOpGasLimit'] as const) {
      if (a[field] !== undefined && quantity(a[field], field, MAX_PAYMASTER_GAS) !== op[field])
        bad(`a ${field} other than the one the fee was quoted with`)
    }
    if (typeof a.paymasterData !== 'string' || !/^0x(?:[0-9a-fA-F]{2})+$/.test(a.paymasterData)) return bad('no paymasterData')
    return a.paymasterData as Hex
  }
}
