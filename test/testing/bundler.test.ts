/**
 * The bundler harness (test/support/bundler.ts) works end to end: alto accepts a UserOperation
 * v0.8 from an EOA that a coffer signer delegated to Simple7702Account (signDelegation), signed
 * by the same coffer signer (signUserOperation), and the EntryPoint executes it:
 * two USDT payments land, the EntryPoint's nonce of the operation's key moves past it, and the account
 * paid exactly the operation's actual gas cost in ETH (prefund minus the deposit left at the
 * EntryPoint; no paymaster yet).
 */
import { createBundlerClient, formatUserOperationRequest, toSimple7702SmartAccount } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'
import { createPublicClient, encodeFunctionData, erc20Abi, http, parseAbi, type PrivateKeyAccount } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { delegationOf, evm, signDelegation, signUserOperation, toViemAccount, type UserOperation } from 'coffer/evm'
import { evmSigner, generateMnemonic, mnemonicToSeed, type SeedSigner } from 'coffer/keys'
import { startLocalChain, type LocalChain } from 'coffer/testing'
import { ENTRY_POINT_V08, SIMPLE_7702_V08, startBundler, type LocalBundler } from '../../src/testing/evm/bundler.js'

describe('bundler harness: alto on anvil', () => {
  let local: LocalChain<'USDT'>
  let bundler: LocalBundler
  beforeAll(async () => {
    local = await startLocalChain({ tokens: ['USDT'] })
    bundler = await startBundler(local)
  }, 120_000)
  afterAll(async () => {
    await bundler?.stop()
    await local?.stop()
  })

  it('uses anvil dev accounts 8 and 9 for alto (keys match the test phrase)', async () => {
    const seed = await mnemonicToSeed('test test test test test test test test test test test junk')
    for (const [index, key] of [
      [8, '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97'],
      [9, '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6'],
    ] as const) {
      expect(evmSigner(seed, { index }).address).toBe(privateKeyToAccount(key).address)
    }
  })

  it('a coffer-delegated EOA sends a UserOperation through alto: two USDT payments, its EntryPoint nonce used once', async () => {
    const signer: SeedSigner = evmSigner(await mnemonicToSeed(generateMnemonic()))
    const owner = signer.address as `0x${string}`
    await local.fund(owner, { eth: '1', USDT: '50' })
    const rpc = createPublicClient({ chain: local.chain, transport: http(local.rpcUrl) })
    const adapter = evm({ chain: local.chainId, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
    const block = await rpc.getBlock()
    const delegation = await signDelegation(signer, {
      chainId: local.chain.id,
      nonce: await rpc.getTransactionCount({ address: owner, blockTag: 'pending' }),
      delegate: SIMPLE_7702_V08,
      maxFeePerGas: (block.baseFeePerGas ?? 1n) * 2n + 1_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    })
    expect((await adapter.waitForTransaction(await adapter.broadcast(delegation))).state).toBe('confirmed')
    expect(delegationOf((await rpc.getCode({ address: owner })) ?? '0x')).toBe(SIMPLE_7702_V08)

    // viem's Simple7702 account builds the call data and asks alto for gas (prepareUserOperation);
    // coffer checks and signs the operation (signUserOperation); it goes out as alto's raw
    // eth_sendUserOperation, so what was signed is what is sent.
    const account = await toSimple7702SmartAccount({ client: rpc, owner: toViemAccount(signer) as unknown as PrivateKeyAccount })
    expect(account.address).toBe(owner)
    const bundlerClient = createBundlerClient({ client: rpc, transport: http(bundler.url) })
    const usdt = local.tokens.USDT.address
    const [alice, bob] = ['0x000000000000000000000000000000000000a11c', '0x0000000000000000000000000000000000000b0b'] as const
    // The EntryPoint's nonce of a key: its high 192 bits are the key, the low 64 the sequence.
    const nonceOf = (key: bigint) =>
      rpc.readContract({
        address: ENTRY_POINT_V08,
        abi: parseAbi(['function getNonce(address sender, uint192 key) view returns (uint256)']),
        functionName: 'getNonce',
        args: [owner, key],
      })
    const eth = await rpc.getBalance({ address: owner })
    const { account: _account, ...prepared } = await bundlerClient.prepareUserOperation({
      account,
      calls: [
        { to: usdt, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [alice, 10_000_000n] }) },
        { to: usdt, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [bob, 5_000_000n] }) },
      ],
    })
    const userOperation = prepared as unknown as UserOperation
    const signed = await signUserOperation(signer, userOperation, { chainId: local.chain.id, entryPoint: ENTRY_POINT_V08 })
    const hash = (await bundlerClient.request({
      method: 'eth_sendUserOperation',
      params: [formatUserOperationRequest({ ...prepared, signature: signed.signature }), ENTRY_POINT_V08],
    })) as `0x${string}`
    expect(hash).toBe(signed.digest) // the bundler's userOpHash is the digest coffer signed
    const receipt = await bundlerClient.waitForUserOperationReceipt({ hash, timeout: 30_000 })
    expect(receipt.success).toBe(true)
    const balance = (who: `0x${string}`) => rpc.readContract({ address: usdt, abi: erc20Abi, functionName: 'balanceOf', args: [who] })
    expect([await balance(alice), await balance(bob), await balance(owner)]).toEqual([10_000_000n, 5_000_000n, 35_000_000n])
    // The operation used its nonce once: the EntryPoint's sequence for that key is past it.
    expect(await nonceOf(receipt.nonce >> 64n)).toBe(receipt.nonce + 1n)
    // The account paid the prefund from its ETH; what the operation did not use stays its deposit at the EntryPoint.
    const deposit = await rpc.readContract({
      address: ENTRY_POINT_V08,
      abi: parseAbi(['function balanceOf(address account) view returns (uint256)']),
      functionName: 'balanceOf',
      args: [owner],
    })
    expect((await rpc.getBalance({ address: owner })) + deposit).toBe(eth - receipt.actualGasCost)
    signer.wipe()
  }, 90_000)
})
