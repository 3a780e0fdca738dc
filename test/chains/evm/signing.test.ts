import { createWalletClient, http, recoverMessageAddress, recoverTypedDataAddress, parseSignature } from 'viem'
import { describe, expect, it } from 'vitest'
import { defineChain } from 'viem'
import { erc20AssetId, toViemAccount } from 'coffer/evm'
import { fixtureAbis, sendFrom, waitForReceipt } from '../../support/anvil.js'
import { fund, localAdapter, sharedAnvil, vaultSigners } from './helpers.js'

const anvilChain = () =>
  defineChain({
    id: 31337,
    name: 'Anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [sharedAnvil().url] } },
  })

describe('EVM signing extras', () => {
  it('signMessage (EIP-191) and signTypedData (EIP-712) recover to the signer', async () => {
    const adapter = localAdapter()
    const { signers } = await vaultSigners(1)
    const signer = signers[0]!
    const message = 'Sign in to coffer ✓'
    const sig = await adapter.signMessage(signer, message)
    expect(await recoverMessageAddress({ message, signature: sig.signature })).toBe(signer.address)
    expect(sig.v).toBe(27 + sig.yParity)
    const typed = {
      domain: { name: 'Ether Mail', version: '1', chainId: 1, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' },
      types: {
        Person: [
          { name: 'name', type: 'string' },
          { name: 'wallet', type: 'address' },
        ],
        Mail: [
          { name: 'from', type: 'Person' },
          { name: 'to', type: 'Person' },
          { name: 'contents', type: 'string' },
        ],
      },
      primaryType: 'Mail',
      message: {
        from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
        to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
        contents: 'Hello, Bob!',
      },
    } as const
    const typedSig = await adapter.signTypedData(signer, typed)
    expect(await recoverTypedDataAddress({ ...typed, signature: typedSig.signature })).toBe(signer.address)
    await expect(
      adapter.signTypedData(signer, { ...typed, message: { ...typed.message, to: { name: 'Bob', wallet: '0x123' } } } as never),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('signTypedData checks each value against its EIP-712 type: the text "a" is no bytes1 (viem signed it as 0x00), 0x61 is', async () => {
    const adapter = localAdapter()
    const { signers } = await vaultSigners(1)
    const signer = signers[0]!
    const typed = (data: unknown) =>
      ({
        domain: { name: 'coffer', chainId: 31337 },
        types: { Message: [{ name: 'data', type: 'bytes1' }] },
        primaryType: 'Message',
        message: { data },
      }) as const
    await expect(adapter.signTypedData(signer, typed('a') as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { path: 'message.data', type: 'bytes1' },
    })
    const sig = await adapter.signTypedData(signer, typed('0x61') as never)
    expect(await recoverTypedDataAddress({ ...typed('0x61'), signature: sig.signature } as never)).toBe(signer.address)
    // A viem wallet client over toViemAccount: viem's own check lets "a" through, coffer's does not.
    const wallet = createWalletClient({ chain: anvilChain(), transport: http(sharedAnvil().url), account: toViemAccount(signer) })
    await expect(wallet.signTypedData(typed('a') as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(await wallet.signTypedData(typed('0x61') as never)).toBe(sig.signature)
  })

  it('signPermit (EIP-2612): the token accepts the permit and sets the allowance', async () => {
    const { url, fixtures } = sharedAnvil()
    const adapter = localAdapter()
    const { signers } = await vaultSigners(2)
    const [owner, spender] = signers as [(typeof signers)[0], (typeof signers)[0]]
    await fund(spender.address as `0x${string}`)
    const permit = await adapter.signPermit(owner, {
      token: erc20AssetId(31337, fixtures.usdc.address),
      spender: spender.address as `0x${string}`,
      value: 1_234_567n,
    })
    expect(permit.nonce).toBe(0n)
    const wallet = createWalletClient({ chain: anvilChain(), transport: http(url), account: toViemAccount(spender) })
    const hash = await wallet.writeContract({
      address: fixtures.usdc.address,
      abi: fixtureAbis.standardToken,
      functionName: 'permit',
      args: [owner.address as `0x${string}`, spender.address as `0x${string}`, 1_234_567n, permit.deadline, permit.v, permit.r, permit.s],
    })
    expect((await waitForReceipt(url, hash)).status).toBe('0x1')
    const allowance = await adapter.client.readContract({
      address: fixtures.usdc.address,
      abi: fixtureAbis.standardToken,
      functionName: 'allowance',
      args: [owner.address as `0x${string}`, spender.address as `0x${string}`],
    })
    expect(allowance).toBe(1_234_567n)
    // The nonce moved on: the next permit uses 1.
    expect(
      (await adapter.signPermit(owner, { token: fixtures.usdc.address, spender: spender.address as `0x${string}`, value: 1n })).nonce,
    ).toBe(1n)
  })

  it('signTransferAuthorization (EIP-3009): anyone can submit it and the USDC moves', async () => {
    const { url, fixtures } = sharedAnvil()
    const adapter = localAdapter()
    const { signers } = await vaultSigners(3)
    const [payer, payee, relayer] = signers as [(typeof signers)[0], (typeof signers)[0], (typeof signers)[0]]
    await fund(payer.address as `0x${string}`, { eth: 0n, usdc: 5_000_000n })
    await fund(relayer.address as `0x${string}`)
    const auth = await adapter.signTransferAuthorization(payer, {
      token: fixtures.usdc.address,
      to: payee.address as `0x${string}`,
      value: 2_000_000n,
    })
    const { r, s, v } = { ...parseSignature(auth.signature), v: auth.v }
    const wallet = createWalletClient({ chain: anvilChain(), transport: http(url), account: toViemAccount(relayer) })
    const hash = await wallet.writeContract({
      address: fixtures.usdc.address,
      abi: fixtureAbis.standardToken,
      functionName: 'transferWithAuthorization',
      args: [
        payer.address as `0x${string}`,
        payee.address as `0x${string}`,
        2_000_000n,
        auth.validAfter,
        auth.validBefore,
        auth.nonce,
        v,
        r,
        s,
      ],
    })
    expect((await waitForReceipt(url, hash)).status).toBe('0x1')
    const balances = await adapter.getBalances({
      addresses: [payer.address, payee.address],
      assets: [erc20AssetId(31337, fixtures.usdc.address)],
    })
    expect(balances.map((b) => (b.ok ? b.amount : -1n))).toEqual([3_000_000n, 2_000_000n])
  })

  it("toViemAccount lets viem's wallet client send a transaction signed by a vault signer", async () => {
    const { url } = sharedAnvil()
    const { signers } = await vaultSigners(2)
    const [alice, bob] = signers as [(typeof signers)[0], (typeof signers)[0]]
    await fund(alice.address as `0x${string}`)
    const account = toViemAccount(alice)
    expect(account.address).toBe(alice.address)
    const wallet = createWalletClient({ chain: anvilChain(), transport: http(url), account })
    const hash = await wallet.sendTransaction({ to: bob.address as `0x${string}`, value: 42n })
    expect((await waitForReceipt(url, hash)).status).toBe('0x1')
    await sendFrom(url, { from: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', to: bob.address as `0x${string}`, value: 1n })
    expect((await localAdapter().getBalances({ addresses: [bob.address] }))[0]).toMatchObject({ amount: 43n })
    expect(() => toViemAccount({ curve: 'ed25519' } as never)).toThrow(/EVM signer/)
  })
})
