/**
 * The standard ERC-4337 bundler JSON-RPC (ERC-7769), so any bundler works:
 * `eth_estimateUserOperationGas`, `eth_sendUserOperation`, `eth_getUserOperationReceipt`. Reads
 * retry like the adapter's node reads; a send is one request, never retried by the transport
 * (the caller re-sends the same signed operation itself, see sponsored-send.ts).
 *
 * A bundler is a server coffer does not trust with money: what it says about gas is checked
 * against the caps the caller set; what it says about inclusion is checked against the node
 * (the EntryPoint's `UserOperationEvent` in the transaction's receipt).
 * @module
 * @internal
 */
import { createClient, http, numberToHex, type Client, type Hex } from 'viem'
import { DataIntegrityError } from '../../core/errors.js'
import { rpc } from './client.js'
import type { UserOperation } from './user-operation.js'

/** Gas limits a bundler estimated for an operation. */
export interface UserOperationGas {
  readonly preVerificationGas: bigint
  readonly verificationGasLimit: bigint
  readonly callGasLimit: bigint
  readonly paymasterVerificationGasLimit?: bigint
  readonly paymasterPostOpGasLimit?: bigint
}

/** What a bundler says about an included operation (checked against the node before use). */
export interface BundlerReceipt {
  readonly userOpHash: Hex
  readonly transactionHash: Hex
}

/** Where the bundler is and how long to wait for it. */
export interface BundlerSettings {
  readonly url: string
  readonly timeoutMs: number
  readonly retryCount: number
  readonly fetch?: typeof fetch
}

/** Gas limits the most a bundler may ask for (a lying or broken one cannot make the fee absurd). */
const MAX_GAS = 30_000_000n

/** The operation in JSON-RPC form: hex quantities, optional fields left out. */
export function rpcUserOperation(op: UserOperation): Record<string, unknown> {
  const q = (n: bigint | undefined) => (n === undefined ? undefined : numberToHex(n))
  const out: Record<string, unknown> = {
    sender: op.sender,
    nonce: q(op.nonce),
    factory: op.factory === undefined ? undefined : /^0x7702/i.test(op.factory) ? '0x7702' : op.factory,
    factoryData: op.factory === undefined ? undefined : (op.factoryData ?? '0x'),
    callData: op.callData,
    callGasLimit: q(op.callGasLimit),
    verificationGasLimit: q(op.verificationGasLimit),
    preVerificationGas: q(op.preVerificationGas),
    maxFeePerGas: q(op.maxFeePerGas),
    maxPriorityFeePerGas: q(op.maxPriorityFeePerGas),
    paymaster: op.paymaster,
    paymasterVerificationGasLimit: op.paymaster ? q(op.paymasterVerificationGasLimit ?? 0n) : undefined,
    paymasterPostOpGasLimit: op.paymaster ? q(op.paymasterPostOpGasLimit ?? 0n) : undefined,
    paymasterData: op.paymaster ? (op.paymasterData ?? '0x') : undefined,
    signature: op.signature ?? '0x',
    eip7702Auth: op.eip7702Auth
      ? {
          chainId: numberToHex(op.eip7702Auth.chainId),
          address: op.eip7702Auth.address,
          nonce: numberToHex(op.eip7702Auth.nonce),
          yParity: numberToHex(op.eip7702Auth.yParity),
          r: op.eip7702Auth.r,
          s: op.eip7702Auth.s,
        }
      : undefined,
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined))
}

/** A hex quantity the bundler answered, within `max`. @throws DataIntegrityError */
function gasField(value: unknown, field: string, optional: boolean): bigint | undefined {
  if (value === undefined || value === null) {
    if (optional) return undefined
    throw new DataIntegrityError(`The bundler's gas estimate has no ${field}.`)
  }
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,16}$/.test(value) || BigInt(value) > MAX_GAS)
    throw new DataIntegrityError(`The bundler's gas estimate has a ${field} that is not a gas amount up to ${MAX_GAS}.`)
  return BigInt(value)
}

/** One bundler endpoint. */
export class BundlerClient {
  readonly #reads: Client
  readonly #sends: Client

  constructor(settings: BundlerSettings) {
    const transport = (retryCount: number) =>
      http(settings.url, {
        batch: false,
        timeout: settings.timeoutMs,
        retryCount,
        ...(settings.fetch ? { fetchFn: settings.fetch } : {}),
      })
    this.#reads = createClient({ transport: transport(settings.retryCount) })
    this.#sends = createClient({ transport: transport(0) })
  }

  #read<T>(what: string, method: string, params: unknown[]): Promise<T> {
    return rpc(what, () => this.#reads.request({ method, params } as never) as Promise<T>)
  }

  /** Gas limits for `op` (with stub signatures). @throws RpcError (the bundler refused: the message says why), DataIntegrityError */
  async estimateUserOperationGas(op: UserOperation, entryPoint: `0x${string}`): Promise<UserOperationGas> {
    const answer = await this.#read<Record<string, unknown> | null>('Estimating the operation’s gas', 'eth_estimateUserOperationGas', [
      rpcUserOperation(op),
      entryPoint,
    ])
    if (!answer || typeof answer !== 'object')
      throw new DataIntegrityError('The bundler answered eth_estimateUserOperationGas with no estimate.')
    const pmv = gasField(answer.paymasterVerificationGasLimit, 'paymasterVerificationGasLimit', true)
    const pmp = gasField(answer.paymasterPostOpGasLimit, 'paymasterPostOpGasLimit', true)
    return {
      preVerificationGas: gasField(answer.preVerificationGas, 'preVerificationGas', false) as bigint,
      verificationGasLimit: gasField(answer.verificationGasLimit, 'verificationGasLimit', false) as bigint,
      callGasLimit: gasField(answer.callGasLimit, 'callGasLimit', false) as bigint,
      ...(pmv === undefined ? {} : { paymasterVerificationGasLimit: pmv }),
      ...(pmp === undefined ? {} : { paymasterPostOpGasLimit: pmp }),
    }
  }

  /**
   * Sends a signed operation: one request, no retry. Resolves with the hash the bundler names
   * (the caller compares it with its own); rejects with viem's error, for the caller to read
   * (see {@link sendAnswer} in client.ts for the same idea on transactions).
   */
  async sendUserOperation(op: UserOperation, entryPoint: `0x${string}`): Promise<unknown> {
    return this.#sends.request({ method: 'eth_sendUserOperation', params: [rpcUserOperation(op), entryPoint] } as never)
  }

  /** The bundler's receipt of `hash`, or null (not included, or it does not know). @throws RpcError, DataIntegrityError */
  async receipt(hash: Hex): Promise<BundlerReceipt | null> {
    const answer = await this.#read<Record<string, unknown> | null>('Reading the operation’s receipt', 'eth_getUserOperationReceipt', [
      hash,
    ])
    if (answer === null || answer === undefined) return null
    const tx = (answer.receipt as { transactionHash?: unknown } | undefined)?.transactionHash
    if (
      typeof answer !== 'object' ||
      typeof answer.userOpHash !== 'string' ||
      answer.userOpHash.toLowerCase() !== hash.toLowerCase() ||
      typeof tx !== 'string' ||
      !/^0x[0-9a-fA-F]{64}$/.test(tx)
    )
      throw new DataIntegrityError(`The bundler answered the receipt of operation ${hash} with something else.`, { details: { hash } })
    return { userOpHash: hash, transactionHash: tx as Hex }
  }
}
