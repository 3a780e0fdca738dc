// Proves the EVM test infrastructure itself: the shared anvil of global setup,
// the Solidity fixtures, the anvil helpers and the failure proxy.
import { mnemonicToSeedSync } from '@scure/bip39'
import {
  createPublicClient,
  decodeFunctionResult,
  domainSeparator,
  encodeFunctionData,
  http,
  keccak256,
  multicall3Abi as viemMulticall3Abi,
  parseEther,
  toFunctionSelector,
  toHex,
  type Address,
  type Hex,
} from 'viem'
import { HDKey, hdKeyToAccount, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  ANVIL_ACCOUNTS,
  ANVIL_MNEMONIC,
  MULTICALL3_ADDRESS,
  RpcError,
  deployFixtures,
  fixtureAbis,
  fundedAccount,
  loadArtifacts,
  mine,
  mintTokens,
  rpc,
  sendFrom,
  setAutomine,
  setBalance,
  startAnvil,
  type Anvil,
} from './anvil.js'
import { startRpcProxy } from './rpc-proxy.js'

const shared = inject('anvil')
const { usdc, dai, usdt, reverting } = shared.fixtures
const client = createPublicClient({ transport: http(shared.url) })
const alice = ANVIL_ACCOUNTS[0]!.address

describe('shared anvil (global setup)', () => {
  it('answers with chain id 31337 and funds the well-known accounts', async () => {
    expect(shared.chainId).toBe(31337)
    expect(await rpc<Hex>(shared.url, 'eth_chainId')).toBe('0x7a69')
    expect(await client.getChainId()).toBe(31337)
    const accounts = await rpc<Address[]>(shared.url, 'eth_accounts')
    expect(accounts.map((a) => a.toLowerCase())).toEqual(ANVIL_ACCOUNTS.map((a) => a.address.toLowerCase()))
  })

  it("ANVIL_ACCOUNTS are m/44'/60'/0'/0/i of ANVIL_MNEMONIC", () => {
    const root = HDKey.fromMasterSeed(mnemonicToSeedSync(ANVIL_MNEMONIC))
    ANVIL_ACCOUNTS.forEach(({ address, privateKey }, i) => {
      expect(hdKeyToAccount(root, { addressIndex: i }).address).toBe(address)
      expect(privateKeyToAccount(privateKey).address).toBe(address)
    })
  })

  it('serves the fixtures at the addresses global setup provided', async () => {
    expect(shared.fixtures.multicall3).toBe(MULTICALL3_ADDRESS)
    const { contracts } = loadArtifacts()
    expect(await client.getCode({ address: MULTICALL3_ADDRESS })).toBe(contracts.Multicall3!.deployedBytecode)
    for (const t of [usdc, dai]) {
      const read = <F extends 'name' | 'symbol' | 'decimals'>(functionName: F) =>
        client.readContract({ address: t.address, abi: fixtureAbis.standardToken, functionName })
      expect([await read('name'), await read('symbol'), await read('decimals')]).toEqual([t.name, t.symbol, t.decimals])
    }
    expect([usdc.decimals, dai.decimals, usdt.decimals, reverting.decimals]).toEqual([6, 18, 6, 18])
    expect(await client.readContract({ address: usdt.address, abi: fixtureAbis.noReturnToken, functionName: 'symbol' })).toBe('USDT')
  })
})

describe('Multicall3 fixture', () => {
  it('has every function viem knows Multicall3 by', () => {
    const ours = new Set(fixtureAbis.multicall3.filter((x) => x.type === 'function').map((f) => toFunctionSelector(f)))
    for (const f of viemMulticall3Abi.filter((x) => x.type === 'function')) expect(ours.has(toFunctionSelector(f))).toBe(true)
  })

  it('returns balances through aggregate3, a reverting token not hiding the others', async () => {
    const holder = (await fundedAccount(shared.url, parseEther('1.5'))).address
    await mintTokens(shared.url, usdc.address, holder, 12_345_678n)
    await mintTokens(shared.url, usdt.address, holder, 42n)
    const results = await client.multicall({
      multicallAddress: MULTICALL3_ADDRESS,
      allowFailure: true,
      contracts: [
        { address: MULTICALL3_ADDRESS, abi: viemMulticall3Abi, functionName: 'getEthBalance', args: [holder] },
        { address: usdc.address, abi: fixtureAbis.standardToken, functionName: 'balanceOf', args: [holder] },
        { address: reverting.address, abi: fixtureAbis.revertingToken, functionName: 'balanceOf', args: [holder] },
        { address: usdt.address, abi: fixtureAbis.noReturnToken, functionName: 'balanceOf', args: [holder] },
      ],
    })
    expect(results[0]).toEqual({ status: 'success', result: parseEther('1.5') })
    expect(results[1]).toEqual({ status: 'success', result: 12_345_678n })
    expect(results[2]!.status).toBe('failure')
    expect(results[3]).toEqual({ status: 'success', result: 42n })
  })

  it('makes the whole aggregate3 revert when a call that may not fail does', async () => {
    const data = encodeFunctionData({
      abi: fixtureAbis.multicall3,
      functionName: 'aggregate3',
      args: [
        [
          {
            target: reverting.address,
            allowFailure: false,
            callData: '0x70a082310000000000000000000000000000000000000000000000000000000000000001',
          },
        ],
      ],
    })
    await expect(client.call({ to: MULTICALL3_ADDRESS, data })).rejects.toThrow(/Multicall3: call failed/)
  })
})

describe('StandardToken as USDC', () => {
  const read = <
    F extends
      | 'DOMAIN_SEPARATOR'
      | 'PERMIT_TYPEHASH'
      | 'TRANSFER_WITH_AUTHORIZATION_TYPEHASH'
      | 'RECEIVE_WITH_AUTHORIZATION_TYPEHASH'
      | 'CANCEL_AUTHORIZATION_TYPEHASH'
      | 'version',
  >(
    functionName: F,
  ) => client.readContract({ address: usdc.address, abi: fixtureAbis.standardToken, functionName })

  it('has the EIP-712 domain {USD Coin, 2, 31337, token} and USDC v2 typehashes', async () => {
    expect(await read('version')).toBe('2')
    expect(await read('DOMAIN_SEPARATOR')).toBe(
      domainSeparator({ domain: { name: 'USD Coin', version: '2', chainId: 31337, verifyingContract: usdc.address } }),
    )
    // The constants FiatTokenV2 publishes on Ethereum mainnet.
    expect(await read('PERMIT_TYPEHASH')).toBe('0x6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9')
    expect(await read('TRANSFER_WITH_AUTHORIZATION_TYPEHASH')).toBe('0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267')
    expect(await read('RECEIVE_WITH_AUTHORIZATION_TYPEHASH')).toBe('0xd099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8')
    expect(await read('CANCEL_AUTHORIZATION_TYPEHASH')).toBe('0x158b0a9edf7a828aad02f63cd515c68ef2f50ba807396f6d12842833a1597429')
  })

  it('accepts an EIP-2612 permit and an EIP-3009 transferWithAuthorization signed with viem', async () => {
    const owner = privateKeyToAccount((await fundedAccount(shared.url)).privateKey)
    const spender = ANVIL_ACCOUNTS[1]!.address
    const domain = { name: 'USD Coin', version: '2', chainId: 31337, verifyingContract: usdc.address } as const
    const abi = fixtureAbis.standardToken

    const permitSig = await owner.signTypedData({
      domain,
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: { owner: owner.address, spender, value: 1_000_000n, nonce: 0n, deadline: 2n ** 256n - 1n },
    })
    const p = splitSig(permitSig)
    await sendFrom(shared.url, {
      from: alice,
      to: usdc.address,
      data: encodeFunctionData({ abi, functionName: 'permit', args: [owner.address, spender, 1_000_000n, 2n ** 256n - 1n, p.v, p.r, p.s] }),
    })
    expect(await client.readContract({ address: usdc.address, abi, functionName: 'allowance', args: [owner.address, spender] })).toBe(
      1_000_000n,
    )
    expect(await client.readContract({ address: usdc.address, abi, functionName: 'nonces', args: [owner.address] })).toBe(1n)

    await mintTokens(shared.url, usdc.address, owner.address, 5_000_000n)
    const nonce = keccak256(toHex('infra-test-3009'))
    const auth = { from: owner.address, to: spender, value: 2_000_000n, validAfter: 0n, validBefore: 2n ** 48n, nonce }
    const authSig = splitSig(
      await owner.signTypedData({
        domain,
        types: {
          TransferWithAuthorization: [
            { name: 'from', type: 'address' },
            { name: 'to', type: 'address' },
            { name: 'value', type: 'uint256' },
            { name: 'validAfter', type: 'uint256' },
            { name: 'validBefore', type: 'uint256' },
            { name: 'nonce', type: 'bytes32' },
          ],
        },
        primaryType: 'TransferWithAuthorization',
        message: auth,
      }),
    )
    const args = [auth.from, auth.to, auth.value, auth.validAfter, auth.validBefore, auth.nonce, authSig.v, authSig.r, authSig.s] as const
    await sendFrom(shared.url, {
      from: alice,
      to: usdc.address,
      data: encodeFunctionData({ abi, functionName: 'transferWithAuthorization', args }),
    })
    expect(
      await client.readContract({ address: usdc.address, abi, functionName: 'authorizationState', args: [owner.address, nonce] }),
    ).toBe(true)
    expect(await client.readContract({ address: usdc.address, abi, functionName: 'balanceOf', args: [owner.address] })).toBe(3_000_000n)
    // Replaying it fails with USDC's message.
    await expect(
      client.call({ account: alice, to: usdc.address, data: encodeFunctionData({ abi, functionName: 'transferWithAuthorization', args }) }),
    ).rejects.toThrow(/authorization is used or canceled/)
  })

  it('returns true from transfer', async () => {
    await mintTokens(shared.url, usdc.address, alice, 10n)
    const data = encodeFunctionData({ abi: fixtureAbis.standardToken, functionName: 'transfer', args: [ANVIL_ACCOUNTS[2]!.address, 1n] })
    const { data: ret } = await client.call({ account: alice, to: usdc.address, data })
    expect(decodeFunctionResult({ abi: fixtureAbis.standardToken, functionName: 'transfer', data: ret! })).toBe(true)
  })
})

describe('NoReturnToken as USDT', () => {
  it('transfer returns no data yet succeeds', async () => {
    const from = privateKeyToAccount((await fundedAccount(shared.url)).privateKey).address
    await rpc(shared.url, 'anvil_impersonateAccount', [from])
    const to = ANVIL_ACCOUNTS[3]!.address
    await mintTokens(shared.url, usdt.address, from, 1_000n)
    const abi = fixtureAbis.noReturnToken
    const before = await client.readContract({ address: usdt.address, abi, functionName: 'balanceOf', args: [to] })
    const data = encodeFunctionData({ abi, functionName: 'transfer', args: [to, 250n] })

    const call = await rpc<Hex>(shared.url, 'eth_call', [{ from, to: usdt.address, data }, 'latest'])
    expect(call).toBe('0x')
    const receipt = await sendFrom(shared.url, { from, to: usdt.address, data })
    expect(receipt.status).toBe('0x1')
    expect(await client.readContract({ address: usdt.address, abi, functionName: 'balanceOf', args: [to] })).toBe(before + 250n)
    expect(await client.readContract({ address: usdt.address, abi, functionName: 'balanceOf', args: [from] })).toBe(750n)

    // Like Tether: non-zero -> non-zero approve reverts (with no reason), via 0 is fine.
    const approve = (v: bigint) => encodeFunctionData({ abi, functionName: 'approve', args: [to, v] })
    await sendFrom(shared.url, { from, to: usdt.address, data: approve(5n) })
    await expect(rpc(shared.url, 'eth_call', [{ from, to: usdt.address, data: approve(6n) }, 'latest'])).rejects.toThrow(RpcError)
    await sendFrom(shared.url, { from, to: usdt.address, data: approve(0n) })
    await sendFrom(shared.url, { from, to: usdt.address, data: approve(6n) })
    await rpc(shared.url, 'anvil_stopImpersonatingAccount', [from])
  })
})

describe('RevertingToken', () => {
  it('balanceOf reverts', async () => {
    await expect(
      client.readContract({ address: reverting.address, abi: fixtureAbis.revertingToken, functionName: 'balanceOf', args: [alice] }),
    ).rejects.toThrow(/balanceOf always reverts/)
    const data = encodeFunctionData({ abi: fixtureAbis.revertingToken, functionName: 'balanceOf', args: [alice] })
    const error = await rpc(shared.url, 'eth_call', [{ to: reverting.address, data }, 'latest']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RpcError)
    expect((error as RpcError).code).toBe(3) // execution reverted, revert data in .data
    expect(String((error as RpcError).data)).toMatch(/^0x08c379a0/) // Error(string)
    expect(await client.readContract({ address: reverting.address, abi: fixtureAbis.revertingToken, functionName: 'decimals' })).toBe(18)
  })
})

describe('rpc proxy', () => {
  const chainIdBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] })
  const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

  it('answers 429 with Retry-After, then forwards', async () => {
    const proxy = await startRpcProxy(shared.url, { failFirst: { status: 429, retryAfterSeconds: 2, count: 2 } })
    try {
      for (let i = 0; i < 2; i++) {
        const res = await post(proxy.url, chainIdBody)
        expect(res.status).toBe(429)
        expect(res.headers.get('retry-after')).toBe('2')
        await res.text()
      }
      const ok = await post(proxy.url, chainIdBody)
      expect(ok.status).toBe(200)
      expect(await ok.json()).toMatchObject({ result: '0x7a69' })
      expect(proxy.requests).toBe(3)
    } finally {
      await proxy.stop()
    }
  })

  it('503s without Retry-After when not asked for', async () => {
    const proxy = await startRpcProxy(shared.url, { failFirst: { status: 503, count: 1 } })
    try {
      const res = await post(proxy.url, chainIdBody)
      expect([res.status, res.headers.get('retry-after')]).toEqual([503, null])
      expect(await rpc(proxy.url, 'eth_chainId')).toBe('0x7a69')
    } finally {
      await proxy.stop()
    }
  })

  it('drops connections, then forwards', async () => {
    const proxy = await startRpcProxy(shared.url, { dropFirst: 2 })
    try {
      await expect(rpc(proxy.url, 'eth_chainId')).rejects.toThrow()
      await expect(rpc(proxy.url, 'eth_chainId')).rejects.toThrow()
      expect(await rpc(proxy.url, 'eth_chainId')).toBe('0x7a69')
      expect(proxy.requests).toBe(3)
    } finally {
      await proxy.stop()
    }
  })

  it('rewrites results (a node lying about its chain id)', async () => {
    const proxy = await startRpcProxy(shared.url, { rewrite: (method, result) => (method === 'eth_chainId' ? '0x1' : result) })
    try {
      const lying = createPublicClient({ transport: http(proxy.url) })
      expect(await lying.getChainId()).toBe(1)
      expect(await lying.getBalance({ address: MULTICALL3_ADDRESS })).toBe(await client.getBalance({ address: MULTICALL3_ADDRESS }))
    } finally {
      await proxy.stop()
    }
  })

  it('forwards JSON-RPC batches as one HTTP request and counts requests', async () => {
    const proxy = await startRpcProxy(shared.url, { delayMs: 20 })
    try {
      const batch = [
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
        { jsonrpc: '2.0', id: 2, method: 'eth_blockNumber', params: [] },
        { jsonrpc: '2.0', id: 'x', method: 'eth_getBalance', params: [alice, 'latest'] },
      ]
      const res = (await (await post(proxy.url, JSON.stringify(batch))).json()) as { id: unknown; result: unknown }[]
      expect(res.map((r) => r.id).sort()).toEqual([1, 2, 'x'].sort())
      expect(proxy.requests).toBe(1)
      expect(proxy.methods).toEqual(['eth_chainId', 'eth_blockNumber', 'eth_getBalance'])

      // viem's batching transport: three calls, one HTTP request.
      proxy.reset()
      const batching = createPublicClient({ transport: http(proxy.url, { batch: true }) })
      const [id, , balance] = await Promise.all([
        batching.getChainId(),
        batching.getBlockNumber(),
        batching.getBalance({ address: MULTICALL3_ADDRESS }),
      ])
      expect(id).toBe(31337)
      expect(typeof balance).toBe('bigint')
      expect(proxy.requests).toBe(1)
    } finally {
      await proxy.stop()
    }
  })
})

describe('startAnvil (own node)', () => {
  let node: Anvil
  beforeAll(async () => {
    node = await startAnvil({ chainId: 8453, automine: false })
  })
  afterAll(async () => {
    await node?.stop()
  })

  it('with automine off, leaves a sent tx pending until mine', async () => {
    expect(await rpc<Hex>(node.url, 'eth_chainId')).toBe(toHex(8453))
    expect(await rpc<boolean>(node.url, 'anvil_getAutomine')).toBe(false)
    const startBlock = BigInt(await rpc<Hex>(node.url, 'eth_blockNumber'))
    const hash = await rpc<Hex>(node.url, 'eth_sendTransaction', [
      { from: alice, to: ANVIL_ACCOUNTS[4]!.address, value: toHex(parseEther('1')) },
    ])
    await new Promise((r) => setTimeout(r, 200))
    expect(await rpc(node.url, 'eth_getTransactionReceipt', [hash])).toBeNull()
    expect(BigInt(await rpc<Hex>(node.url, 'eth_blockNumber'))).toBe(startBlock)
    await mine(node.url)
    const receipt = await rpc<{ status: Hex; blockNumber: Hex }>(node.url, 'eth_getTransactionReceipt', [hash])
    expect(receipt.status).toBe('0x1')
    expect(BigInt(receipt.blockNumber)).toBe(startBlock + 1n)
    await mine(node.url, 5)
    expect(BigInt(await rpc<Hex>(node.url, 'eth_blockNumber'))).toBe(startBlock + 6n)
  })

  it('deploys the fixtures at the same addresses as the shared node, automine off or not', async () => {
    await setBalance(node.url, ANVIL_ACCOUNTS[5]!.address, 7n)
    expect(await rpc<Hex>(node.url, 'eth_getBalance', [ANVIL_ACCOUNTS[5]!.address, 'latest'])).toBe('0x7')
    // Account 0 sent one tx above, so compare a fresh node instead.
    const fresh = await startAnvil({ automine: false })
    try {
      const f = await deployFixtures(fresh.url)
      expect([f.usdc.address, f.dai.address, f.usdt.address, f.reverting.address]).toEqual([
        usdc.address,
        dai.address,
        usdt.address,
        reverting.address,
      ])
      await setAutomine(fresh.url, true)
      expect(await rpc<boolean>(fresh.url, 'anvil_getAutomine')).toBe(true)
    } finally {
      await fresh.stop()
    }
    expect(() => process.kill(fresh.pid, 0)).toThrow()
  })
})

function splitSig(sig: Hex): { r: Hex; s: Hex; v: number } {
  return { r: `0x${sig.slice(2, 66)}`, s: `0x${sig.slice(66, 130)}`, v: parseInt(sig.slice(130, 132), 16) }
}
