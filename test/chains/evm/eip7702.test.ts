/**
 * EIP-7702 in coffer/evm (src/chains/evm/eip7702.ts): authorization digests and type-4
 * transactions byte for byte against viem (the oracle), the delegate allowlist (an unlisted
 * delegate is refused before the key is touched), and on a real anvil: the npm artifact of
 * Simple7702Account v0.8 deployed through the deterministic CREATE2 deployer lands at the
 * address KNOWN_DELEGATES lists; a self-sponsored delegation gives the account the delegation
 * designator; the account then batches two USDT payments in one transaction through its own
 * executeBatch; a revocation makes it a plain EOA again.
 */
import simple7702 from '@account-abstraction/contracts/artifacts/Simple7702Account.json'
import fc from 'fast-check'
import { createPublicClient, encodeFunctionData, erc20Abi, http, serializeTransaction, type Hex } from 'viem'
import { hashAuthorization, recoverAuthorizationAddress } from 'viem/utils'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  KNOWN_DELEGATES,
  NO_DELEGATE,
  authorizationDigest,
  delegationOf,
  evm,
  signAuthorization,
  signDelegation,
  signEvmTransaction,
  type EvmAdapter,
} from 'coffer/evm'
import { evmSigner, InvalidArgumentError, mnemonicToSeed, UnknownDelegateError, generateMnemonic } from 'coffer/keys'
import { startLocalChain, type LocalChain } from 'coffer/testing'
import { serializeEvmTransaction } from '../../../src/chains/evm/serialize.js'
import { deployAccountAbstraction } from '../../../src/testing/evm/bundler.js'

const SIMPLE_7702 = KNOWN_DELEGATES[0]!.address
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as Hex
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hex)

describe('authorizations and type-4 transactions, against viem', () => {
  it('authorizationDigest is viem’s hashAuthorization (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), address, fc.nat({ max: Number.MAX_SAFE_INTEGER }), (chainId, addr, nonce) => {
        expect(hex(authorizationDigest({ chainId, address: addr as `0x${string}`, nonce }))).toBe(
          hashAuthorization({ chainId, address: addr, nonce }),
        )
      }),
      { numRuns: 200 },
    )
  })

  it('a signed type-4 transaction serialises as viem’s does (property)', () => {
    const word = fc.bigInt({ min: 1n, max: 2n ** 256n - 1n }).map((n) => `0x${n.toString(16).padStart(64, '0')}` as Hex)
    const auth = fc.record({
      chainId: fc.integer({ min: 1, max: 2 ** 32 }),
      address,
      nonce: fc.nat(),
      yParity: fc.constantFrom(0, 1),
      r: word,
      s: word,
    })
    fc.assert(
      fc.property(
        fc.record({
          chainId: fc.integer({ min: 1, max: 2 ** 32 }),
          nonce: fc.nat(),
          to: address,
          value: fc.bigInt({ min: 0n, max: 2n ** 128n }),
          data: fc.uint8Array({ maxLength: 80 }).map(hex),
          gas: fc.bigInt({ min: 21000n, max: 2n ** 64n }),
          maxFeePerGas: fc.bigInt({ min: 1n, max: 2n ** 100n }),
          authorizationList: fc.array(auth, { minLength: 1, maxLength: 3 }),
        }),
        fc.bigInt({ min: 1n, max: 2n ** 255n }),
        fc.constantFrom(0 as const, 1 as const),
        (t, r, yParity) => {
          const tx = { ...t, type: 'eip7702' as const, maxPriorityFeePerGas: t.maxFeePerGas / 2n }
          expect(hex(serializeEvmTransaction(tx as never))).toBe(serializeTransaction(tx as never))
          const sig = {
            r: `0x${r.toString(16).padStart(64, '0')}` as Hex,
            s: `0x${(r + 1n).toString(16).padStart(64, '0')}` as Hex,
            yParity,
          }
          expect(hex(serializeEvmTransaction(tx as never, { r, s: r + 1n, yParity }))).toBe(serializeTransaction(tx as never, sig))
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe('the delegate allowlist', () => {
  it('signs a listed delegate and a revocation; viem recovers the account', async () => {
    const signer = evmSigner(await mnemonicToSeed(generateMnemonic()))
    for (const delegate of [SIMPLE_7702, NO_DELEGATE] as const) {
      const signed = await signAuthorization(signer, { chainId: 1, address: delegate, nonce: 7 })
      expect(await recoverAuthorizationAddress({ authorization: signed, signature: signed })).toBe(signer.address)
    }
  })

  it('refuses an unlisted delegate before the key is touched, unless the caller names it', async () => {
    const real = evmSigner(await mnemonicToSeed(generateMnemonic()))
    const spy = vi.fn((digest: Uint8Array) => real.signDigest(digest))
    // The same key behind a signer whose signDigest calls are counted (a coffer signer is frozen).
    const signer = {
      curve: 'secp256k1',
      chain: 'evm',
      address: real.address,
      publicKey: real.publicKey,
      path: real.path,
      signDigest: spy,
      signSchnorr: real.signSchnorr,
    } as const
    const unknown = '0x1111111111111111111111111111111111111111'
    await expect(signAuthorization(signer, { chainId: 1, address: unknown, nonce: 0 })).rejects.toMatchObject({
      code: 'UNKNOWN_DELEGATE',
      details: { delegate: unknown },
    })
    await expect(signAuthorization(signer, { chainId: 1, address: unknown, nonce: 0 }, { allowDelegate: SIMPLE_7702 })).rejects.toThrow(
      UnknownDelegateError,
    )
    await expect(
      signDelegation(signer, { chainId: 1, nonce: 0, delegate: unknown, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n }),
    ).rejects.toThrow(UnknownDelegateError)
    expect(spy).not.toHaveBeenCalled()
    const insisted = await signAuthorization(
      signer,
      { chainId: 1, address: unknown, nonce: 0 },
      { allowDelegate: unknown.toUpperCase().replace('0X', '0x') },
    )
    expect(insisted.address.toLowerCase()).toBe(unknown)
  })

  it('refuses chain id 0 (valid on every chain) and malformed authorizations', async () => {
    const signer = evmSigner(await mnemonicToSeed(generateMnemonic()))
    for (const bad of [
      { chainId: 0, address: SIMPLE_7702, nonce: 0 },
      { chainId: 1, address: '0x12', nonce: 0 },
      { chainId: 1, address: SIMPLE_7702, nonce: -1 },
      { chainId: 1.5, address: SIMPLE_7702, nonce: 0 },
      null,
    ]) {
      await expect(signAuthorization(signer, bad as never)).rejects.toThrow(InvalidArgumentError)
    }
    expect(delegationOf('0x')).toBeNull()
    expect(delegationOf(`0xef0100${SIMPLE_7702.slice(2)}`)).toBe(SIMPLE_7702)
    expect(delegationOf('0x6080')).toBeUndefined()
  })
})

describe('on anvil', () => {
  let local: LocalChain<'USDT'>
  let adapter: EvmAdapter
  let rpc: ReturnType<typeof createPublicClient>

  beforeAll(async () => {
    local = await startLocalChain({ tokens: ['USDT'] })
    adapter = evm({ chain: local.chainId, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })
    rpc = createPublicClient({ chain: local.chain, transport: http(local.rpcUrl) })
  }, 120_000)
  afterAll(async () => {
    await local?.stop()
  })

  const chainNumber = () => Number(local.chainId.slice('eip155:'.length))
  async function fees() {
    const block = await rpc.getBlock()
    return { maxFeePerGas: (block.baseFeePerGas ?? 1n) * 2n + 1_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n }
  }

  it('the npm artifact deployed through the CREATE2 deployer (salt 0) lands at the listed address', async () => {
    // deployAccountAbstraction checks that the CREATE2 address is the listed one; here: the code there is the artifact's.
    await deployAccountAbstraction(local)
    expect(await rpc.getCode({ address: SIMPLE_7702 })).toBe(simple7702.deployedBytecode)
  })

  it('delegates an EOA, batches two USDT payments through executeBatch, and revokes', async () => {
    const signer = evmSigner(await mnemonicToSeed(generateMnemonic()))
    await local.fund(signer.address, { eth: '1', USDT: '50' })
    const [alice, bob] = ['0x000000000000000000000000000000000000a11c', '0x0000000000000000000000000000000000000b0b'] as const
    const nonce = () => rpc.getTransactionCount({ address: signer.address as `0x${string}`, blockTag: 'pending' })

    // Delegate: one type-4 transaction from the account to itself.
    const delegation = await signDelegation(signer, {
      chainId: chainNumber(),
      nonce: await nonce(),
      delegate: SIMPLE_7702,
      ...(await fees()),
    })
    // The transaction takes nonce n; the chain bumps it before it reads the authorization, which carries n + 1.
    expect(delegation.authorization.nonce).toBe((await nonce()) + 1)
    const hash = await adapter.broadcast(delegation)
    expect((await adapter.waitForTransaction(hash)).state).toBe('confirmed')
    const code = await rpc.getCode({ address: signer.address as `0x${string}` })
    expect(delegationOf(code ?? '0x')).toBe(SIMPLE_7702)

    // Two payments in one transaction: the account calls its own executeBatch (msg.sender == the account).
    const usdt = local.tokens.USDT.address
    const calls = [
      { target: usdt, value: 0n, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [alice, 10_000_000n] }) },
      { target: usdt, value: 0n, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [bob, 5_000_000n] }) },
    ]
    const data = encodeFunctionData({ abi: simple7702.abi, functionName: 'executeBatch', args: [calls] })
    const f = await fees()
    const batch = await signEvmTransaction(
      {
        chainId: local.chainId,
        kind: 'evm-eip1559',
        from: signer.address,
        summary: { to: signer.address, asset: local.nativeAsset, amount: '0', fee: String(200_000n * f.maxFeePerGas), data },
        payload: {
          type: 'eip1559',
          chainId: chainNumber(),
          nonce: await nonce(),
          to: signer.address,
          value: '0',
          data,
          gas: '200000',
          maxFeePerGas: String(f.maxFeePerGas),
          maxPriorityFeePerGas: String(f.maxPriorityFeePerGas),
        },
      },
      signer,
    )
    expect((await adapter.waitForTransaction(await adapter.broadcast(batch))).state).toBe('confirmed')
    const balance = (owner: string) =>
      rpc.readContract({ address: usdt, abi: erc20Abi, functionName: 'balanceOf', args: [owner as `0x${string}`] })
    expect([await balance(alice), await balance(bob), await balance(signer.address)]).toEqual([10_000_000n, 5_000_000n, 35_000_000n])

    // Revoke: the account is a plain EOA again.
    const revoke = await signDelegation(signer, { chainId: chainNumber(), nonce: await nonce(), delegate: null, ...(await fees()) })
    expect((await adapter.waitForTransaction(await adapter.broadcast(revoke))).state).toBe('confirmed')
    expect(delegationOf((await rpc.getCode({ address: signer.address as `0x${string}` })) ?? '0x')).toBeNull()
    signer.wipe()
  }, 60_000)
})
