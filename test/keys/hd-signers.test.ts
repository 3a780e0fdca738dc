// Signers straight from a seed (src/keys/hd-signers.ts): the account deriveAccount names, the
// key behind it (viem recovers the signer's address from a signed transaction and a message),
// wipe, the Schnorr refusal, redaction, and the option checks deriveAccount makes.
import { inspect } from 'node:util'
import fc from 'fast-check'
import { recoverMessageAddress, recoverTransactionAddress } from 'viem'
import { selfPayment } from '../chains/evm/helpers.js'
import { describe, expect, it } from 'vitest'
import { signEvmTransaction, signMessage } from 'coffer/evm'
import {
  deriveAccount,
  evmSigner,
  InvalidArgumentError,
  InvalidPathError,
  InvalidSeedError,
  KeyWipedError,
  mnemonicToSeed,
  NotSupportedError,
  tronSigner,
} from 'coffer/keys'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { tronMessageDigest } from 'coffer/tron'

const PHRASE = 'test test test test test test test test test test test junk'
const seed = await mnemonicToSeed(PHRASE)

describe('evmSigner / tronSigner', () => {
  it('is the account deriveAccount names (hardhat / anvil account 0 for the test phrase)', () => {
    const signer = evmSigner(seed)
    expect(signer.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
    expect(signer.path).toBe("m/44'/60'/0'/0/0")
    expect(signer.chain).toBe('evm')
    expect(signer.curve).toBe('secp256k1')
    const tron = tronSigner(seed, { index: 2 })
    expect(tron.address).toBe(deriveAccount(seed, { chain: 'tron', index: 2 }).address)
    expect(tron.path).toBe("m/44'/195'/0'/0/2")
  })

  it('agrees with deriveAccount for random indices, accounts and path templates (property)', () => {
    const options = fc.oneof(
      fc.record({ index: fc.nat(2 ** 31 - 1), account: fc.nat(2 ** 31 - 1) }, { requiredKeys: [] }),
      fc.record(
        { index: fc.nat(2 ** 31 - 1), path: fc.constantFrom("m/44'/60'/7'/{index}", "m/0/{index}'", "m/44'/60'/0'/0/5", 'm') },
        { requiredKeys: ['path'] },
      ),
    )
    fc.assert(
      fc.property(fc.constantFrom('evm' as const, 'tron' as const), options, (chain, opts) => {
        const literal = 'path' in opts && !opts.path?.includes('{index}')
        const o = literal ? { ...opts, index: undefined } : opts
        const make = chain === 'evm' ? evmSigner : tronSigner
        const signer = make(seed, o)
        const account = deriveAccount(seed, { chain, ...o } as never)
        expect([signer.address, signer.path, signer.publicKey]).toEqual([account.address, account.path, account.publicKey])
        signer.wipe()
      }),
      { numRuns: 40 },
    )
  })

  it('signs what viem recovers to its address: a transaction and a personal message', async () => {
    const signer = evmSigner(seed, { index: 1 })
    const signed = await signEvmTransaction(selfPayment(signer.address), signer)
    expect(await recoverTransactionAddress({ serializedTransaction: signed.raw as `0x02${string}` })).toBe(signer.address)
    const message = await signMessage(signer, 'hello')
    expect(await recoverMessageAddress({ message: 'hello', signature: message.signature })).toBe(signer.address)
    const tron = tronSigner(seed)
    const digest = tronMessageDigest('hello')
    const sig = await tron.signDigest(digest)
    const recovered = new secp256k1.Signature(sig.r, sig.s).addRecoveryBit(sig.recovery).recoverPublicKey(digest)
    expect(recovered.toRawBytes(true)).toEqual(tron.publicKey)
  })

  it('wipe zeroes the key: every later use throws KeyWipedError', async () => {
    const signer = evmSigner(seed)
    await expect(signer.signDigest(new Uint8Array(32))).resolves.toBeDefined()
    signer.wipe()
    await expect(signer.signDigest(new Uint8Array(32))).rejects.toThrow(KeyWipedError)
    signer.wipe() // twice is harmless
  })

  it('refuses Schnorr: neither EVM nor TRON signs it', async () => {
    await expect(evmSigner(seed).signSchnorr(new Uint8Array(32))).rejects.toThrow(NotSupportedError)
    await expect(tronSigner(seed).signSchnorr(new Uint8Array(32))).rejects.toThrow(NotSupportedError)
  })

  it('prints no secret', () => {
    const signer = evmSigner(seed)
    for (const shown of [JSON.stringify(signer), String(signer), inspect(signer)]) {
      expect(shown).toContain('[redacted]')
      expect(shown).toContain(signer.address)
    }
    expect(Object.keys(signer)).not.toContain('privateKey')
  })

  it('checks its arguments as deriveAccount does', () => {
    expect(() => evmSigner(new Uint8Array(8))).toThrow(InvalidSeedError)
    expect(() => evmSigner('seed' as never)).toThrow(InvalidSeedError)
    expect(() => evmSigner(seed, { index: -1 })).toThrow(InvalidArgumentError)
    expect(() => evmSigner(seed, { index: 2 ** 31 })).toThrow(InvalidArgumentError)
    expect(() => evmSigner(seed, { account: 1.5 })).toThrow(InvalidArgumentError)
    expect(() => evmSigner(seed, { path: "m/44'/60'/0'/0/0", index: 1 })).toThrow(InvalidPathError)
    expect(() => evmSigner(seed, { path: "m/44'/60'/0'/0/0", account: 1 })).toThrow(InvalidArgumentError)
    expect(() => evmSigner(seed, { path: 'x/0' })).toThrow(InvalidPathError)
    expect(() => evmSigner(seed, { path: 'm/{index}/{index}' })).toThrow(InvalidPathError)
    expect(() => evmSigner(seed, { chain: 'evm' } as never)).toThrow(/"chain" does not apply/)
    expect(() => evmSigner(seed, { verify: 'no' } as never)).toThrow(InvalidArgumentError)
    expect(() => evmSigner(seed, null as never)).toThrow(InvalidArgumentError)
    expect(evmSigner(seed, { verify: false }).address).toBe(evmSigner(seed).address)
  })
})
