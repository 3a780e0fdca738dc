import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js'
import { HDNodeWallet } from 'ethers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  deriveAccount,
  deriveAccounts,
  deriveEd25519,
  evmAddressFromPublicKey,
  HDNode,
  InvalidArgumentError,
  InvalidPathError,
  InvalidSeedError,
  isValidAddress,
  mnemonicToSeed,
  solanaAddressFromPublicKey,
  taprootOutputKey,
  tronAddressFromPublicKey,
  bitcoinAddressFromPublicKey,
  type DeriveAccountOptions,
  type DeriveAccountsOptions,
} from 'coffer/keys'
import bips from '../vectors/bip-addresses.json'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const seed = await mnemonicToSeed(ABANDON)

describe('BIP-49 / BIP-84 / BIP-86 spec vectors', () => {
  it('BIP-49 (P2SH-P2WPKH, testnet)', () => {
    const v = bips.bip49
    const a = v.addresses[0] as (typeof v.addresses)[number]
    const account = deriveAccount(seed, { chain: 'bitcoin', addressType: 'p2sh-p2wpkh', network: 'testnet' })
    expect(account.path).toBe(a.path)
    expect(bytesToHex(account.publicKey)).toBe(a.publicKey)
    expect(account.address).toBe(a.address)
    expect(account.accountPath).toBe(v.accountPath)
    // The spec writes the account key as upub (SLIP-132); coffer gives plain tpub of the same key.
    expect(HDNode.fromExtendedKey(account.accountXpub).publicKey).toEqual(HDNode.fromExtendedKey(v.accountXpub).publicKey)
    expect(account.accountXpub.startsWith('tpub')).toBe(true)
  })

  it.each([
    ['bip84', 'p2wpkh'],
    ['bip86', 'p2tr'],
  ] as const)('%s (%s, mainnet)', (name, addressType) => {
    const v = bips[name]
    for (const a of v.addresses) {
      const change = Number(a.path.split('/')[4]) as 0 | 1
      const index = Number(a.path.split('/')[5])
      const account = deriveAccount(seed, { chain: 'bitcoin', addressType, change, index })
      expect(account.path).toBe(a.path)
      expect(account.address).toBe(a.address)
      expect(account.accountPath).toBe(v.accountPath)
      expect(HDNode.fromExtendedKey(account.accountXpub).xpub).toBe(account.accountXpub)
      expect(account.accountXpub.startsWith('xpub')).toBe(true)
      expect(HDNode.fromExtendedKey(account.accountXpub).publicKey).toEqual(HDNode.fromExtendedKey(v.accountXpub).publicKey)
      if ('publicKey' in a) expect(bytesToHex(account.publicKey)).toBe(a.publicKey)
      if ('internalKey' in a) {
        expect(bytesToHex(account.publicKey.subarray(1))).toBe(a.internalKey)
        expect(bytesToHex(taprootOutputKey(account.publicKey))).toBe(a.outputKey)
      }
    }
  })
})

describe('the four chains from the BIP-39 test mnemonic', () => {
  it('EVM matches ethers v6', () => {
    const ethersRoot = HDNodeWallet.fromSeed(seed)
    for (const a of deriveAccounts(seed, { chain: 'evm', count: 5 })) {
      expect(a.address).toBe(ethersRoot.derivePath(a.path).address)
    }
    expect(deriveAccount(seed, { chain: 'evm' }).address).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
  })

  it('Tron uses coin 195 and the same 20 bytes as the EVM address of that key', () => {
    const tron = deriveAccount(seed, { chain: 'tron' })
    expect(tron.path).toBe("m/44'/195'/0'/0/0")
    expect(tron.address).toBe('TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH')
    expect(tron.address).toBe(tronAddressFromPublicKey(tron.publicKey))
    expect(isValidAddress('tron', tron.address)).toBe(true)
  })

  it("Solana uses m/44'/501'/{index}'/0' (Phantom, Solflare) and accepts m/44'/501'/0'", () => {
    const sol = deriveAccount(seed, { chain: 'solana' })
    expect(sol.path).toBe("m/44'/501'/0'/0'")
    expect(sol.address).toBe('HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk')
    expect(sol.address).toBe(solanaAddressFromPublicKey(deriveEd25519(seed, sol.path).publicKey))
    const legacy = deriveAccount(seed, { chain: 'solana', path: "m/44'/501'/0'" })
    expect(legacy.path).toBe("m/44'/501'/0'")
    expect(legacy.address).toBe(solanaAddressFromPublicKey(deriveEd25519(seed, "m/44'/501'/0'").publicKey))
    expect(deriveAccount(seed, { chain: 'solana', index: 1 }).path).toBe("m/44'/501'/1'/0'")
  })

  it('Bitcoin defaults to P2WPKH mainnet, coin 1 on test networks, and all four script types', () => {
    expect(deriveAccount(seed, { chain: 'bitcoin' }).address).toBe('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu')
    for (const network of ['testnet', 'regtest'] as const) {
      const a = deriveAccount(seed, { chain: 'bitcoin', network })
      expect(a.path).toBe("m/84'/1'/0'/0/0")
      expect(isValidAddress('bitcoin', a.address, { network })).toBe(true)
      expect(isValidAddress('bitcoin', a.address)).toBe(false)
    }
    const paths = { p2pkh: "m/44'/0'/0'/0/0", 'p2sh-p2wpkh': "m/49'/0'/0'/0/0", p2wpkh: "m/84'/0'/0'/0/0", p2tr: "m/86'/0'/0'/0/0" }
    for (const [addressType, path] of Object.entries(paths)) {
      const a = deriveAccount(seed, { chain: 'bitcoin', addressType: addressType as never })
      expect(a.path).toBe(path)
      expect(a.address).toBe(bitcoinAddressFromPublicKey(HDNode.fromSeed(seed).derive(path).publicKey, addressType as never))
      expect(isValidAddress('bitcoin', a.address)).toBe(true)
    }
    expect(deriveAccount(seed, { chain: 'bitcoin', addressType: 'p2pkh' }).address).toBe('1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA')
  })

  it('honours account and change', () => {
    expect(deriveAccount(seed, { chain: 'evm', account: 2, index: 3 }).path).toBe("m/44'/60'/2'/0/3")
    expect(deriveAccount(seed, { chain: 'bitcoin', account: 1, change: 1, index: 4 }).path).toBe("m/84'/0'/1'/1/4")
  })
})

describe('deriveAccounts', () => {
  it('matches deriveAccount one by one, for every chain (fast path and slow path)', () => {
    const cases = [
      { chain: 'evm' },
      { chain: 'tron' },
      { chain: 'solana' },
      { chain: 'bitcoin', addressType: 'p2tr', network: 'testnet' },
      { chain: 'evm', path: "m/44'/60'/{index}'/0/0" }, // Ledger Live style: index in a hardened segment
      { chain: 'evm', path: "m/44'/60'/0'/{index}/0" }, // index in the middle: slow path
    ] as const
    for (const options of cases) {
      const batch = deriveAccounts(seed, { ...options, start: 7, count: 4 } as DeriveAccountsOptions)
      expect(batch).toHaveLength(4)
      batch.forEach((account, i) => {
        const single = deriveAccount(seed, { ...options, index: 7 + i } as DeriveAccountOptions)
        expect(account).toEqual(single)
        expect(account.index).toBe(7 + i)
      })
    }
  })

  it('agrees with HDNode for random seeds and indices (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 64 }), fc.integer({ min: 0, max: 2 ** 31 - 4 }), (randomSeed, start) => {
        const accounts = deriveAccounts(randomSeed, { chain: 'evm', start, count: 3 })
        const parent = HDNode.fromSeed(randomSeed).derive("m/44'/60'/0'/0")
        accounts.forEach((a, i) => {
          const node = parent.deriveChild(start + i)
          expect(a.path).toBe(`m/44'/60'/0'/0/${start + i}`)
          expect(bytesToHex(a.publicKey)).toBe(bytesToHex(node.publicKey))
          expect(a.address).toBe(evmAddressFromPublicKey(node.publicKey))
        })
      }),
      { numRuns: 40 },
    )
  })

  it('returns frozen objects holding no secret', () => {
    const [a] = deriveAccounts(seed, { chain: 'bitcoin', count: 1 })
    expect(Object.isFrozen(a)).toBe(true)
    expect(Object.keys(a as object).sort()).toEqual([
      'accountPath',
      'accountXpub',
      'address',
      'addressType',
      'chain',
      'index',
      'network',
      'path',
      'publicKey',
    ])
    expect(JSON.stringify(a)).not.toMatch(/xprv|tprv/)
  })

  it('rejects bad ranges and options', () => {
    expect(() => deriveAccounts(seed, { chain: 'evm', count: 0 })).toThrow(InvalidArgumentError)
    expect(() => deriveAccounts(seed, { chain: 'evm', count: 100_001 })).toThrow(InvalidArgumentError)
    expect(() => deriveAccounts(seed, { chain: 'evm', start: 2 ** 31 - 1, count: 2 })).toThrow(InvalidArgumentError)
    expect(() => deriveAccounts(seed, { chain: 'evm', count: 2, path: "m/44'/60'/0'/0/0" })).toThrow(InvalidPathError)
    expect(() => deriveAccounts(seed, { chain: 'evm', count: 1, index: 3 } as never)).toThrow(InvalidArgumentError)
  })
})

describe('deriveAccount rejects bad input with typed errors', () => {
  it.each([
    [{ chain: 'doge' }, InvalidArgumentError],
    [{ chain: 'evm', index: -1 }, InvalidArgumentError],
    [{ chain: 'evm', index: 2 ** 31 }, InvalidArgumentError],
    [{ chain: 'evm', index: 1.5 }, InvalidArgumentError],
    [{ chain: 'evm', addressType: 'p2tr' }, InvalidArgumentError],
    [{ chain: 'solana', account: 1 }, InvalidArgumentError],
    [{ chain: 'bitcoin', network: 'signet' }, InvalidArgumentError],
    [{ chain: 'bitcoin', addressType: 'p2sh' }, InvalidArgumentError],
    [{ chain: 'bitcoin', change: 2 }, InvalidArgumentError],
    [{ chain: 'evm', path: "m/44'/60'/0'/0/0", account: 1 }, InvalidArgumentError],
    [{ chain: 'evm', path: "m/44'/60'/0'/0/0", index: 1 }, InvalidPathError],
    [{ chain: 'evm', path: 'm/44/{index}/{index}' }, InvalidPathError],
    [{ chain: 'evm', path: 'm/44/x{index}' }, InvalidPathError],
    [{ chain: 'evm', path: 42 }, InvalidPathError],
    [{ chain: 'solana', path: "m/44'/501'/0'/0" }, InvalidPathError],
    [null, InvalidArgumentError],
  ])('%j', (options, error) => {
    expect(() => deriveAccount(seed, options as never)).toThrow(error)
  })

  it('rejects bad seeds', () => {
    expect(() => deriveAccount(new Uint8Array(8), { chain: 'evm' })).toThrow(InvalidSeedError)
    expect(() => deriveAccount(hexToBytes('00') as never, { chain: 'solana' })).toThrow(InvalidSeedError)
  })
})
