/**
 * coffer/testing's startLocalChain, as a user's test uses it: it starts anvil, deploys Multicall3
 * and the tokens, funds (read back through coffer's EVM adapter and through raw JSON-RPC), mines,
 * snapshots, and stops (the pid gone, the port free).
 */
import { createServer } from 'node:net'
import {
  decodeFunctionResult,
  domainSeparator,
  encodeFunctionData,
  erc20Abi,
  getContractAddress,
  parseAbi,
  type Address,
  type Hex,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evm, MULTICALL3_ADDRESS } from 'coffer/evm'
import { generateMnemonic } from 'coffer/keys'
import { RpcError, startLocalChain, type LocalChain } from 'coffer/testing'
import { Vault, memoryStorage } from 'coffer/vault'
import { multicall3 } from '../../src/testing/evm/contracts.js'
import { ANVIL_ACCOUNTS } from '../support/anvil.js'

let id = 0
/** One JSON-RPC call, by hand: an independent reading of what the node holds. */
async function raw<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
  })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result as T
}

async function rawTokenBalance(url: string, token: Address, owner: Address): Promise<bigint> {
  const data = encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
  return BigInt(await raw<Hex>(url, 'eth_call', [{ to: token, data }, 'latest']))
}

async function read<T>(url: string, to: Address, signature: string, args: unknown[] = []): Promise<T> {
  const abi = parseAbi([signature])
  const data = encodeFunctionData({ abi, args } as never)
  return decodeFunctionResult({ abi, data: await raw<Hex>(url, 'eth_call', [{ to, data }, 'latest']) } as never) as T
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

const BEEF = '0x000000000000000000000000000000000000bEEF'

describe('startLocalChain() with every token', () => {
  let local: LocalChain<'USDT' | 'USDC' | 'DAI'>
  beforeAll(async () => {
    local = await startLocalChain({ tokens: ['USDT', 'USDC', 'DAI'] })
  })
  afterAll(() => local.stop())

  it('listens on loopback with the chain id asked, and says so in CAIP-2 and as a viem Chain', async () => {
    expect(local.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await raw(local.rpcUrl, 'eth_chainId')).toBe('0x7a69')
    expect(local.chainId).toBe('eip155:31337')
    expect(local.chain.id).toBe(31337)
    expect(local.chain.contracts?.multicall3?.address).toBe(MULTICALL3_ADDRESS)
    expect(local.nativeAsset).toBe('eip155:31337/slip44:60')
    expect(pidAlive(local.pid)).toBe(true)
  })

  it('puts Multicall3 at its canonical address and deploys the three tokens with their metadata', async () => {
    expect(await raw(local.rpcUrl, 'eth_getCode', [MULTICALL3_ADDRESS, 'latest'])).toBe(multicall3.deployedBytecode)
    const expected = { USDT: ['Tether USD', 6], USDC: ['USD Coin', 6], DAI: ['Dai Stablecoin', 18] } as const
    for (const [symbol, [name, decimals]] of Object.entries(expected)) {
      const token = local.tokens[symbol as keyof typeof expected]
      expect(token).toEqual({
        address: token.address,
        symbol,
        name,
        decimals,
        assetId: `eip155:31337/erc20:${token.address.toLowerCase()}`,
        family: symbol,
      })
      expect(await read(local.rpcUrl, token.address, 'function symbol() view returns (string)')).toBe(symbol)
      expect(await read(local.rpcUrl, token.address, 'function name() view returns (string)')).toBe(name)
      expect(await read(local.rpcUrl, token.address, 'function decimals() view returns (uint8)')).toBe(decimals)
    }
    expect(local.adapterTokens).toEqual(
      ['USDT', 'USDC', 'DAI'].map((s) => {
        const t = local.tokens[s as 'USDT']
        return { address: t.address, symbol: t.symbol, name: t.name, decimals: t.decimals, family: t.family }
      }),
    )
  })

  it('deploys a USDT whose transfer returns nothing and a USDC with an EIP-2612 domain (version 2) and EIP-3009', async () => {
    await local.fund(BEEF, { eth: '1', USDT: '5', USDC: '5' })
    const transfer = encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [ANVIL_ACCOUNTS[1]!.address, 1n] })
    expect(await raw(local.rpcUrl, 'eth_call', [{ from: BEEF, to: local.tokens.USDT.address, data: transfer }, 'latest'])).toBe('0x')
    expect(
      BigInt(await raw<Hex>(local.rpcUrl, 'eth_call', [{ from: BEEF, to: local.tokens.USDC.address, data: transfer }, 'latest'])),
    ).toBe(1n)
    const usdc = local.tokens.USDC
    expect(await read(local.rpcUrl, usdc.address, 'function DOMAIN_SEPARATOR() view returns (bytes32)')).toBe(
      domainSeparator({ domain: { name: 'USD Coin', version: '2', chainId: 31337, verifyingContract: usdc.address } }),
    )
    expect(await read(local.rpcUrl, usdc.address, 'function TRANSFER_WITH_AUTHORIZATION_TYPEHASH() view returns (bytes32)')).toMatch(
      /^0x7c7c6cdb/,
    )
  })

  it('puts each token at the same address on every fresh chain, whichever others are deployed', async () => {
    const deployer = '0xc0Ffee000000000000000000000000000000C0DE'
    expect(local.tokens.USDT.address).toBe(getContractAddress({ from: deployer, nonce: 0n }))
    expect(local.tokens.USDC.address).toBe(getContractAddress({ from: deployer, nonce: 1n }))
    expect(local.tokens.DAI.address).toBe(getContractAddress({ from: deployer, nonce: 2n }))
    const only = await startLocalChain({ tokens: ['DAI'] })
    try {
      expect(Object.keys(only.tokens)).toEqual(['DAI'])
      expect(only.tokens.DAI.address).toBe(local.tokens.DAI.address)
    } finally {
      await only.stop()
    }
  })

  it("leaves anvil's development accounts alone: nonce 0 and 10,000 ETH each", async () => {
    for (const { address } of ANVIL_ACCOUNTS.slice(0, 3)) {
      expect(await raw(local.rpcUrl, 'eth_getTransactionCount', [address, 'latest'])).toBe('0x0')
      expect(BigInt(await raw<Hex>(local.rpcUrl, 'eth_getBalance', [address, 'latest']))).toBe(10_000n * 10n ** 18n)
    }
  })

  it('funds with decimal strings in whole units and bigints of base units, adding to what is there', async () => {
    const address = '0x1111111111111111111111111111111111111111'
    await local.fund(address, { eth: '1.5', USDT: '1000', USDC: 2_500_000n, DAI: '0.25' })
    await local.fund(address, { eth: 7n, USDT: '0.000001' })
    const adapter = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
    const byAsset = Object.fromEntries(
      (await adapter.getBalances({ addresses: [address] })).map((b) => [b.asset, b.ok ? b.amount : b.error]),
    )
    expect(byAsset).toEqual({
      [local.nativeAsset]: 1_500_000_000_000_000_007n,
      [local.tokens.USDT.assetId]: 1_000_000_001n,
      [local.tokens.USDC.assetId]: 2_500_000n,
      [local.tokens.DAI.assetId]: 250_000_000_000_000_000n,
    })
    expect(BigInt(await raw<Hex>(local.rpcUrl, 'eth_getBalance', [address, 'latest']))).toBe(1_500_000_000_000_000_007n)
    expect(await rawTokenBalance(local.rpcUrl, local.tokens.USDT.address, address)).toBe(1_000_000_001n)
    expect(await rawTokenBalance(local.rpcUrl, local.tokens.DAI.address, address)).toBe(250_000_000_000_000_000n)
  })

  it('mints tokens in a transaction, so the Transfer from the zero address is on chain like a real deposit', async () => {
    const to = '0x2222222222222222222222222222222222222222'
    const before = BigInt(await raw<Hex>(local.rpcUrl, 'eth_blockNumber'))
    await local.fund(to, { USDC: '3' })
    const logs = await raw<{ topics: Hex[]; data: Hex }[]>(local.rpcUrl, 'eth_getLogs', [
      { address: local.tokens.USDC.address, fromBlock: `0x${(before + 1n).toString(16)}`, toBlock: 'latest' },
    ])
    const TRANSFER = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef' // Transfer(address,address,uint256)
    const transfer = logs.find((l) => l.topics[0] === TRANSFER && l.topics[2]?.endsWith(to.slice(2).toLowerCase()))
    expect(transfer?.topics[1]).toBe(`0x${'0'.repeat(64)}`)
    expect(BigInt(transfer!.data)).toBe(3_000_000n)
  })

  it('funds concurrent calls for one address without losing any (ETH is read, then set)', async () => {
    const address = '0x3333333333333333333333333333333333333333'
    await Promise.all(Array.from({ length: 5 }, () => local.fund(address, { eth: '1' })))
    expect(BigInt(await raw<Hex>(local.rpcUrl, 'eth_getBalance', [address, 'latest']))).toBe(5n * 10n ** 18n)
  })

  it("sends a USDT transfer with coffer's adapter and a vault signer", async () => {
    const vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: { name: 'pbkdf2-sha256', iterations: 600_000 } })
    const { id: secretId } = await vault.addMnemonic({ mnemonic: generateMnemonic() })
    const alice = await vault.getSigner({ secretId, chain: 'evm', index: 0 })
    await local.fund(alice.address, { eth: '1', USDT: '100' })
    const adapter = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
    const quote = await adapter.quoteTransfer({ from: alice.address, to: BEEF, asset: local.tokens.USDT.assetId, amount: 40_000_000n })
    const hash = await adapter.sendTransfer(quote, alice)
    expect((await adapter.waitForTransaction(hash)).state).toBe('confirmed')
    expect(await rawTokenBalance(local.rpcUrl, local.tokens.USDT.address, alice.address as Address)).toBe(60_000_000n)
    vault.lock()
  })

  it('takes a snapshot and reverts to it; an id works once', async () => {
    const address = '0x4444444444444444444444444444444444444444'
    const snap = await local.snapshot()
    await local.fund(address, { eth: '2', DAI: '9' })
    expect(await rawTokenBalance(local.rpcUrl, local.tokens.DAI.address, address)).toBe(9n * 10n ** 18n)
    await local.revert(snap)
    expect(await rawTokenBalance(local.rpcUrl, local.tokens.DAI.address, address)).toBe(0n)
    expect(await raw(local.rpcUrl, 'eth_getBalance', [address, 'latest'])).toBe('0x0')
    await expect(local.revert(snap)).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      shortMessage: expect.stringMatching(/^No snapshot 0x\w+ on this local chain \(each id works once\)\.$/),
    })
  })
})

describe('startLocalChain() defaults, mining and stopping', () => {
  it('defaults to chain 31337 with USDT and USDC; mines on demand with automine off; stops for good', async () => {
    const local = await startLocalChain({ automine: false })
    const port = Number(new URL(local.rpcUrl).port)
    try {
      expect(Object.keys(local.tokens)).toEqual(['USDT', 'USDC'])
      expect(local.chainId).toBe('eip155:31337')
      expect(await raw(local.rpcUrl, 'anvil_getAutomine')).toBe(false)

      // fund mines its own mint, so the balance is there when it resolves
      await local.fund(BEEF, { USDT: '10' })
      expect(await rawTokenBalance(local.rpcUrl, local.tokens.USDT.address, BEEF)).toBe(10_000_000n)

      const height = BigInt(await raw<Hex>(local.rpcUrl, 'eth_blockNumber'))
      await raw(local.rpcUrl, 'eth_sendTransaction', [{ from: ANVIL_ACCOUNTS[0]!.address, to: BEEF, value: '0x1' }])
      expect(BigInt(await raw<Hex>(local.rpcUrl, 'eth_blockNumber'))).toBe(height)
      await local.mine()
      expect(BigInt(await raw<Hex>(local.rpcUrl, 'eth_blockNumber'))).toBe(height + 1n)
      expect(BigInt(await raw<Hex>(local.rpcUrl, 'eth_getBalance', [BEEF, 'latest']))).toBe(1n)
      await local.mine(5)
      expect(BigInt(await raw<Hex>(local.rpcUrl, 'eth_blockNumber'))).toBe(height + 6n)

      await local.setAutomine(true)
      const hash = await raw<Hex>(local.rpcUrl, 'eth_sendTransaction', [{ from: ANVIL_ACCOUNTS[0]!.address, to: BEEF, value: '0x1' }])
      let receipt: { blockNumber: Hex } | null = null
      for (let i = 0; i < 200 && !receipt; i++) {
        receipt = await raw<{ blockNumber: Hex } | null>(local.rpcUrl, 'eth_getTransactionReceipt', [hash])
        if (!receipt) await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(BigInt(receipt!.blockNumber)).toBe(height + 7n) // mined on arrival, no mine() needed
    } finally {
      await local.stop()
    }
    expect(pidAlive(local.pid)).toBe(false)
    expect(await portFree(port)).toBe(true)
    await expect(raw(local.rpcUrl, 'eth_chainId')).rejects.toThrow()
    await expect(local.fund(BEEF, { eth: '1' })).rejects.toBeInstanceOf(RpcError)
    await expect(local.mine()).rejects.toThrow(/was stopped; start another/)
    await local.stop() // twice is fine
  })

  it("runs any chain id, given as a number or as CAIP-2, and coffer's adapter reads it through `chain`", async () => {
    const local = await startLocalChain({ chainId: 'eip155:4242', tokens: ['USDC'] })
    try {
      expect(await raw(local.rpcUrl, 'eth_chainId')).toBe('0x1092')
      expect(local.chainId).toBe('eip155:4242')
      expect(local.tokens.USDC.assetId).toBe(`eip155:4242/erc20:${local.tokens.USDC.address.toLowerCase()}`)
      await local.fund(BEEF, { USDC: '12.5' })
      const adapter = evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
      expect(adapter.chainId).toBe('eip155:4242')
      const [usdc] = await adapter.getBalances({ addresses: [BEEF], assets: [local.tokens.USDC.assetId] })
      expect(usdc?.ok && usdc.amount).toBe(12_500_000n)
    } finally {
      await local.stop()
    }
    const numbered = await startLocalChain({ chainId: 777, tokens: [] })
    try {
      expect(await raw(numbered.rpcUrl, 'eth_chainId')).toBe('0x309')
      expect(numbered.tokens).toEqual({})
      expect(numbered.adapterTokens).toEqual([])
      expect(await raw(numbered.rpcUrl, 'eth_getCode', [MULTICALL3_ADDRESS, 'latest'])).toBe(multicall3.deployedBytecode)
    } finally {
      await numbered.stop()
    }
  })
})
