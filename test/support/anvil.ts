// Test helpers around anvil (Foundry's local EVM node): start/stop a node,
// deploy coffer's Solidity fixtures, and a few JSON-RPC one-liners.
//
// Spawning and deploying are coffer/testing's own code (src/testing/evm/): the binary
// is process.env.ANVIL_PATH if set, else the @foundry-rs/anvil-linux-amd64 package; the
// node runs under coffer/testing's watchdog and exit hooks. Multicall3 and the tokens
// are the bytecode coffer/testing ships (src/testing/evm/contracts.ts, generated with
// test/fixtures/evm/artifacts.json by scripts/build-fixtures.mjs); nothing here
// compiles Solidity.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, numberToHex, type Abi, type Address, type Hash, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { MULTICALL3_ADDRESS } from '../../src/chains/evm/networks.js'
import { spawnAnvil } from '../../src/testing/evm/anvil.js'
import { resolveAnvilBinary } from '../../src/testing/evm/anvil-binary.js'
import { noReturnToken, standardToken } from '../../src/testing/evm/contracts.js'
import { deployContract, placeMulticall3 } from '../../src/testing/evm/deploy.js'
import { multicall3Abi as multicall3FixtureAbi, noReturnTokenAbi, revertingTokenAbi, standardTokenAbi } from '../fixtures/evm/abis.js'

// ---------------------------------------------------------------- constants

export { ANVIL_MNEMONIC } from '../../src/testing/evm/anvil.js'

/** The first 10 accounts of ANVIL_MNEMONIC at m/44'/60'/0'/0/i, as anvil funds them. */
export const ANVIL_ACCOUNTS: readonly { readonly address: Address; readonly privateKey: Hex }[] = [
  {
    address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  },
  {
    address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    privateKey: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  },
  {
    address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    privateKey: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  },
  {
    address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
    privateKey: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  },
  {
    address: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
    privateKey: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  },
  {
    address: '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
    privateKey: '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  },
  {
    address: '0x976EA74026E726554dB657fA54763abd0C3a0aa9',
    privateKey: '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  },
  {
    address: '0x14dC79964da2C08b23698B3D3cc7Ca32193d9955',
    privateKey: '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  },
  {
    address: '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f',
    privateKey: '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  },
  {
    address: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
    privateKey: '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
  },
]

/** Where Multicall3 lives on (nearly) every EVM chain, and where deployFixtures puts it. */
export { MULTICALL3_ADDRESS }

// ---------------------------------------------------------------- JSON-RPC

export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${message} (code ${code})`)
    this.name = 'RpcError'
  }
}

let rpcId = 0

/** One JSON-RPC call over HTTP; throws RpcError on an error response. */
export async function rpc<T = unknown>(url: string, method: string, params: readonly unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
  })
  const text = await res.text()
  let body: { result?: unknown; error?: { code: number; message: string; data?: unknown } }
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    throw new Error(`${method}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`)
  }
  if (body.error) throw new RpcError(method, body.error.code, body.error.message, body.error.data)
  return body.result as T
}

/** Mines `blocks` blocks at once (anvil_mine). */
export async function mine(url: string, blocks = 1): Promise<void> {
  await rpc(url, 'anvil_mine', [numberToHex(blocks)])
}

/** Turns automine on or off (evm_setAutomine). */
export async function setAutomine(url: string, on: boolean): Promise<void> {
  await rpc(url, 'evm_setAutomine', [on])
}

/** Sets an address's ETH balance in wei (anvil_setBalance). */
export async function setBalance(url: string, address: Address, wei: bigint): Promise<void> {
  await rpc(url, 'anvil_setBalance', [address, numberToHex(wei)])
}

/** Takes a state snapshot (evm_snapshot); pass its id to revertTo. */
export async function snapshot(url: string): Promise<Hex> {
  return rpc<Hex>(url, 'evm_snapshot')
}

/** Reverts to a snapshot (evm_revert); the snapshot is used up. */
export async function revertTo(url: string, id: Hex): Promise<void> {
  const ok = await rpc<boolean>(url, 'evm_revert', [id])
  if (!ok) throw new Error(`evm_revert ${id} failed`)
}

export interface TxReceipt {
  transactionHash: Hash
  status: Hex
  blockNumber: Hex
  contractAddress: Address | null
  gasUsed: Hex
  [key: string]: unknown
}

/** Polls eth_getTransactionReceipt until the tx is mined (it never mines one). */
export async function waitForReceipt(url: string, hash: Hash, timeoutMs = 10_000): Promise<TxReceipt> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const receipt = await rpc<TxReceipt | null>(url, 'eth_getTransactionReceipt', [hash])
    if (receipt) return receipt
    if (Date.now() > deadline) throw new Error(`no receipt for ${hash} after ${timeoutMs} ms (automine off?)`)
    await sleep(20)
  }
}

/**
 * Sends a transaction from an account anvil has unlocked (any of ANVIL_ACCOUNTS,
 * or one made so with anvil_impersonateAccount), mines it if automine is off,
 * and returns the receipt; throws if it reverted. anvil picks the nonce, so
 * test files running in parallel may share a sender.
 */
export async function sendFrom(
  url: string,
  tx: { from: Address; to?: Address; data?: Hex; value?: bigint; gas?: bigint },
): Promise<TxReceipt> {
  const hash = await rpc<Hash>(url, 'eth_sendTransaction', [
    {
      from: tx.from,
      ...(tx.to ? { to: tx.to } : {}),
      ...(tx.data ? { data: tx.data } : {}),
      ...(tx.value !== undefined ? { value: numberToHex(tx.value) } : {}),
      ...(tx.gas !== undefined ? { gas: numberToHex(tx.gas) } : {}),
    },
  ])
  if (!(await rpc<boolean>(url, 'anvil_getAutomine'))) await mine(url)
  const receipt = await waitForReceipt(url, hash)
  if (receipt.status !== '0x1') throw new Error(`tx ${hash} reverted`)
  return receipt
}

/**
 * A fresh random account with `wei` ETH (default 100 ETH). Use it to send raw
 * signed transactions without racing other test files for a shared account's nonce.
 */
export async function fundedAccount(url: string, wei: bigint = 100n * 10n ** 18n): Promise<{ address: Address; privateKey: Hex }> {
  const privateKey = generatePrivateKey()
  const { address } = privateKeyToAccount(privateKey)
  await setBalance(url, address, wei)
  return { address, privateKey }
}

/** Mints `amount` base units of a fixture token (their mint is open) to `to`, sent from anvil account 0. */
export async function mintTokens(url: string, token: Address, to: Address, amount: bigint): Promise<void> {
  const data = encodeFunctionData({ abi: standardTokenAbi, functionName: 'mint', args: [to, amount] })
  await sendFrom(url, { from: ANVIL_ACCOUNTS[0]!.address, to: token, data })
}

// ---------------------------------------------------------------- anvil process

export interface Anvil {
  url: string
  port: number
  chainId: number
  pid: number
  stop(): Promise<void>
}

export interface StartAnvilOptions {
  /** Default 31337. */
  chainId?: number
  /** Mine each transaction as it arrives. Default true; false starts anvil with --no-mining. */
  automine?: boolean
  /** Interval mining every N seconds (--block-time); with it, automine is off. */
  blockTime?: number
  /** Anything else for anvil's command line. */
  extraArgs?: string[]
}

/** The anvil binary: $ANVIL_PATH, else the @foundry-rs/anvil-linux-amd64 package (coffer/testing's lookup). */
export function anvilBinary(): string {
  return resolveAnvilBinary()
}

/**
 * Starts anvil on a free 127.0.0.1 port with the standard test mnemonic
 * (10 accounts of 10,000 ETH) and resolves once eth_chainId answers. The spawn,
 * the watchdog and the exit hooks are coffer/testing's (src/testing/evm/anvil.ts).
 */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const { chainId = 31337, automine = true, blockTime, extraArgs = [] } = options
  const node = await spawnAnvil({ chainId, automine, extraArgs, ...(blockTime === undefined ? {} : { blockTime }) })
  return { url: node.url, port: node.port, chainId: node.chainId, pid: node.pid, stop: node.stop }
}

// ---------------------------------------------------------------- fixtures

export interface TokenFixture {
  address: Address
  name: string
  symbol: string
  decimals: number
}

/** Addresses of the deployed fixtures (plain data: safe to pass through vitest's provide/inject). */
export interface FixtureAddresses {
  /** Who deployed the tokens: ANVIL_ACCOUNTS[0]. */
  deployer: Address
  /** Multicall3, at MULTICALL3_ADDRESS. */
  multicall3: Address
  /** StandardToken("USD Coin", "USDC", 6, "2"): bool returns, EIP-2612, EIP-3009. */
  usdc: TokenFixture
  /** StandardToken("Dai Stablecoin", "DAI", 18, "1"). */
  dai: TokenFixture
  /** NoReturnToken("Tether USD", "USDT", 6): transfer/approve return nothing. */
  usdt: TokenFixture
  /** RevertingToken: 18 decimals, balanceOf always reverts. */
  reverting: TokenFixture
}

export const fixtureAbis = {
  multicall3: multicall3FixtureAbi,
  standardToken: standardTokenAbi,
  noReturnToken: noReturnTokenAbi,
  revertingToken: revertingTokenAbi,
} as const

export interface Fixtures extends FixtureAddresses {
  abis: typeof fixtureAbis
}

interface Artifact {
  abi: Abi
  bytecode: Hex
  deployedBytecode: Hex
}

let artifactsCache: { compiler: string; contracts: Record<string, Artifact> } | undefined

/** test/fixtures/evm/artifacts.json, read once. */
export function loadArtifacts(): { compiler: string; contracts: Record<string, Artifact> } {
  artifactsCache ??= JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/evm/artifacts.json', import.meta.url)), 'utf8')) as {
    compiler: string
    contracts: Record<string, Artifact>
  }
  return artifactsCache
}

function artifact(name: string): Artifact {
  const a = loadArtifacts().contracts[name]
  if (!a) throw new Error(`no artifact ${name} in test/fixtures/evm/artifacts.json (npm run fixtures:evm)`)
  return a
}

/**
 * Puts Multicall3 at its canonical address (anvil_setCode) and deploys the
 * USDC-, DAI-, USDT-like and reverting tokens from ANVIL_ACCOUNTS[0]. On a fresh
 * anvil the token addresses are always the same (deployer nonces 0..3).
 * Works with automine off too (it mines what it sends). Multicall3 and the
 * tokens come from the bytecode coffer/testing ships (src/testing/evm/contracts.ts);
 * only the reverting token, a test-only fixture, comes from artifacts.json.
 */
export async function deployFixtures(url: string): Promise<Fixtures> {
  const deployer = ANVIL_ACCOUNTS[0]!.address
  await placeMulticall3(url)
  // Sequential on purpose: fixed nonces give fixed addresses.
  const usdc = await deployToken(url, 'USD Coin', 'USDC', 6, 'StandardToken', '2')
  const dai = await deployToken(url, 'Dai Stablecoin', 'DAI', 18)
  const usdt = await deployToken(url, 'Tether USD', 'USDT', 6, 'NoReturnToken')
  const reverting: TokenFixture = {
    address: await deployContract(url, deployer, artifact('RevertingToken'), []),
    name: 'Reverting Token',
    symbol: 'REVERT',
    decimals: 18,
  }
  return { deployer, multicall3: MULTICALL3_ADDRESS, usdc, dai, usdt, reverting, abis: fixtureAbis }
}

/**
 * Deploys another token with the given metadata from ANVIL_ACCOUNTS[0]: a look-alike of a real
 * token, or an airdropped one nobody configured. `StandardToken` (bool returns, EIP-2612) by
 * default, or `NoReturnToken` (the fixture USDT's own code).
 */
export async function deployToken(
  url: string,
  name: string,
  symbol: string,
  decimals: number,
  contract: 'StandardToken' | 'NoReturnToken' = 'StandardToken',
  version = '1',
): Promise<TokenFixture> {
  const from = ANVIL_ACCOUNTS[0]!.address
  const address =
    contract === 'StandardToken'
      ? await deployContract(url, from, standardToken, [name, symbol, decimals, version])
      : await deployContract(url, from, noReturnToken, [name, symbol, decimals])
  return { address, name, symbol, decimals }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
