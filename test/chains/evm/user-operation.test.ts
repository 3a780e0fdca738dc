/**
 * ERC-4337 v0.8 UserOperations (src/chains/evm/user-operation.ts): the packed form and the
 * EIP-712 hash against viem's getUserOperationHash (the oracle) on random operations, with and
 * without factory and paymaster fields; the signature recovers to the signer; malformed
 * operations and the EIP-7702 initCode marker are refused. That a bundler and the EntryPoint
 * accept what coffer signs: test/support/bundler.test.ts.
 */
import fc from 'fast-check'
import { hashTypedData, recoverAddress, type Hex } from 'viem'
import { getUserOperationHash } from 'viem/account-abstraction'
import { describe, expect, it } from 'vitest'
import { packUserOperation, signUserOperation, userOperationTypedData, type UserOperation } from 'coffer/evm'
import { evmSigner, generateMnemonic, InvalidArgumentError, mnemonicToSeed } from 'coffer/keys'

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as Hex
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hex)
const u128 = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n })
const ENTRY_POINT = '0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108'

const operation = fc
  .record({
    sender: address,
    nonce: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
    callData: fc.uint8Array({ maxLength: 200 }).map(hex),
    callGasLimit: u128,
    verificationGasLimit: u128,
    preVerificationGas: fc.bigInt({ min: 0n, max: 2n ** 200n }),
    maxFeePerGas: u128,
    factory: fc.option(fc.tuple(address, fc.uint8Array({ maxLength: 60 }).map(hex)), { nil: undefined }),
    paymaster: fc.option(fc.tuple(address, u128, u128, fc.uint8Array({ maxLength: 60 }).map(hex)), { nil: undefined }),
  })
  .filter((op) => !op.factory || !op.factory[0].toLowerCase().startsWith('0x7702'))
  .map(({ factory, paymaster, ...op }): UserOperation => ({
    ...op,
    sender: op.sender as `0x${string}`,
    maxPriorityFeePerGas: op.maxFeePerGas / 3n,
    ...(factory ? { factory: factory[0] as `0x${string}`, factoryData: factory[1] } : {}),
    ...(paymaster
      ? {
          paymaster: paymaster[0] as `0x${string}`,
          paymasterVerificationGasLimit: paymaster[1],
          paymasterPostOpGasLimit: paymaster[2],
          paymasterData: paymaster[3],
        }
      : {}),
  }))

describe('UserOperation v0.8', () => {
  it('its EIP-712 hash is viem’s getUserOperationHash (property)', () => {
    fc.assert(
      fc.property(operation, fc.integer({ min: 1, max: 2 ** 40 }), (op, chainId) => {
        const ours = hashTypedData(userOperationTypedData(op, { chainId, entryPoint: ENTRY_POINT }))
        expect(ours).toBe(
          getUserOperationHash({
            userOperation: { ...op, signature: '0x' },
            chainId,
            entryPointAddress: ENTRY_POINT,
            entryPointVersion: '0.8',
          }),
        )
      }),
      { numRuns: 200 },
    )
  })

  it('packs gas limits and fees two to a word, and the paymaster fields behind its address', () => {
    const packed = packUserOperation({
      sender: '0x000000000000000000000000000000000000a11c',
      nonce: 5n,
      callData: '0x',
      callGasLimit: 2n,
      verificationGasLimit: 1n,
      preVerificationGas: 3n,
      maxFeePerGas: 10n,
      maxPriorityFeePerGas: 4n,
      paymaster: '0x000000000000000000000000000000000000bEEF',
      paymasterVerificationGasLimit: 6n,
      paymasterPostOpGasLimit: 7n,
      paymasterData: '0xabcd',
    })
    expect(packed.accountGasLimits).toBe(`0x${'1'.padStart(32, '0')}${'2'.padStart(32, '0')}`)
    expect(packed.gasFees).toBe(`0x${'4'.padStart(32, '0')}${'a'.padStart(32, '0')}`)
    expect(packed.paymasterAndData).toBe(`0x${'0'.repeat(36)}beef${'6'.padStart(32, '0')}${'7'.padStart(32, '0')}abcd`)
    expect(packed.initCode).toBe('0x')
  })

  it('signs the hash: the signature recovers to the signer', async () => {
    const signer = evmSigner(await mnemonicToSeed(generateMnemonic()))
    const op = fc.sample(operation, 1)[0]!
    const signed = await signUserOperation(signer, op, { chainId: 1, entryPoint: ENTRY_POINT })
    expect(signed.digest).toBe(
      getUserOperationHash({
        userOperation: { ...op, signature: '0x' },
        chainId: 1,
        entryPointAddress: ENTRY_POINT,
        entryPointVersion: '0.8',
      }),
    )
    expect(await recoverAddress({ hash: signed.digest, signature: signed.signature })).toBe(signer.address)
    signer.wipe()
  })

  it('refuses malformed operations and domains, and the EIP-7702 initCode marker', () => {
    const good = fc.sample(operation, 1)[0]!
    const bad: [string, unknown][] = [
      ['no sender', { ...good, sender: undefined }],
      ['a number nonce', { ...good, nonce: 1 }],
      ['callGasLimit of 2^128', { ...good, callGasLimit: 2n ** 128n }],
      ['odd callData', { ...good, callData: '0xabc' }],
      ['priority fee above the max fee', { ...good, maxFeePerGas: 1n, maxPriorityFeePerGas: 2n }],
      ['factoryData without factory', { ...good, factory: undefined, factoryData: '0x01' }],
      ['paymaster fields without paymaster', { ...good, paymaster: undefined, paymasterData: '0x01' }],
      ['the 7702 marker as factory', { ...good, factory: '0x7702000000000000000000000000000000000000', factoryData: '0x' }],
      ['null', null],
    ]
    for (const [what, op] of bad) expect(() => packUserOperation(op as never), what).toThrow(InvalidArgumentError)
    expect(() => userOperationTypedData(good, { chainId: 0, entryPoint: ENTRY_POINT })).toThrow(InvalidArgumentError)
    expect(() => userOperationTypedData(good, { chainId: 1, entryPoint: '0x12' as never })).toThrow(InvalidArgumentError)
  })
})
