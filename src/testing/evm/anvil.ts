/**
 * Starts anvil on a free loopback port under the process guard, and waits until it answers.
 * The one place coffer spawns anvil: `startLocalChain` and coffer's own test setup use it.
 * @module
 * @internal
 */
import { DeadlineExceededError, RpcError } from '../../core/errors.js'
import { freePort, startGuarded, type GuardedProcess } from '../process.js'
import { rpcCall } from '../rpc.js'
import { resolveAnvilBinary } from './anvil-binary.js'

/** The mnemonic of anvil's ten well-known development accounts (public; never hold real funds with it). */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

/** Options of {@link spawnAnvil}. */
export interface SpawnAnvilOptions {
  /** EIP-155 chain id, default 31337. */
  chainId?: number
  /** Mine each transaction as it arrives (default true); false starts anvil with `--no-mining`. */
  automine?: boolean
  /** Interval mining every N seconds (`--block-time`); automine is then off. */
  blockTime?: number
  /** The anvil binary; default: see resolveAnvilBinary. */
  anvilPath?: string
  /** How long anvil gets to answer, default 15,000 ms. */
  timeoutMs?: number
  /** Anything else for anvil's command line. */
  extraArgs?: readonly string[]
}

/** A running anvil. */
export interface AnvilProcess {
  readonly url: string
  readonly port: number
  readonly chainId: number
  readonly pid: number
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Starts anvil on 127.0.0.1 with {@link ANVIL_MNEMONIC}'s ten accounts (10,000 ETH each) and
 * resolves once `eth_chainId` answers with the chain id asked.
 * @throws NotSupportedError when no anvil binary is found
 * @throws RpcError when anvil exits or answers with another chain id
 * @throws DeadlineExceededError when it does not answer within `timeoutMs`
 */
export async function spawnAnvil(options: SpawnAnvilOptions = {}): Promise<AnvilProcess> {
  const { chainId = 31337, automine = true, blockTime, extraArgs = [], timeoutMs = 15_000 } = options
  const bin = resolveAnvilBinary(options.anvilPath)
  let lastError: unknown
  // The port is free when picked but could be taken before anvil binds it: try again then.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const args = [
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--chain-id',
      String(chainId),
      '--mnemonic',
      ANVIL_MNEMONIC,
      '--accounts',
      '10',
      '--balance',
      '10000',
      '--quiet',
    ]
    if (blockTime !== undefined) args.push('--block-time', String(blockTime))
    else if (!automine) args.push('--no-mining')
    args.push(...extraArgs)
    try {
      return await launch(bin, args, port, chainId, timeoutMs)
    } catch (error) {
      lastError = error
      if (!/address already in use|os error 98|EADDRINUSE/i.test(String((error as RpcError).details?.output ?? error))) break
    }
  }
  throw lastError
}

async function launch(bin: string, args: string[], port: number, chainId: number, timeoutMs: number): Promise<AnvilProcess> {
  let node: GuardedProcess
  try {
    node = await startGuarded(bin, args)
  } catch (cause) {
    throw new RpcError(`anvil could not be started: ${(cause as Error).message.slice(0, 300)}`, { details: { binary: bin }, cause })
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (node.exited()) {
      await node.stop()
      throw new RpcError(`anvil exited (${node.exitStatus()}) before it answered on ${url}.`, {
        details: { binary: bin, output: node.output().slice(-500) },
      })
    }
    try {
      const id = Number(await rpcCall<string>(url, 'eth_chainId', [], 2_000))
      if (id !== chainId) {
        await node.stop()
        throw new RpcError(`anvil answered chain id ${id}, not the ${chainId} it was started with.`, { details: { binary: bin } })
      }
      return { url, port, chainId, pid: node.pid, stop: node.stop }
    } catch (error) {
      if (error instanceof RpcError && /^anvil answered/.test(error.shortMessage)) throw error
      if (Date.now() > deadline) {
        await node.stop()
        throw new DeadlineExceededError(`anvil did not answer on ${url} within ${timeoutMs} ms.`, {
          details: { binary: bin, deadlineMs: timeoutMs, output: node.output().slice(-500) },
        })
      }
      await sleep(25)
    }
  }
}
