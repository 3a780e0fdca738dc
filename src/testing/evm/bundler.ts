/**
 * A real ERC-4337 bundler for tests: Pimlico's alto (`@pimlico/alto`, an optional peer dependency) against a
 * local anvil, with the EntryPoint v0.8 and Simple7702Account v0.8 of
 * `@account-abstraction/contracts` 0.8.0 (the npm artifacts, not recompiled).
 *
 * Simple7702Account goes through the deterministic CREATE2 deployer with salt 0, which is how it
 * reached its address on public chains (`KNOWN_DELEGATES`). It trusts the EntryPoint at
 * 0x4337084D…f108, whose vanity salt is not published: the EntryPoint is deployed through the
 * same deployer with eth-infinitism's published salt, and its runtime code is then copied to the
 * canonical address (`anvil_setCode`). Its immutables keep the first deployment's values: EIP-712
 * recomputes its domain for the new address, and the SenderCreator answers only the first
 * address, so account creation through `initCode` does not work here (7702 accounts need none).
 * alto runs with `--safe-mode false` (anvil has no ERC-7562 tracer); it deploys its own
 * simulation contract at start. It listens on a free port (alto has no host option: 0.0.0.0).
 * @module
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createPublicClient, createTestClient, createWalletClient, getContractAddress, http, type Chain, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { NotSupportedError } from '../../core/errors.js'
import { freePort, startGuarded, type GuardedProcess } from '../process.js'

const require = createRequire(import.meta.url)

/**
 * An optional peer dependency's file, or NotSupportedError saying what to install. Found by the
 * module search path (the package's `exports` may not list the file).
 */
function peerFile(pkg: string, file: string): string {
  for (const base of require.resolve.paths(pkg) ?? []) {
    const path = join(base, pkg, file)
    if (existsSync(join(base, pkg, 'package.json')) && existsSync(path)) return path
  }
  throw new NotSupportedError(`The local ERC-4337 sponsor needs ${pkg}: npm install -D ${pkg}`, { details: { package: pkg } })
}

/** An artifact of @account-abstraction/contracts (the npm package's compiled v0.8 contracts). */
const artifact = (name: string): { bytecode: Hex } =>
  require(peerFile('@account-abstraction/contracts', `artifacts/${name}.json`)) as { bytecode: Hex }

/** EntryPoint v0.8's address on public chains (what Simple7702Account v0.8 trusts). */
export const ENTRY_POINT_V08 = '0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108'
/** Simple7702Account v0.8 (KNOWN_DELEGATES). */
export const SIMPLE_7702_V08 = '0xe6Cae83BdE06E4c305530e199D7217f42808555B'
/** Arachnid's deterministic deployment proxy (predeployed on anvil). */
const CREATE2_DEPLOYER = '0x4e59b44847b379578588920ca78fbf26c0b4956c'
/** eth-infinitism's deployment salt (hardhat.config.ts, account-abstraction since v0.7). */
const EP_SALT = '0x90d8084deab30c2a37c45e8d47f49f2f7965183cb6990a98943ef94940681de3'
/** anvil's dev accounts 0, 8 and 9 (the `test … junk` phrase): setup, alto's executor and its utility account. */
const KEYS = {
  setup: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  executor: '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  utility: '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
} as const

/** The local chain to run on: a `coffer/testing` LocalChain (any tokens). */
type LocalChain = { readonly chain: Chain; readonly rpcUrl: string }

/** A running bundler. */
export interface LocalBundler {
  /** alto's JSON-RPC endpoint (`eth_sendUserOperation`, …). */
  readonly url: string
  readonly entryPoint: `0x${string}`
  stop(): Promise<void>
}

async function create2(chain: LocalChain, salt: Hex, bytecode: Hex): Promise<`0x${string}`> {
  const rpc = createPublicClient({ chain: chain.chain, transport: http(chain.rpcUrl) })
  const at = getContractAddress({ opcode: 'CREATE2', from: CREATE2_DEPLOYER, salt, bytecode })
  if ((await rpc.getCode({ address: at })) === undefined) {
    const wallet = createWalletClient({ account: privateKeyToAccount(KEYS.setup), chain: chain.chain, transport: http(chain.rpcUrl) })
    const hash = await wallet.sendTransaction({ to: CREATE2_DEPLOYER, data: `${salt}${bytecode.slice(2)}` as Hex, gas: 8_000_000n })
    const receipt = await rpc.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success' || !(await rpc.getCode({ address: at }))) throw new Error(`CREATE2 deployment to ${at} failed`)
  }
  return at
}

/** Deploys EntryPoint v0.8 (at its public address) and Simple7702Account v0.8 on `chain`. Idempotent. */
export async function deployAccountAbstraction(chain: LocalChain): Promise<void> {
  const rpc = createPublicClient({ chain: chain.chain, transport: http(chain.rpcUrl) })
  const simple = await create2(chain, `0x${'00'.repeat(32)}`, artifact('Simple7702Account').bytecode)
  if (simple.toLowerCase() !== SIMPLE_7702_V08.toLowerCase()) throw new Error(`Simple7702Account landed at ${simple}`)
  if ((await rpc.getCode({ address: ENTRY_POINT_V08 })) === undefined) {
    const deployed = await create2(chain, EP_SALT, artifact('EntryPoint').bytecode)
    const code = await rpc.getCode({ address: deployed })
    const test = createTestClient({ mode: 'anvil', chain: chain.chain, transport: http(chain.rpcUrl) })
    await test.setCode({ address: ENTRY_POINT_V08, bytecode: code as Hex })
  }
}

/** Deploys the contracts and starts alto on a free loopback port; resolves once it answers. */
export async function startBundler(chain: LocalChain): Promise<LocalBundler> {
  await deployAccountAbstraction(chain)
  const port = await freePort()
  const alto: GuardedProcess = await startGuarded(process.execPath, [
    peerFile('@pimlico/alto', 'esm/cli/alto.js'),
    '--entrypoints',
    ENTRY_POINT_V08,
    '--rpc-url',
    chain.rpcUrl,
    '--executor-private-keys',
    KEYS.executor,
    '--utility-private-key',
    KEYS.utility,
    '--safe-mode',
    'false',
    '--port',
    String(port),
    '--log-level',
    'warn',
  ])
  const url = `http://127.0.0.1:${port}/rpc`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (alto.exited()) throw new Error(`alto exited (${alto.exitStatus()}):\n${alto.output()}`)
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_supportedEntryPoints', params: [] }),
      })
      const body = (await response.json()) as { result?: string[] }
      if (body.result?.some((a) => a.toLowerCase() === ENTRY_POINT_V08.toLowerCase())) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await alto.stop()
      throw new Error(`alto did not answer within 60 s:\n${alto.output()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { url, entryPoint: ENTRY_POINT_V08, stop: () => alto.stop() }
}
